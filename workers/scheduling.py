"""Enqueue rq jobs for timers and outbox rows once their transaction has committed."""
from datetime import timedelta

from engine.types import utcnow

from . import jobs
from .queues import queue


def timer_job_id(timer):
    return timer_job_id_for(timer.id, timer.due_at)


def timer_job_id_for(timer_id, due_at):
    """The job id of a timer row: a new due time means a new job."""
    return f"timer-{timer_id}-{int(due_at.timestamp() * 1000)}"


def arm(timers, outbox):
    """Schedule a job per timer (at its due time) and per outbox row (now).

    Job ids are derived from the rows, so arming the same row twice replaces the job.
    """
    timer_queue, outbox_queue = queue("timers"), queue("notifications")
    now = utcnow()
    for timer in timers:
        if timer.state != "pending":
            continue
        kwargs = {"job_id": timer_job_id(timer), "result_ttl": 600, "failure_ttl": 7 * 86400}
        if timer.due_at <= now + timedelta(milliseconds=50):
            timer_queue.enqueue(jobs.fire_timer, timer.id, **kwargs)
        else:
            timer_queue.enqueue_at(timer.due_at, jobs.fire_timer, timer.id, **kwargs)
    for row in outbox:
        outbox_queue.enqueue(jobs.deliver, row.id, job_id=f"outbox-{row.id}", result_ttl=600,
                             failure_ttl=7 * 86400)
