"""The rq jobs, each bound to its queue here. Each raises on failure and is idempotent:
running it twice does it once."""
import time

from flask import current_app

import engine
from engine import periodic
from engine.db import db
from engine.models import Timer
from engine.types import utcnow

from . import delivery
from .queues import job

# rq's scheduler compares whole seconds, so a job may arrive up to a second early.
MAX_EARLY_WAIT = 1.5
# Finished jobs' results are kept 10 minutes, failures a week (rq's failed registry).
TTL = {"result_ttl": 600, "failure_ttl": 7 * 86400}


@job("timers", **TTL)
def fire_timer(timer_id):
    """Fire timer ``timer_id`` if it is still pending and due; a second run is a no-op."""
    timer = db.session.get(Timer, timer_id)
    if timer is None or timer.state != "pending":
        return timer.state if timer else "missing"
    early = (timer.due_at - utcnow()).total_seconds()
    if 0 < early <= MAX_EARLY_WAIT:
        db.session.rollback()
        time.sleep(early)
    # A script that fails parks the timer with an incident on its case (engine/incidents.py),
    # then the job fails: neither rq nor the sweep runs it again.
    return engine.fire_timer(timer_id)


@job("notifications", **TTL)
def deliver(outbox_id):
    """Send outbox row ``outbox_id`` once."""
    return delivery.deliver(outbox_id)


@job("default", **TTL)
def run_periodic(run_id):
    """Run one occurrence of a periodic job unless another run has claimed it."""
    return periodic.run(run_id, current_app)
