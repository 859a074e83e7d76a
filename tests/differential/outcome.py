"""How a run ended, in a form both sides produce alike and a person can read when they differ.

- ``completed``: whether the workflow completed;
- ``failed``: the step (0 = the start) at which an action or the engine raised, or None.
  Only the step is compared: raw SpiffWorkflow and Tasklane word their errors differently,
  so the texts are shown, not compared. A failed step changes nothing on either side (it
  is rolled back), and no step is taken after it; a case whose start failed has nothing
  else to compare (Tasklane stores no case then);
- ``ran``: how many times each BPMN element completed (every kind: tasks, events, gateways,
  sub-processes), in any order. Raw SpiffWorkflow keeps its whole task tree, so it is
  counted there; Tasklane prunes its tree at each save and keeps that history in the
  audit trail, so it is counted from the case's audit events;
- ``waiting``: the elements still READY, WAITING or STARTED when the run ended;
- ``data``: the workflow's data (what the end event hands back, plus data objects) and the
  data of every element still waiting, keyed by element.

Data is compared as JSON (datetimes as their ``str``), minus :data:`TASKLANE_ONLY_KEYS`.
"""
import difflib
import json
from collections import Counter

from SpiffWorkflow.util.task import TaskState

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED

# Keys Tasklane adds to a case's data for its own bookkeeping, left out of the comparison.
# There are none: the runtime keeps its bookkeeping (who completed a task, timers, audit,
# attachments) in its own tables, never in the workflow's data, and a key it started adding
# there would show up here as a difference until it is listed (and documented) in this set.
TASKLANE_ONLY_KEYS = frozenset()


def jsonable(value):
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def _all_tasks(workflow):
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()


def _element(task):
    return getattr(task.task_spec, "bpmn_id", None)


def _clean(data):
    return {k: v for k, v in data.items() if k not in TASKLANE_ONLY_KEYS}


def ran_in_tree(workflow):
    """Completions per element, from a task tree that was never pruned (raw SpiffWorkflow)."""
    return Counter(_element(t) for t in _all_tasks(workflow)
                   if _element(t) is not None and t.state == TaskState.COMPLETED)


def of(workflow, ran, failed=None):
    """The outcome of ``workflow`` with ``ran`` (a Counter of element ids) and the failed step."""
    live = sorted(((_element(t), TaskState.get_name(t.state), _clean(t.data))
                   for t in _all_tasks(workflow) if _element(t) is not None and t.has_state(LIVE)),
                  key=lambda item: (item[0], item[1], json.dumps(jsonable(item[2]), sort_keys=True)))
    return jsonable({
        "completed": workflow.completed,
        "failed": failed,
        "ran": dict(sorted(ran.items())),
        "waiting": [f"{element} {state}" for element, state, _ in live],
        "data": {"workflow": _clean(workflow.data),
                 "waiting": [[element, data] for element, _, data in live]},
    })


def comparable(outcome):
    """What must be equal on both sides: the outcome without the error's wording."""
    failed = outcome["failed"]
    if failed is not None and failed["step"] == 0:
        return {"failed": 0}
    return {**outcome, "failed": None if failed is None else failed["step"]}


def diff(raw, tasklane):
    """A unified diff of the two outcomes (as indented JSON), or "" when they are equal."""
    left = json.dumps(comparable(raw), indent=2, sort_keys=True).splitlines()
    right = json.dumps(comparable(tasklane), indent=2, sort_keys=True).splitlines()
    if left == right:
        return ""
    lines = difflib.unified_diff(left, right, "raw SpiffWorkflow", "Tasklane", lineterm="", n=4)
    errors = [f"{side} failed at step {o['failed']['step']}: {o['failed']['error']}"
              for side, o in (("raw SpiffWorkflow", raw), ("Tasklane", tasklane)) if o["failed"]]
    return "\n".join([*lines, *errors])
