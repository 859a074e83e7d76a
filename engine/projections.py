"""Rows derived from a workflow after each step: human tasks and timers.

They are what the inbox and the timer jobs query, written in the same
transaction as the workflow they describe.
"""
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from . import calendars, events, pauses, task_meta, texts
from .db import db
from .errors import ScriptError, describe
from .models import HumanTask, Timer


def ready_user_tasks(workflow):
    return {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}


def sync_human_tasks(instance, workflow, now, completed=None, audit=None):
    """Open rows for newly READY user tasks; close rows whose task is no longer READY; bring
    the deadlines other tasks pause up to date (engine/pauses.py).

    :param completed: ``(task_id, actor)`` of the task completed in this step, if any
    :param audit: ``audit(kind, **fields)`` for the pauses' events (the unit's)
    :returns: the newly opened rows
    """
    ready = ready_user_tasks(workflow)
    rows = db.session.query(HumanTask).filter_by(instance_id=instance.id, state="open").all()
    closed = [row for row in rows if row.id not in ready]
    for row in closed:
        if completed and row.id == completed[0]:
            row.state, row.completed_by = "completed", completed[1]
        else:
            row.state = "cancelled"
        row.completed_at = now
    for row in rows:
        if row.id in ready:
            _describe_subject(row, ready[row.id].data)
    known = {row.id for row in rows}
    opened = [_human_task(instance, task, now) for tid, task in ready.items() if tid not in known]
    db.session.add_all(opened)
    still_open = [row for row in rows if row.id in ready] + opened
    pauses.sync(instance, workflow, ready, still_open, opened, closed, now, audit)
    return opened


def _human_task(instance, task, now):
    spec = task.task_spec
    language = texts.process_language(instance)
    titles = task_meta.titles(spec, language)
    instructions = task_meta.instructions(spec, language)
    form_key, ui_form_key = task_meta.form_keys(spec)
    due_at, priority = _due(task, now), task_meta.priority(spec)
    row = HumanTask(
        id=str(task.id), instance_id=instance.id, definition_key=instance.definition_key,
        element_id=spec.bpmn_id or spec.name, title=titles["en"], titles=titles, lane=spec.lane,
        candidate_role=_candidate_role(instance, spec.lane), due_at=due_at, priority=priority,
        form_key=form_key, ui_form_key=ui_form_key, instructions=task_meta.plain_instructions(spec),
        instructions_texts=instructions,
        state="open", created_at=now, sort_key=task_meta.sort_key(priority, due_at, now),
        assignee=task_meta.lane_owner(spec.lane, task.data),
    )
    _describe_subject(row, task.data)
    return row


def _candidate_role(instance, lane):
    """The role of ``lane`` under the case's version's lane mapping (engine/lanes.py)."""
    return task_meta.candidate_role(lane, instance.version.lane_roles) if lane else None


def _describe_subject(row, data):
    name, phone = task_meta.subject(data)
    if (name, phone) != (row.subject, row.subject_phone):
        row.subject, row.subject_phone = name, phone
        row.search_text = task_meta.search_text(name, phone)


def _due(task, now):
    """``dueIn`` (a duration), or ``dueInBusinessDays`` / ``dueInBusinessHours`` in the
    ``businessCalendar`` (docs/calendars.md); each an expression evaluated on the task."""
    props = task_meta.properties(task.task_spec)
    expression = props.get("dueIn")
    business = {key: props.get(name) for key, name in task_meta.BUSINESS_DUE.items() if props.get(name)}
    if not (expression or business):
        return None
    evaluate = task.workflow.script_engine.evaluate
    try:
        if business:
            counts = {key: evaluate(task, source) for key, source in business.items()}
            return calendars.due_at(now, calendar=props.get("businessCalendar") or None, **counts)
        duration = evaluate(task, expression)
        parsed = TimerEventDefinition.parse_iso_duration(str(duration))
        return now + TimerEventDefinition.get_timedelta_from_start(parsed, now)
    except Exception as error:  # noqa: BLE001 - any failure is the diagram's, reported with its id
        what = "/".join(task_meta.BUSINESS_DUE[k] for k in business) if business else "dueIn"
        raise ScriptError(f"{what} of {task.task_spec.bpmn_id}: {describe(error)}",
                          element=task.task_spec.bpmn_id) from error


