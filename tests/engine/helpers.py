"""Small helpers for engine tests: open tasks, completing by element id, reloading."""
import json
import time
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app

import engine
from engine import testclock
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
    """Fire ``timer`` through the engine once it is due.

    The test clock (engine/testclock.py) moves the timers of the timer's instance
    forward by the time left, as if that time had passed, instead of the test sleeping.
    A start timer has no instance to move (the test clock leaves those alone): that
    one is waited for in real time.
    """
    delay = timer.due_at.timestamp() - time.time()
    if delay > 0 and timer.instance_id is None:
        time.sleep(delay + 0.01)
    elif delay > 0:
        with test_hooks():
            testclock.move_clock(timedelta(seconds=delay + 0.01), instance_id=timer.instance_id)
    return engine.fire_timer(timer.id)


@contextmanager
def test_hooks():
    """The test clock hook on (``TASKLANE_TEST_HOOKS``) for the current app, for a moment."""
    config = current_app.config
    was = config.get(testclock.FLAG, _UNSET)
    config[testclock.FLAG] = True
    try:
        yield
    finally:
        if was is _UNSET:
            del config[testclock.FLAG]
        else:
            config[testclock.FLAG] = was


test_hooks.__test__ = False   # a helper, not a test
_UNSET = object()


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


def _contend(settings, actor, action, barrier, results):
    from engine.errors import ConflictError
    from tasklane.app import create_app

    app = create_app(settings)
    with app.app_context():
        barrier.wait(timeout=120)
        try:
            action(actor)
            results.put((actor, "won", None))
        except ConflictError as error:
            results.put((actor, "conflict", error.winner))
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
            results.put((actor, "error", repr(error)))


def race(settings, actors, action):
    """Call ``action(actor)`` in one forked process per actor, all released at one moment.

    :returns: ``[(actor, "won" | "conflict" | "error", winner named by the conflict or the error)]``
    """
    import multiprocessing

    db.session.remove()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(len(actors)), context.Queue()
    processes = [context.Process(target=_contend, args=(settings, actor, action, barrier, results))
                 for actor in actors]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    return outcomes
