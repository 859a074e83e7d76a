"""Enqueue rq jobs for timers and outbox rows once their transaction has committed."""
import math
from datetime import datetime, timedelta, timezone

from flask import current_app

from engine.types import utcnow

from . import jobs


def _prefix(app=None):
    return (app or current_app).config["TASKLANE_QUEUE_PREFIX"]


def timer_job_id(timer, app=None):
    return timer_job_id_for(timer.id, timer.due_at, app)


def timer_job_id_for(timer_id, due_at, app=None):
    """The job id of a timer row: a new due time means a new job; the prefix keeps
    installations that share one Redis apart."""
    return f"{_prefix(app)}-timer-{timer_id}-{int(due_at.timestamp() * 1000)}"


def outbox_job_id(row_id, app=None):
    return f"{_prefix(app)}-outbox-{row_id}"


def _whole_second_after(due):
    # rq's scheduler keeps whole seconds and would release a job due at x.7 at x.0;
    # scheduled at the next whole second it is never early. The dispatcher releases
    # it on time; rq's scheduler is the fallback.
    return datetime.fromtimestamp(math.ceil(due.timestamp()), tz=timezone.utc)


def arm(timers, outbox):
    """Schedule a job per timer (at its due time) and per outbox row (now).

    Job ids are derived from the rows, so arming the same row twice replaces the job.
    """
    now = utcnow()
    for timer in timers:
        if timer.state != "pending":
            continue
        job_id = timer_job_id(timer)
        if timer.due_at <= now + timedelta(milliseconds=50):
            jobs.fire_timer.enqueue(timer.id, job_id=job_id)
        else:
            jobs.fire_timer.enqueue_at(_whole_second_after(timer.due_at), timer.id, job_id=job_id)
    for row in outbox:
        jobs.deliver.enqueue(row.id, job_id=outbox_job_id(row.id))