def waiting_timers(workflow):
    """``{task_id: (task, due_at)}`` for every timer event the workflow waits on."""
    found = {}
    for task in workflow.get_tasks(state=TaskState.WAITING):
        due = timer_due(task)
        if due is not None:
            found[str(task.id)] = (task, due)
    return found


def timer_due(task):
    """When SpiffWorkflow will let a waiting timer task fire, read exactly as it reads it.

    A ``timeDate`` without a UTC offset is server-local time to SpiffWorkflow, so
    it is to the timer row too; otherwise the row could come due before the timer
    does (or hours after).
    """
    spec = task.task_spec
    definition = events.timer(spec) if isinstance(spec, CatchingEvent) else None
    if definition is None:
        return None
    value = task.internal_data.get("event_value")
    if value is None:
        return None
    if isinstance(definition, CycleTimerEventDefinition):
        if value.get("cycles") == 0:
            return None
        return _aware(datetime.fromisoformat(value["next"]))
    if isinstance(definition, DurationTimerEventDefinition):
        return TimerEventDefinition.get_datetime(value)
    return _aware(TimerEventDefinition.parse_time_or_duration(value))


def _aware(due):
    return due.replace(tzinfo=timezone.utc) if due.tzinfo is None else due.astimezone(timezone.utc)


def sync_timers(instance, workflow, now, fired_id=None, ran=()):
    """Keep one pending timer row per waiting timer event.

    A parked row (``failed``: its firing met an incident) stays parked while its event
    still waits, and no new row is made for that event: only a retry fires it again
    (engine/repair.py). Once the event has gone on, the parked row is ``fired`` if this
    change ran it, else ``cancelled`` (a migration or a boundary event took it away).

    :param fired_id: id of the timer row that fired in this step (marked fired)
    :param ran: ids (text) of the tasks this change completed
    :returns: rows that are new or whose due time moved (to schedule after commit)
    """
    if not _has_timers(workflow):
        return []
    waiting = waiting_timers(workflow)
    rows = db.session.query(Timer).filter(Timer.instance_id == instance.id,
                                          Timer.state.in_(("pending", "failed"))).all()
    changed = []
    for row in rows:
        if row.state == "failed":
            if row.task_id not in waiting:
                row.state = "fired" if row.task_id in ran else "cancelled"
                row.fired_at = now if row.state == "fired" else None
        elif row.id == fired_id:
            row.state, row.fired_at = "fired", now
        elif row.task_id not in waiting:
            row.state = "cancelled"
        elif waiting[row.task_id][1] != row.due_at:
            row.due_at = waiting[row.task_id][1]
            changed.append(row)
    kept = {row.task_id for row in rows if row.state in ("pending", "failed")}
    for task_id, (task, due) in waiting.items():
        if task_id in kept:
            continue
        kind = "boundary" if isinstance(task.task_spec, BoundaryEvent) else "intermediate"
        row = Timer(instance_id=instance.id, task_id=task_id, element_id=task.task_spec.bpmn_id,
                    kind=kind, due_at=due, state="pending", created_at=now)
        db.session.add(row)
        changed.append(row)
    return changed


def _has_timers(workflow):
    """Whether the workflow's specs contain any timer event (cached on the spec)."""
    spec = workflow.spec
    cached = getattr(spec, "_tasklane_has_timers", None)
    if cached is None:
        specs = (spec, *workflow.subprocess_specs.values())
        cached = any(events.timer(ts) is not None for s in specs for ts in s.task_specs.values())
        spec._tasklane_has_timers = cached
    return cached
