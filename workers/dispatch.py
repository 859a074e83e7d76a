"""Release due timer jobs on time, to the tenth of a second.

rq's scheduler stores due times as whole seconds and moves due jobs once a second,
so on its own a timer fires up to a second late. Each worker also runs this
dispatcher: every ``TASKLANE_DISPATCH_SECONDS`` it reads the timers that have come
due from the database (``ix_timer_pending_due``) and moves their jobs from rq's
scheduled registry onto the queue itself. Removing the job id from the registry
(ZREM) is the claim: of several dispatchers and rq's scheduler, only the one whose
ZREM removed it enqueues the job.
"""
from datetime import timedelta

from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from engine.db import db
from engine.models import Timer
from engine.types import utcnow

from . import jobs, scheduling
from .queues import connection

LOOKAHEAD = timedelta(milliseconds=20)
BATCH = 1000


def dispatch(app):
    """Move the jobs of timers due now from the scheduled registry to the queue.

    :returns: how many jobs this call enqueued
    """
    now = utcnow()
    grace = timedelta(seconds=app.config["TASKLANE_TIMER_GRACE_SECONDS"])
    due = (db.session.query(Timer.id, Timer.due_at)
           .filter(Timer.state == "pending", Timer.due_at <= now + LOOKAHEAD, Timer.due_at > now - grace)
           .order_by(Timer.due_at).limit(BATCH).all())
    db.session.rollback()
    if not due:
        return 0
    timers = jobs.fire_timer.queue(app)
    registry = ScheduledJobRegistry(queue=timers)
    conn = connection(app)
    moved = 0
    for timer_id, due_at in due:
        job_id = scheduling.timer_job_id_for(timer_id, due_at, app)
        if not conn.zrem(registry.key, job_id):
            continue  # not scheduled (already queued, run, or claimed by someone else)
        try:
            timers.enqueue_job(Job.fetch(job_id, connection=conn))
        except NoSuchJobError:
            continue  # the sweep re-arms a timer whose job vanished
        moved += 1
    return moved
