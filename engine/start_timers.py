"""Timer start events: a deployed version starts a new instance each time its timer fires.

The schedule is a ``timer`` row without an instance. Firing it starts the instance,
marks the row fired and, for a cycle (``R5/PT1H``, ``R/2026-01-01T09:00/P1D``),
adds the row for the next occurrence, all in one transaction. Deploying a new
version of a process moves its schedule to the new version.
"""
from datetime import timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from sqlalchemy import update

from . import incidents, specs
from . import runtime as rt
from .db import db
from .errors import DeployError, IncidentError, NotFoundError
from .models import ProcessVersion, Timer
from .types import utcnow


def schedule(runtime, version, spec, now):
    """Pending start-timer rows for ``version``; those of older versions are cancelled.

    :raises DeployError: a timer expression does not evaluate to a valid time
    """
    older = db.session.query(ProcessVersion.id).filter(
        ProcessVersion.definition_id == version.definition_id, ProcessVersion.id != version.id)
    db.session.execute(
        update(Timer).where(Timer.version_id.in_(older.scalar_subquery()), Timer.instance_id.is_(None),
                            Timer.state == "pending").values(state="cancelled")
        .execution_options(synchronize_session=False))
    rows = []
    for task_spec in specs.start_timers(spec):
        due, cycle = _first_occurrence(runtime, task_spec, now)
        if due is None:
            continue
        rows.append(Timer(version_id=version.id, element_id=task_spec.bpmn_id, kind="start",
                          due_at=due, cycle=cycle, state="pending", created_at=now))
    db.session.add_all(rows)
    return rows


def _first_occurrence(runtime, task_spec, now):
    event = task_spec.event_definition
    try:
        value = runtime.script_engine.environment.evaluate(event.expression, {})
        if isinstance(event, CycleTimerEventDefinition):
            cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(value)
            if cycles == 0:
                return None, None
            return start, {"remaining": cycles, "seconds": duration.total_seconds()}
        if isinstance(event, DurationTimerEventDefinition):
            parsed = TimerEventDefinition.parse_iso_duration(value)
            return now + TimerEventDefinition.get_timedelta_from_start(parsed, now), None
        return TimerEventDefinition.get_datetime(value), None
    except Exception as error:  # noqa: BLE001 - reported against the element
        raise DeployError(f"timer of {task_spec.bpmn_id} is invalid: {error}",
                          [{"element": task_spec.bpmn_id, "message": f"invalid timer: {error}"}]) from None


def fire_start_timer(runtime, timer_id):
    """Start the instance for a due start timer, once; schedule the next cycle."""
    now = utcnow()
    claimed = db.session.execute(
        update(Timer).where(Timer.id == timer_id, Timer.state == "pending", Timer.due_at <= now)
        .values(state="fired", fired_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.rollback()
        timer = db.session.get(Timer, timer_id)
        if timer is None:
            raise NotFoundError(f"timer {timer_id} does not exist")
        return "early" if timer.state == "pending" else timer.state
    try:
        timer = db.session.get(Timer, timer_id, populate_existing=True)
        version = db.session.get(ProcessVersion, timer.version_id)
        work = rt.begin(runtime, version, actor="system", start_event=timer.element_id,
                        data={"started_by_timer": timer.element_id})
        following = _next(timer, now)
        if following is not None:
            db.session.add(following)
            db.session.flush()
            work.timers.append(following)
        db.session.commit()
    except BaseException as error:
        db.session.rollback()
        if isinstance(error, IncidentError):
            _park(runtime, timer_id, error, now)
        raise
    runtime.after_commit(work)
    return "started"


def _park(runtime, timer_id, error, now):
    """The occurrence whose start failed is parked with an incident on the process's stream;
    a cycle goes on with its next occurrence (the next start may meet other data)."""
    timer = db.session.get(Timer, timer_id, populate_existing=True)
    following = _next(timer, now)
    incidents.park_timer(timer_id)
    if following is not None:
        db.session.add(following)
    key = db.session.get(ProcessVersion, timer.version_id).definition.key
    incidents.note_start(key, error, actor="system", timer_id=timer_id)
    db.session.commit()
    runtime.committed([following] if following is not None else [], [])


def _next(timer, now):
    cycle = timer.cycle
    if not cycle or cycle["remaining"] == 1:
        return None
    step = timedelta(seconds=cycle["seconds"])
    due = timer.due_at + step
    while due <= now:  # after downtime, start once for the missed occurrences, not once each
        due += step
    remaining = cycle["remaining"] - 1 if cycle["remaining"] > 0 else -1
    return Timer(version_id=timer.version_id, element_id=timer.element_id, kind="start", due_at=due,
                 cycle={"remaining": remaining, "seconds": cycle["seconds"]}, state="pending",
                 created_at=now)


