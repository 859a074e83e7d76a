"""The database is the truth: re-arm timers and outbox rows whose jobs were lost.

Runs every few seconds in each worker. If Redis lost its data (the epoch key is
gone: FLUSHALL, restart without persistence) every pending timer and outbox row is
armed again. Otherwise only rows that are overdue and whose job is not waiting in
a queue are re-enqueued (a killed worker, a scheduler that stopped moving jobs).
Running it twice, or in several workers at once, enqueues at most a duplicate job,
and jobs are idempotent.
"""
import secrets
from datetime import timedelta, timezone

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import update

from engine.db import db
from engine.models import Outbox, Timer
from engine.types import utcnow

from . import jobs, scheduling
from .queues import connection, queue

STUCK_SENDING = timedelta(minutes=5)
# Jobs take a database transaction's time; one "started" for longer ran in a worker
# that was killed mid-job (rq only notices when the worker's heartbeat expires).
STUCK_STARTED = timedelta(seconds=60)


def _epoch_key(app):
    return f"{app.config['TASKLANE_QUEUE_PREFIX']}:epoch"


def sweep(app):
    """One pass. :returns: ``{"timers": n, "outbox": m, "rearmed_all": bool}``"""
    conn, now = connection(app), utcnow()
    grace = timedelta(seconds=app.config["TASKLANE_TIMER_GRACE_SECONDS"])
    _unstick_sending(now)
    if not conn.exists(_epoch_key(app)):
        timers = db.session.query(Timer).filter(Timer.state == "pending").all()
        rows = db.session.query(Outbox).filter(Outbox.state == "pending").all()
        scheduling.arm(timers, rows)
        conn.set(_epoch_key(app), secrets.token_hex(8))
        return {"timers": len(timers), "outbox": len(rows), "rearmed_all": True}
    late = (db.session.query(Timer).filter(Timer.state == "pending", Timer.due_at < now - grace)
            .order_by(Timer.due_at).limit(5000).all())
    lost_timers = [t for t in late if not _job_alive(conn, scheduling.timer_job_id(t))
                   and not _job_alive(conn, f"{scheduling.timer_job_id(t)}-r")]
    for timer in lost_timers:
        queue("timers", app).enqueue(jobs.fire_timer, timer.id, job_id=f"{scheduling.timer_job_id(timer)}-r",
                                     result_ttl=600, failure_ttl=7 * 86400)
    waiting = (db.session.query(Outbox).filter(Outbox.state == "pending", Outbox.created_at < now - grace)
               .limit(5000).all())
    lost_rows = [r for r in waiting if not _job_alive(conn, f"outbox-{r.id}")]
    for row in lost_rows:
        queue("notifications", app).enqueue(jobs.deliver, row.id, job_id=f"outbox-{row.id}",
                                            result_ttl=600, failure_ttl=7 * 86400)
    db.session.rollback()
    return {"timers": len(lost_timers), "outbox": len(lost_rows), "rearmed_all": False}


def _job_alive(conn, job_id):
    try:
        job = Job.fetch(job_id, connection=conn)
    except NoSuchJobError:
        return False
    status = job.get_status()
    if status == JobStatus.STARTED and job.started_at is not None:
        started = job.started_at if job.started_at.tzinfo else job.started_at.replace(tzinfo=timezone.utc)
        return utcnow() - started < STUCK_STARTED
    return status in (JobStatus.QUEUED, JobStatus.STARTED)


def _unstick_sending(now):
    db.session.execute(
        update(Outbox).where(Outbox.state == "sending", Outbox.created_at < now - STUCK_SENDING)
        .values(state="pending").execution_options(synchronize_session=False))
    db.session.commit()
