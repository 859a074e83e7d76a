"""Drive the declared periodic jobs (engine/periodic.py) from each worker.

Every ``TASKLANE_SWEEP_SECONDS`` each worker writes the row of every job's latest
due occurrence (the unique key lets one write win), puts back runs whose worker
died (``running`` past the job's lease) and enqueues each pending run whose
rq job is not queued or running. The database is the truth: after Redis lost its
data the pending rows are enqueued again; the run's claim (``pending -> running``)
makes duplicate jobs harmless.
"""
from engine import periodic
from engine.types import utcnow

from . import jobs
from .queues import connection
from .sweep import job_alive


def run_job_id(run, app):
    """A new attempt of an occurrence (after its worker died) gets a new job id."""
    return f"{app.config['TASKLANE_QUEUE_PREFIX']}-periodic-{run.id}-{run.attempts}"


def schedule(app):
    """One pass. :returns: how many runs this pass enqueued"""
    declared, now = periodic.registered(app), utcnow()
    for job in declared.values():
        periodic.record_due(job, now)
        periodic.release_stuck(job, now)
    conn, enqueued = connection(app), 0
    for run in periodic.pending(declared):
        job_id = run_job_id(run, app)
        if job_alive(conn, job_id):
            continue
        jobs.run_periodic.enqueue(run.id, app=app, job_id=job_id,
                                  job_timeout=declared[run.job].timeout.total_seconds())
        enqueued += 1
    return enqueued
