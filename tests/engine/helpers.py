"""Small helpers for engine tests: open tasks, completing by element id, reloading."""
import json
import time

import engine
from engine.db import db
from engine.models import AuditEvent, HumanTask, Outbox, ProcessInstance, Timer


def instance(instance_id):
    db.session.expire_all()
    return db.session.get(ProcessInstance, instance_id)


def open_tasks(instance_id):
    db.session.expire_all()
    return {t.element_id: t for t in db.session.query(HumanTask).filter_by(
        instance_id=instance_id, state="open")}


def complete(instance_id, element_id, data=None, actor="sales1"):
    task = open_tasks(instance_id)[element_id]
    return engine.complete_task(task.id, actor=actor, data=data or {})


def pending_timers(instance_id=None):
    db.session.expire_all()
    query = db.session.query(Timer).filter_by(state="pending")
    if instance_id is not None:
        query = query.filter_by(instance_id=instance_id)
    return {t.element_id: t for t in query}


def fire_when_due(timer):
    """Wait until ``timer`` is due, then fire it through the engine."""
    delay = (timer.due_at.timestamp() - time.time())
    if delay > 0:
        time.sleep(delay + 0.01)
    return engine.fire_timer(timer.id)


def data(instance_id):
    """The data of the task that changed last, restored from the saved state."""
    workflow = engine.get_runtime().restore(instance(instance_id))
    return max(workflow.tasks.values(), key=lambda t: t.last_state_change).data


def saved_state(instance_id):
    return json.loads(instance(instance_id).state)


def audit_kinds(instance_id):
    return [e.kind for e in db.session.query(AuditEvent).filter_by(instance_id=instance_id)
            .order_by(AuditEvent.seq)]


def outbox_rows():
    return db.session.query(Outbox).order_by(Outbox.id).all()
