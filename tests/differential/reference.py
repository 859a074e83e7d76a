"""The reference: a scenario run on raw SpiffWorkflow, in memory, never saved.

SpiffWorkflow is driven as its documentation drives it: ``PythonScriptEngine`` (given the
date and time names Tasklane's scripts also have, so the same scripts run on both sides),
a user task completed by updating its data and running it, a message delivered with
``send_event``, and the engine run (``refresh_timers`` and ``do_engine_steps``) until no
engine task is READY. A timer is advanced the way ``engine.testclock`` advances Tasklane's:
the due time SpiffWorkflow keeps for each waiting timer event moves back.

A step that fails changes nothing, as in Tasklane (which rolls the step back and records
an incident): the workflow goes back to what it was before the step, through
SpiffWorkflow's own serializer.
"""
import math
from datetime import date, datetime, timedelta, timezone

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import outcome, plan

MAX_ENGINE_ROUNDS = 100
MAX_AUTO_STEPS = 50
SCRIPT_NAMES = {"datetime": datetime, "date": date, "timedelta": timedelta, "timezone": timezone}


class StepError(Exception):
    """A step of a scenario could not be taken (no such task, several match, ...)."""


def parse(diagram, process=None, files=()):
    """``(spec, subprocess_specs, key)`` of the process (or collaboration) to run, with
    ``files`` (the other BPMN and DMN files of its bundle) read for what it calls."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(diagram))
    key = process or main_process(parser)
    for path in files:
        suffix = str(path).lower()
        if suffix.endswith(".dmn"):
            parser.add_dmn_file(str(path))
        elif not suffix.endswith(".json"):
            parser.add_bpmn_file(str(path))
    if key in parser.collaborations:
        spec, subprocess_specs = parser.get_collaboration(key)
        return spec, subprocess_specs, key
    return parser.get_spec(key), parser.get_subprocess_specs(key), key


def main_process(parser):
    """The one executable process no call activity calls.

    :raises StepError: there are several (name one with ``"process"`` in the table)
    """
    called = parser.get_process_dependencies()
    keys = [pid for pid, pp in parser.process_parsers.items() if pp.process_executable and pid not in called]
    if len(keys) != 1:
        raise StepError(f"the diagram has {len(keys)} top-level executable processes {keys}: "
                        "name one as \"process\" in its table")
    return keys[0]


def run_engine(workflow):
    for _ in range(MAX_ENGINE_ROUNDS):
        workflow.refresh_timers()
        workflow.do_engine_steps()
        if not [t for t in workflow.get_tasks(state=TaskState.READY) if not t.task_spec.manual]:
            return


def ready_tasks(workflow, element, where=None):
    return [t for t in workflow.get_tasks(state=TaskState.READY, manual=True)
            if t.task_spec.bpmn_id == element and matches(t.data, where)]


def matches(data, where):
    return all(data.get(key) == value for key, value in (where or {}).items())


def complete(workflow, step):
    found = ready_tasks(workflow, step["complete"], step.get("where"))
    if step.get("any") and found:   # an ``auto`` step: any of a multi-instance's, all alike
        found = found[:1]
    if len(found) != 1:
        raise StepError(f"{len(found)} READY tasks of {step['complete']} match {step.get('where') or {}}")
    task = found[0]
    task.data.update(step.get("data") or {})
    task.run()


def send_message(workflow, step):
    event = BpmnEvent(MessageEventDefinition(step["message"]), payload=step.get("payload"))
    workflow.send_event(event)


def timer_definition(task_spec):
    """The timer a catching event waits for: its own, or the one among several it catches
    (an event-based gateway keeps the definitions of the events after it)."""
    definition = getattr(task_spec, "event_definition", None)
    inner = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
    return next((d for d in inner if isinstance(d, TimerEventDefinition)), None)


def waiting_timers(workflow):
    return [t for t in workflow.get_tasks(state=TaskState.WAITING)
            if timer_definition(t.task_spec) is not None and t.internal_data.get("event_value") is not None]


def due(task):
    value = task.internal_data["event_value"]
    if isinstance(timer_definition(task.task_spec), CycleTimerEventDefinition):
        if value.get("cycles") == 0:
            return None
        value = value["next"]
    return TimerEventDefinition.get_datetime(value)


def advance(workflow, step):
    """Every waiting timer comes due ``step["advance"]`` sooner (as engine.testclock moves them)."""
    delta = timedelta(seconds=plan.seconds(step["advance"]))
    for task in waiting_timers(workflow):
        when = due(task)
        if when is None:
            continue
        value = task.internal_data["event_value"]
        if isinstance(timer_definition(task.task_spec), CycleTimerEventDefinition):
            task.internal_data["event_value"] = {**value, "next": (when - delta).isoformat()}
        else:
            task.internal_data["event_value"] = (when - delta).isoformat()


ACTIONS = {"complete": complete, "message": send_message, "advance": advance}


def take(workflow, step):
    kind = next(kind for kind in plan.STEP_KINDS if kind in step)
    ACTIONS[kind](workflow, step)
    run_engine(workflow)


def next_auto_step(workflow):
    """What the ``auto`` scenario does next: the first READY user task by element id, else
    the earliest waiting timer brought to its due time, else nothing (``None``)."""
    ready = sorted(workflow.get_tasks(state=TaskState.READY, manual=True), key=lambda t: t.task_spec.bpmn_id)
    if ready:
        return {"complete": ready[0].task_spec.bpmn_id, "data": {}, "any": True}
    dues = [when for when in map(due, waiting_timers(workflow)) if when is not None]
    if dues:
        left = (min(dues) - datetime.now(timezone.utc)).total_seconds()
        return {"advance": f"PT{max(math.ceil(left), 0) + 1}S"}
    return None


def _snapshot(workflow):
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    return serializer.serialize_json(workflow)


def _back(snapshot, script_engine):
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    workflow = serializer.deserialize_json(snapshot)
    workflow.script_engine = script_engine
    return workflow


def run(scenario):
    """Run ``scenario`` on raw SpiffWorkflow.

    :returns: ``(outcome, steps)``: the outcome (:mod:`tests.differential.outcome`) and the
        steps taken (those of the scenario, or the ones chosen for ``auto``)
    """
    spec, subprocess_specs, _key = parse(scenario.diagram, scenario.process, scenario.files)
    script_engine = PythonScriptEngine(environment=TaskDataEnvironment(dict(SCRIPT_NAMES)))
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
    workflow.task_tree.data.update(scenario.data)
    taken, failed = [], None
    try:
        run_engine(workflow)
    except Exception as error:  # noqa: BLE001 - the outcome records it
        failed = {"step": 0, "error": f"{type(error).__name__}: {error}"}
    steps = list(scenario.steps) if scenario.steps is not None else None
    while failed is None:
        if steps is None:
            step = None if workflow.completed or len(taken) >= MAX_AUTO_STEPS else next_auto_step(workflow)
        else:
            step = steps.pop(0) if steps else None
        if step is None:
            break
        taken.append(step)
        before = _snapshot(workflow)
        try:
            if workflow.completed:
                raise StepError("the case had ended before this step")
            take(workflow, step)
        except Exception as error:  # noqa: BLE001 - the outcome records it
            failed = {"step": len(taken), "error": f"{type(error).__name__}: {error}"}
            workflow = _back(before, script_engine)
    given = list(scenario.steps) if scenario.steps is not None else taken
    return outcome.of(workflow, outcome.ran_in_tree(workflow), failed), given
