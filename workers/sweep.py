"""The database is the truth: re-arm timers and outbox rows whose jobs were lost.

Runs every few seconds in each worker. If Redis lost its data (the epoch key is
gone: FLUSHALL, restart without persistence) every pending timer and outbox row is
armed again. Otherwise only rows that are overdue and whose job is not waiting in
a queue are re-enqueued (a killed worker, a scheduler that stopped moving jobs).
Running it twice, or in several workers at once, enqueues at most a duplicate job,
and jobs are idempotent.
"""
import logging
import secrets
from datetime import timedelta, timezone

from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import update

from engine.db import db
from engine.models import Outbox, Timer
from engine.types import utcnow

from . import jobs, scheduling
from .queues import connection

log = logging.getLogger(__name__)
STUCK_SENDING = timedelta(minutes=5)
BATCH = 5000
# Jobs take a database transaction's time; one "started" for longer ran in a worker
# that was killed mid-job (rq only notices when the worker's heartbeat expires).
STUCK_STARTED = timedelta(seconds=60)


def _epoch_key(app):
    return f"{app.config['TASKLANE_QUEUE_PREFIX']}:epoch"


def sweep(app):
    """One pass. :returns: ``{"timers": n, "outbox": m, "rearmed_all": bool}``"""
    conn, now = connection(app), utcnow()
    _unstick_sending(now)
    if not conn.exists(_epoch_key(app)):
        return _rearm_all(app, conn)
    since = now - timedelta(seconds=app.config["TASKLANE_TIMER_GRACE_SECONDS"])
    result = {"timers": _rearm_late_timers(app, conn, since),
              "outbox": _rearm_unsent(app, conn, since), "rearmed_all": False}
    db.session.rollback()
    if result["timers"] or result["outbox"]:
        log.info("sweep re-armed %s", result)
    return result


def _rearm_late_timers(app, conn, since):
    late = (db.session.query(Timer).filter(Timer.state == "pending", Timer.due_at < since)
            .order_by(Timer.due_at).limit(BATCH).all())
    ids = {t.id: scheduling.timer_job_id(t, app) for t in late}
    lost = _still_pending(Timer, [t for t in late if not job_alive(conn, ids[t.id])
                                  and not job_alive(conn, f"{ids[t.id]}-r")])
    for timer in lost:
        jobs.fire_timer.enqueue(timer.id, app=app, job_id=f"{ids[timer.id]}-r")
    return len(lost)


def _rearm_unsent(app, conn, since):
    waiting = (db.session.query(Outbox).filter(Outbox.state == "pending", Outbox.created_at < since)
               .limit(BATCH).all())
    lost = _still_pending(Outbox, [r for r in waiting
                                   if not job_alive(conn, scheduling.outbox_job_id(r.id, app))])
    for row in lost:
        jobs.deliver.enqueue(row.id, app=app, job_id=scheduling.outbox_job_id(row.id, app))
    return len(lost)


def _rearm_all(app, conn):
    """Arm every pending row again; one worker does it, the others skip this pass."""
    lock = f"{_epoch_key(app)}:rearming"
    if not conn.set(lock, secrets.token_hex(8), nx=True, ex=300):
        return {"timers": 0, "outbox": 0, "rearmed_all": False}
    try:
        timers = db.session.query(Timer).filter(Timer.state == "pending").all()
        rows = db.session.query(Outbox).filter(Outbox.state == "pending").all()
        scheduling.arm(timers, rows)
        conn.set(_epoch_key(app), secrets.token_hex(8))
    finally:
        conn.delete(lock)
    db.session.rollback()
    # Also every first start on a new Redis: worded as what was done, not as an alarm.
    log.info("armed %d waiting timers and %d unsent messages in Redis (its queues started empty)",
             len(timers), len(rows))
    return {"timers": len(timers), "outbox": len(rows), "rearmed_all": True}


def _still_pending(model, rows):
    """The rows that are still pending now: one fired while we were looking is not lost."""
    if not rows:
        return []
    db.session.rollback()
    pending = {row_id for (row_id,) in db.session.query(model.id).filter(
        model.id.in_([r.id for r in rows]), model.state == "pending")}
    return [r for r in rows if r.id in pending]


def job_alive(conn, job_id):
    try:
        job = Job.fetch(job_id, connection=conn)
        status = job.get_status()
    except (NoSuchJobError, InvalidJobOperation):
        return False  # gone, possibly between the two calls (result expired, Redis flushed)
    if status == JobStatus.STARTED and job.started_at is not None:
        started = job.started_at if job.started_at.tzinfo else job.started_at.replace(tzinfo=timezone.utc)
        return utcnow() - started < STUCK_STARTED
    return status in (JobStatus.QUEUED, JobStatus.STARTED)


def _unstick_sending(now):
    db.session.execute(
        update(Outbox).where(Outbox.state == "sending", Outbox.created_at < now - STUCK_SENDING)
        .values(state="pending").execution_options(synchronize_session=False))
    db.session.commit()
