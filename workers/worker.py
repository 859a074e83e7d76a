"""``tasklane worker``: an rq worker with the scheduler, plus the sweep, dispatch and
periodic-job threads.

Jobs run in this process (rq's ``SimpleWorker``), inside the app context built
once at start: a job is a short database transaction, cheaper than the fork a
work-horse would cost. A worker killed mid-job loses only an uncommitted
transaction; the sweep re-enqueues the job.
"""
import logging
import threading

from rq import SimpleWorker

from engine.db import db

from .dispatch import dispatch
from .periodic import schedule
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


class Periodic(threading.Thread):
    """Calls ``function(app)`` every ``interval`` seconds, in the app context, until stopped."""

    def __init__(self, app, function, interval, name):
        super().__init__(name=name, daemon=True)
        self.app, self.function, self.interval = app, function, interval
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            with self.app.app_context():
                try:
                    self.function(self.app)
                except Exception:  # noqa: BLE001 - keep going; the next pass retries
                    log.exception("%s failed", self.name)
                finally:
                    db.session.remove()
            self.stopped.wait(self.interval)


def run(app, *, burst=False, with_scheduler=True):
    """Work the Tasklane queues until stopped (or until empty with ``burst``)."""
    threads = [
        Periodic(app, sweep, app.config["TASKLANE_SWEEP_SECONDS"], "tasklane-sweep"),
        Periodic(app, dispatch, app.config["TASKLANE_DISPATCH_SECONDS"], "tasklane-dispatch"),
        Periodic(app, schedule, app.config["TASKLANE_SWEEP_SECONDS"], "tasklane-periodic"),
    ]
    for thread in threads:
        thread.start()
    try:
        worker = AppWorker(all_queues(app), connection=connection(app), app=app)
        # rq logs a line per job at INFO: thousands a day say nothing an operator acts on
        worker.work(burst=burst, with_scheduler=with_scheduler,
                    logging_level=app.config["TASKLANE_WORKER_LOG_LEVEL"])
    finally:
        for thread in threads:
            thread.stopped.set()
