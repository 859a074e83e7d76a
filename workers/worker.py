"""``tasklane worker``: an rq worker with the scheduler, plus the sweep thread.

Jobs run in this process (rq's ``SimpleWorker``), inside the app context built
once at start: a job is a short database transaction, cheaper than the fork a
work-horse would cost. A worker killed mid-job loses only an uncommitted
transaction; the sweep re-enqueues the job.
"""
import logging
import threading

from rq import SimpleWorker

from engine.db import db

from .queues import all_queues, connection
from .sweep import sweep

log = logging.getLogger(__name__)


class AppWorker(SimpleWorker):
    """Runs each job inside the Flask app context and leaves no session behind."""

    def __init__(self, *args, app, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = app

    def perform_job(self, job, queue, *args, **kwargs):
        with self.app.app_context():
            try:
                return super().perform_job(job, queue, *args, **kwargs)
            finally:
                db.session.remove()


class Sweeper(threading.Thread):
    """Calls :func:`workers.sweep.sweep` every ``TASKLANE_SWEEP_SECONDS`` until stopped."""

    def __init__(self, app):
        super().__init__(name="tasklane-sweep", daemon=True)
        self.app = app
        self.stopped = threading.Event()

    def run(self):
        interval = self.app.config["TASKLANE_SWEEP_SECONDS"]
        while not self.stopped.is_set():
            with self.app.app_context():
                try:
                    result = sweep(self.app)
                    if result["timers"] or result["outbox"]:
                        log.info("sweep re-armed %s", result)
                except Exception:  # noqa: BLE001 - keep sweeping; the next pass retries
                    log.exception("sweep failed")
                finally:
                    db.session.remove()
            self.stopped.wait(interval)


def run(app, *, burst=False, with_scheduler=True):
    """Work the Tasklane queues until stopped (or until empty with ``burst``)."""
    sweeper = Sweeper(app)
    sweeper.start()
    try:
        worker = AppWorker(all_queues(app), connection=connection(app), app=app)
        worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="INFO")
    finally:
        sweeper.stopped.set()
