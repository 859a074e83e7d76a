"""How a new workflow treats its start events, and what a process says about starting it.

Tasklane follows BPMN (and Camunda) semantics: a timer start event starts a new
instance when it fires, scheduled per deployed version (see ``start_timers``).
The instance it starts must not wait on that timer again, and an instance
started by hand does not wait on timer start events either.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

from .db import db
from .errors import NotFoundError
from .models import ProcessDefinition, ProcessVersion
from .task_meta import candidate_role, form_keys


def _timer_start_tasks(workflow):
    return [t for t in workflow.get_tasks()
            if isinstance(t.task_spec, StartEvent)
            and isinstance(t.task_spec.event_definition, TimerEventDefinition)
            and t.workflow is workflow]


def prefire_start_events(workflow, fired_element=None):
    """Mark timer start events as fired (the one that fired) or skip them (manual start).

    :param fired_element: element id of the timer start event that fired, if any
    """
    timer_tasks = _timer_start_tasks(workflow)
    if not timer_tasks:
        return
    others = [t for t in workflow.get_tasks() if isinstance(t.task_spec, StartEvent)
              and t not in timer_tasks and t.workflow is workflow]
    past = (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()
    for task in timer_tasks:
        fire = task.task_spec.bpmn_id == fired_element or (fired_element is None and not others)
        if fire and fired_element is None and task is not timer_tasks[0]:
            fire = False  # started by hand with only timer starts: one path, not one per timer
        if fire:
            _mark_fired(task, past)
        else:
            task.cancel()


def _mark_fired(task, past):
    if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
        task.internal_data["event_value"] = {"cycles": 1, "next": past, "duration": 1.0}
    else:
        task.internal_data["event_value"] = past
        task.internal_data["event_fired"] = True


@dataclass(frozen=True)
class Outline:
    """What a process's latest version says about starting it by hand.

    ``roles``: the roles its lanes' tasks go to (engine/lanes.py; empty: no lanes);
    ``start_form``: the form key (``formJsonSchemaFilename`` without ``.json``) its plain start
    event names, or ``None``; ``version_id``: that version, whose files the form is read from first.
    """

    roles: frozenset
    start_form: str | None
    version_id: int | None = None


def outline(runtime, key):
    """The :class:`Outline` of the latest deployed version of process ``key``.

    :raises NotFoundError: no such process
    """
    version = (db.session.query(ProcessVersion).join(ProcessDefinition).filter(ProcessDefinition.key == key)
               .order_by(ProcessVersion.version.desc()).first())
    if version is None:
        raise NotFoundError(f"process '{key}' is not deployed")
    spec, subprocess_specs = runtime.spec_cache.get(version.id)
    roles = {candidate_role(ts.lane, version.lane_roles) for s in (spec, *subprocess_specs.values())
             for ts in s.task_specs.values() if getattr(ts, "lane", None)}
    forms = [form_keys(ts)[0] for ts in spec.task_specs.values()
             if isinstance(ts, StartEvent) and isinstance(ts.event_definition, NoneEventDefinition)]
    return Outline(frozenset(roles), next((form for form in forms if form), None), version.id)
