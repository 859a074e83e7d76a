"""Incidents: a case that could not go on, recorded once, beside the change that failed.

A unit of work that fails with an :class:`~engine.errors.IncidentError` (a script or
condition failed, the case's data grew past its limit) is rolled back whole. Then, in
a transaction of its own, the case is marked (``instance.error``, which the case
search's "incident" filter finds) and an ``incident`` audit event names the element,
the error and who or what was acting; a timer whose firing failed is parked
(``failed``), so neither its job nor the sweep fires it again. A start that fails
leaves no case: its incident goes to the process definition's audit stream.

Nothing here retries: a script fails the same way the next time. The case's mark is
cleared by its next change that saves (engine/unit.py), unless a parked timer of the
case still waits for an operator.
"""
import logging

from sqlalchemy import update

from . import audit, unit
from .db import db, is_postgresql
from .models import ProcessDefinition, Timer
from .types import utcnow

log = logging.getLogger(__name__)
MAX_MESSAGE = 2000


def message_of(error):
    return str(getattr(error, "message", error))[:MAX_MESSAGE]


def details_of(error, **extra):
    return {"error": message_of(error), "code": getattr(error, "code", "incident"),
            **{k: v for k, v in extra.items() if v is not None}}


def record(instance_id, error, *, actor, timer_id=None):
    """Mark instance ``instance_id`` with ``error`` and append its ``incident`` event.

    Commits on its own (the failed change was rolled back); a failure to record is
    logged and does not hide ``error``, which the caller raises.

    :param timer_id: the timer whose firing failed: parked as ``failed``
    """
    def attempt():
        instance = unit.lock(instance_id)
        instance.error = message_of(error)
        if timer_id is not None:
            park_timer(timer_id)
        audit.append(f"instance:{instance_id}", "incident", actor=actor, instance_id=instance_id,
                     element_id=getattr(error, "element", None), at=utcnow(),
                     details=details_of(error, timer_id=timer_id))
        db.session.commit()

    _safely(attempt, f"instance {instance_id}")


def note_start(key, error, *, actor, **details):
    """Append a failed start's ``incident`` event to process ``key``'s definition stream,
    in the current transaction (the caller commits)."""
    query = db.session.query(ProcessDefinition).filter_by(key=key)
    if is_postgresql():
        query = query.with_for_update()
    if query.one_or_none() is None:
        return
    audit.append(f"definition:{key}", "incident", actor=actor, element_id=getattr(error, "element", None),
                 at=utcnow(), details=details_of(error, **details))


def record_start(key, error, *, actor, **details):
    """:func:`note_start` in a transaction of its own (the failed start was rolled back)."""
    def attempt():
        note_start(key, error, actor=actor, **details)
        db.session.commit()

    _safely(attempt, f"process {key}")


def park_timer(timer_id):
    """A pending timer becomes ``failed``: no job or sweep fires it again."""
    db.session.execute(update(Timer).where(Timer.id == timer_id, Timer.state == "pending")
                       .values(state="failed").execution_options(synchronize_session=False))


def _safely(attempt, what):
    db.session.rollback()
    try:
        unit.retried(attempt)
    except Exception:  # noqa: BLE001 - the original error is raised by the caller
        db.session.rollback()
        log.exception("the incident of %s could not be recorded", what)
