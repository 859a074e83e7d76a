"""A timer whose firing fails (a broken script) is parked, not retried forever."""
from engine import audit
from engine.db import db
from engine.models import ProcessInstance, Timer
from engine.types import utcnow


def record(timer_id, message):
    """Mark the timer failed and the instance in error, with an audit event, in one commit."""
    db.session.rollback()
    timer = db.session.get(Timer, timer_id)
    timer.state = "failed"
    if timer.instance_id is not None:
        instance = db.session.get(ProcessInstance, timer.instance_id)
        instance.error = message
        audit.append(f"instance:{instance.id}", "incident", actor="system", instance_id=instance.id,
                     element_id=timer.element_id, details={"timer_id": timer_id, "error": message},
                     at=utcnow())
    db.session.commit()
