"""The test clock hook: make waiting timers and task deadlines come due sooner, for tests.

A test cannot wait two minutes (or a day) for a call-back. :func:`move_clock` moves
the clock forward *for the waiting timers and the deadlines only*: every pending timer
and every open task's due time (of one instance, or of all) comes ``delta`` earlier,
and a running pause of a deadline (engine/pauses.py) began ``delta`` earlier. Nothing
fires here.

- The due time SpiffWorkflow keeps for a waiting timer event is the catching task's
  ``internal_data["event_value"]`` (set when the event started waiting; ``has_fired``
  compares it with the wall clock): the ISO date-time of a ``timeDate`` or of a
  ``timeDuration``, the ``next`` occurrence of a ``timeCycle``. That value is
  rewritten, under the instance lock (a unit of work), and the timer row is moved by
  the projection that always derives it from that value, so the row and the engine
  agree by construction.
- Each moved timer gets a ``clock_moved`` audit event (actor ``test-clock``, the old
  and new due times), so an auditor never takes a moved timer for a real one.
- The moved rows go to the on-commit hooks like any new timer: the workers arm
  their rq jobs at the new due time, and a worker fires them through Redis.

It refuses to run unless the setting ``TASKLANE_TEST_HOOKS`` is on (off by default;
refused at start in production).
"""
from datetime import timedelta
from uuid import UUID

from flask import current_app
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import events, pauses, projections, task_meta, unit
from .db import db
from .errors import ForbiddenError
from .models import CaseDeadline, HumanTask, Timer

ACTOR = "test-clock"
FLAG = "TASKLANE_TEST_HOOKS"


class ClockHookDisabledError(ForbiddenError):
    """The test clock hook was called while ``TASKLANE_TEST_HOOKS`` is off."""

    code = "test_hooks_disabled"


def move_clock(delta, *, instance_id=None, actor=ACTOR):
    """Make every pending timer and open task (of ``instance_id``, or of every instance) due
    ``delta`` sooner, and every running pause of a deadline begin ``delta`` earlier.

    Each instance is changed in its own unit of work; the moved rows are handed to
    the on-commit hooks (the workers arm their jobs), never fired here. Start timers
    (no instance) are not moved.

    :param delta: a positive :class:`~datetime.timedelta`
    :param instance_id: only this instance's timers
    :param actor: who the ``clock_moved`` audit events name
    :returns: the moved :class:`~engine.models.Timer` rows, with their new ``due_at``
    :raises ClockHookDisabledError: ``TASKLANE_TEST_HOOKS`` is off
    :raises ValueError: ``delta`` is not a positive timedelta
    :raises NotFoundError: no instance ``instance_id``
    """
    if not current_app.config.get(FLAG):
        raise ClockHookDisabledError(f"the test clock hook is off: set {FLAG}=1 (tests only)")
    if not isinstance(delta, timedelta) or delta <= timedelta(0):
        raise ValueError(f"the clock only moves forward, by a positive timedelta, not {delta!r}")
    runtime = current_app.extensions["tasklane_runtime"]
    if instance_id is not None:
        ids = [instance_id]
    else:
        ids = _instances_with_time()
        db.session.rollback()
    moved = []
    for one in ids:
        moved.extend(_move_instance(runtime, one, delta, actor))
    return moved


def _move_instance(runtime, instance_id, delta, actor):
    ids = set()

    def action(work):
        rows = (db.session.query(Timer).filter_by(instance_id=instance_id, state="pending")
                .order_by(Timer.id).populate_existing().all())
        for row in rows:
            task = work.workflow.get_task_from_id(UUID(row.task_id))
            waiting = task is not None and task.state == TaskState.WAITING
            due = projections.timer_due(task) if waiting else None
            if due is None:
                continue  # not waiting any more: the projection cancels the row at save
            _set_due(task, due - delta)
            work.audit("clock_moved", task_id=row.task_id, element_id=row.element_id,
                       details={"timer_id": row.id, "by_seconds": delta.total_seconds(),
                                "due_before": due.isoformat(), "due_after": (due - delta).isoformat(),
                                "hook": FLAG})
            ids.add(row.id)

    def with_deadlines(work):
        action(work)
        _move_deadlines(work, delta)

    done = unit.run(runtime, instance_id, actor, with_deadlines)
    return [row for row in done.timers if row.id in ids]


def _instances_with_time():
    """The cases with a pending timer, an open task with a due time, or a deadline that runs."""
    found = {i for (i,) in db.session.query(Timer.instance_id).filter(
        Timer.state == "pending", Timer.instance_id.is_not(None))}
    found |= {i for (i,) in db.session.query(HumanTask.instance_id).filter(
        HumanTask.state == "open", HumanTask.due_at.is_not(None))}
    found |= {i for (i,) in db.session.query(CaseDeadline.instance_id).filter(
        CaseDeadline.state != pauses.ENDED)}
    return sorted(found)


def _move_deadlines(work, delta):
    """Open tasks come due ``delta`` sooner; a deadline that tasks may pause moves in its ledger
    (engine/pauses.py: its running pause began ``delta`` earlier), and the projection at save
    derives its tasks' due times from it. Each one moved is a ``clock_moved`` event."""
    moved = pauses.move(work.instance.id, delta)
    for element, before, after in moved:
        work.audit("clock_moved", element_id=element,
                   details={"deadline": element, "by_seconds": delta.total_seconds(),
                            "due_before": before.isoformat(), "due_after": after.isoformat(), "hook": FLAG})
    ledgered = {element for element, _before, _after in moved}
    rows = (db.session.query(HumanTask).filter(
        HumanTask.instance_id == work.instance.id, HumanTask.state == "open", HumanTask.due_at.is_not(None))
        .order_by(HumanTask.id).all())
    for row in rows:
        if row.element_id in ledgered:
            continue
        before, row.due_at = row.due_at, row.due_at - delta
        row.sort_key = task_meta.sort_key(row.priority, row.due_at, row.created_at)
        work.audit("clock_moved", task_id=row.id, element_id=row.element_id,
                   details={"task_due": True, "by_seconds": delta.total_seconds(), "hook": FLAG,
                            "due_before": before.isoformat(), "due_after": row.due_at.isoformat()})


def _set_due(task, due):
    """Rewrite the due time SpiffWorkflow keeps for a waiting timer task (an aware ``due``)."""
    value = task.internal_data["event_value"]
    if isinstance(events.timer(task.task_spec), CycleTimerEventDefinition):
        # The later occurrences follow from "next" plus the period: they move too.
        task.internal_data["event_value"] = {**value, "next": due.isoformat()}
    else:  # timeDate and timeDuration both keep one ISO date-time
        task.internal_data["event_value"] = due.isoformat()
