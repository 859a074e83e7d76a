"""The one place where an instance changes: restore, act, save, project, commit.

``locked(instance_id)`` takes the instance row's lock (``SELECT ... FOR UPDATE`` on
PostgreSQL; on SQLite an optimistic check of ``lock_version`` when saving),
restores the workflow, lets the caller act on it, then writes the workflow, the
human-task and timer projections, outbox rows and audit events in one
transaction. Stale writes on SQLite are retried; every error rolls back and is
re-raised; after commit, the new timers and outbox rows are handed to the
registered ``on_commit`` hooks (the workers schedule their jobs).
"""
import contextvars
import logging
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from . import audit, projections, state, transaction
from .db import db, is_postgresql
from .errors import CaseDataTooLargeError, IncidentError, NotFoundError, StuckError, TasklaneError
from .models import ProcessInstance, Timer
from .stuck import stopped_at
from .types import utcnow

log = logging.getLogger(__name__)
_current = contextvars.ContextVar("tasklane_unit", default=None)
MAX_ATTEMPTS = 8


class StaleInstanceError(TasklaneError):
    """Another transaction saved the instance first (SQLite); the unit is retried."""

    status = 409
    code = "stale"


@dataclass
class Unit(audit.Recorder):
    """What one locked change collects before it is committed."""

    runtime: object
    instance: ProcessInstance
    workflow: object
    actor: str
    now: object
    completed: tuple = None
    fired_timer_id: int = None
    timers: list = field(default_factory=list)
    outbox: list = field(default_factory=list)
    opened_tasks: list = field(default_factory=list)
    chain: audit.Chain = None
    ran: set = field(default_factory=set)   # ids (text) of the tasks the engine completed
    # A change that saves ends the case's incident with this event (kind, details); a data
    # correction (resolves=False) does not, and its failures are not incidents.
    resolution: tuple = ("incident_resolved", None)
    resolves: bool = True


def current_unit():
    """The unit being worked on in this context, or None (helpers use it to add outbox rows)."""
    return _current.get()


def run(runtime, instance_id, actor, action):
    """Apply ``action(unit)`` to instance ``instance_id`` under its lock and commit.

    :raises PendingChangesError: the caller left changes uncommitted, or the call is inside
        an ``engine.begin()`` block (see :mod:`engine.transaction`); nothing is touched then
    :raises NotFoundError: no such instance
    :raises IncidentError: a script failed or the data grew too large; nothing of the
        change is written, and the incident is recorded on the case (engine/incidents.py)
    :raises TasklaneError: whatever ``action`` raises; nothing is written then
    """
    transaction.refuse_pending("an engine change of a case")
    tried = []

    def attempt():
        instance = lock(instance_id)
        unit = Unit(runtime, instance, runtime.restore(instance), actor, utcnow())
        tried.append(unit)
        perform(unit, action)
        db.session.commit()
        return unit

    try:
        unit = retried(attempt)
    except IncidentError as error:
        from . import incidents  # it locks and retries with this module's functions

        if tried and not tried[-1].resolves:
            raise
        timer_id = tried[-1].fired_timer_id if tried else None
        incidents.record(instance_id, error, actor=actor, timer_id=timer_id)
        raise
    runtime.after_commit(unit)
    return unit


def lock(instance_id):
    """The instance row, read afresh under its lock (``FOR UPDATE`` on PostgreSQL; on
    SQLite the version counter and the unique audit sequence catch a concurrent writer).

    :raises NotFoundError: no such instance
    """
    query = db.session.query(ProcessInstance).filter_by(id=instance_id)
    if is_postgresql():
        query = query.with_for_update()
    instance = query.populate_existing().one_or_none()
    if instance is None:
        raise NotFoundError(f"process instance {instance_id} does not exist")
    return instance


def retried(attempt):
    """``attempt()`` (which commits), again while a concurrent writer got there first.

    Every failure rolls back; a stale read, a locked SQLite database or a taken audit
    sequence number is retried up to ``MAX_ATTEMPTS`` times, anything else re-raised.

    :raises StaleInstanceError: the instance kept changing
    """
    for n in range(MAX_ATTEMPTS):
        try:
            return attempt()
        except (StaleInstanceError, StaleDataError):
            db.session.rollback()
            continue
        except OperationalError as error:
            db.session.rollback()
            if "locked" not in str(error) or n == MAX_ATTEMPTS - 1:
                raise
            continue
        except IntegrityError as error:
            # A concurrent writer took the same audit sequence number or row: retry.
            db.session.rollback()
            if n == MAX_ATTEMPTS - 1:
                raise StaleInstanceError("instance kept changing; try again") from error
            continue
        except BaseException:
            db.session.rollback()
            raise
    raise StaleInstanceError("instance kept changing; try again")


def perform(unit, action):
    """Run ``action(unit)`` as the current unit (helpers see it), then :func:`save` it."""
    token = _current.set(unit)
    try:
        action(unit)
        save(unit)
    finally:
        _current.reset(token)


def save(unit):
    """Write the workflow and its projections into the current transaction.

    The row's ``lock_version`` is SQLAlchemy's version counter: the UPDATE only
    matches the version that was read, so a concurrent save shows up as a
    ``StaleDataError`` at flush (possible on SQLite; PostgreSQL holds the row lock).
    """
    instance, workflow = unit.instance, unit.workflow
    previous = instance.status
    instance.status = _status(instance, workflow)
    instance.state = state.dump(workflow, unit.runtime.registry)
    _check_size(instance, unit.runtime.max_case_bytes)
    instance.updated_at = unit.now
    if instance.status != "running" and instance.ended_at is None:
        instance.ended_at = unit.now
    db.session.flush()
    unit.opened_tasks = projections.sync_human_tasks(instance, workflow, unit.now, unit.completed,
                                                      audit=unit.audit)
    unit.timers.extend(projections.sync_timers(instance, workflow, unit.now, unit.fired_timer_id, unit.ran))
    if instance.status == "completed" and previous != "completed":
        unit.audit("instance_completed")
    if instance.error is not None and unit.resolves:
        _resolve_incident(unit)
    if instance.status == "running":
        _mark_if_stuck(unit)
    if unit.chain is not None:
        unit.chain.write()
    db.session.flush()


def _check_size(instance, limit):
    """:raises CaseDataTooLargeError: the saved state would pass ``limit`` bytes (JSON is ASCII)"""
    if limit and len(instance.state) > limit:
        size = len(instance.state)
        raise CaseDataTooLargeError(f"the case's data would take {size:,} bytes when saved, more than "
                                    f"the limit of {limit:,} bytes; nothing was saved", limit=limit)


def _resolve_incident(unit):
    """A change that saves ends the case's incident, unless a parked timer still needs an operator."""
    parked = db.session.query(Timer.id).filter_by(instance_id=unit.instance.id, state="failed").first()
    if parked is None:
        unit.instance.error = None
        kind, details = unit.resolution
        unit.audit(kind, details=details)


def _mark_if_stuck(unit):
    """A running case nothing can move on becomes an incident naming where it stopped
    (engine/stuck.py); the change itself is kept."""
    element = stopped_at(unit.workflow)
    if element is None:
        return
    error = StuckError(element)
    unit.instance.error = error.message
    unit.audit("incident", element_id=element, details={"error": error.message, "code": error.code})


def _status(instance, workflow):
    if instance.status == "cancelled":
        return "cancelled"
    return "completed" if workflow.completed else "running"
