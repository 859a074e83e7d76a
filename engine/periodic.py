"""Periodic jobs as data: a cron expression in a named time zone, a function, one run per occurrence.

A platform module or a domain declares its jobs as a list of :class:`PeriodicJob`
(``PERIODIC = [...]``); the app factory collects every list with :func:`init_app`,
which refuses a name declared twice. Each occurrence of a job is a ``periodic_run``
row keyed by the job's name and the occurrence's scheduled time (unique), so
however many workers see it come due, one row is written and one run claims it
(``pending -> running`` by a conditional update). The worker drives the rows
(workers/periodic.py); this module only reads and writes them.

The contract for a job's function: ``function(scheduled_at)`` (the occurrence's
UTC time, its idempotency key) does its work in its own transactions and is
idempotent, because a run interrupted after its work committed (a killed worker)
runs again. It returns a short outcome text (or ``None``) and raises on failure.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from flask import current_app
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from .db import db
from .errors import ConfigError
from .models import PeriodicRun
from .types import utcnow

KEEP = timedelta(days=7)  # finished occurrences older than this are deleted


@dataclass(frozen=True)
class PeriodicJob:
    """One periodic job.

    :param name: unique name (its occurrences' key, shown on the status page)
    :param cron: five fields (minute hour day month weekday), or six with seconds first
    :param timezone: IANA zone the expression is read in (e.g. ``place(domain).zone``, engine/places.py)
    :param function: ``function(scheduled_at) -> outcome text or None``, idempotent
    :param timeout: a run is stopped after this long; one ``running`` half as long again
        (:attr:`lease`) was in a worker that died and runs again
    :param max_attempts: interrupted runs of one occurrence before it is marked failed
    :param title: what the status page calls it, in the reader's language (a lazy string);
        the name alone when ``None``
    :raises ConfigError: the name, expression or zone is invalid
    """

    name: str
    cron: str
    timezone: str
    function: Callable
    timeout: timedelta = timedelta(minutes=5)
    max_attempts: int = 3
    title: object = field(default=None, compare=False)

    def __post_init__(self):
        if not self.name or len(self.name) > 100:
            raise ConfigError(f"periodic job name {self.name!r} must have 1 to 100 characters")
        if len(self.cron.split()) not in (5, 6) or not croniter.is_valid(self.cron, **self._options):
            raise ConfigError(f"periodic job {self.name}: invalid cron expression {self.cron!r}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"periodic job {self.name}: unknown time zone {self.timezone!r}") from None

    @property
    def _options(self):
        # Six fields put the seconds first (Quartz, and cron-descriptor's reading).
        return {"second_at_beginning": True} if len(self.cron.split()) == 6 else {}

    @property
    def lease(self):
        # rq stops a live run at ``timeout`` (SIGALRM); the margin covers a run inside a long
        # C call, where the signal is only handled once the call returns.
        return self.timeout * 3 / 2

    def latest(self, now):
        """The latest occurrence at or before ``now`` (UTC)."""
        base = now.astimezone(ZoneInfo(self.timezone)).replace(microsecond=0) + timedelta(seconds=1)
        times = croniter(self.cron, base, **self._options)
        previous = times.get_prev(datetime)
        if previous > now:
            previous = times.get_prev(datetime)
        return previous.astimezone(timezone.utc)

    def next_after(self, now):
        """The first occurrence after ``now`` (UTC)."""
        local = now.astimezone(ZoneInfo(self.timezone))
        return croniter(self.cron, local, **self._options).get_next(datetime).astimezone(timezone.utc)


def init_app(app, jobs):
    """Register the declared ``jobs`` with ``app``.

    :raises ConfigError: two jobs share a name
    """
    registry = {}
    for job in jobs:
        if job.name in registry:
            raise ConfigError(f"periodic job {job.name!r} is declared twice")
        registry[job.name] = job
    app.extensions["tasklane_periodic"] = registry


def registered(app=None):
    """The declared jobs by name."""
    return (app or current_app).extensions.get("tasklane_periodic", {})


def record_due(job, now=None):
    """Write the row of ``job``'s latest occurrence if it has none; older missed ones are skipped.

    :returns: the new row, or ``None`` when the occurrence was already recorded
    """
    scheduled = job.latest(now or utcnow())
    if db.session.scalar(select(PeriodicRun.id).where(
            PeriodicRun.job == job.name, PeriodicRun.scheduled_at == scheduled)) is not None:
        db.session.rollback()
        return None
    row = PeriodicRun(job=job.name, scheduled_at=scheduled, state="pending", created_at=utcnow())
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # another worker wrote it first: the unique key decides
        db.session.rollback()
        return None
    db.session.execute(delete(PeriodicRun).where(
        PeriodicRun.job == job.name, PeriodicRun.finished_at < scheduled - KEEP))
    db.session.commit()
    return row


def release_stuck(job, now=None):
    """Put back to ``pending`` the runs of ``job`` still ``running`` after its lease (their
    worker died); one interrupted ``max_attempts`` times is marked failed.

    :returns: how many runs were released
    """
    since = (now or utcnow()) - job.lease
    stuck = (PeriodicRun.job == job.name, PeriodicRun.state == "running", PeriodicRun.started_at < since)
    if db.session.scalar(select(PeriodicRun.id).where(*stuck).limit(1)) is None:
        db.session.rollback()  # read first: an empty UPDATE would still take SQLite's write lock
        return 0
    db.session.execute(update(PeriodicRun).where(*stuck, PeriodicRun.attempts >= job.max_attempts)
                       .values(state="failed", finished_at=utcnow(), error="interrupted too often")
                       .execution_options(synchronize_session=False))
    released = db.session.execute(update(PeriodicRun).where(*stuck).values(state="pending")
                                  .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return released


def pending(names):
    """The pending runs of the jobs named ``names``, oldest first."""
    rows = db.session.scalars(select(PeriodicRun).where(
        PeriodicRun.state == "pending", PeriodicRun.job.in_(list(names)))
        .order_by(PeriodicRun.scheduled_at)).all()
    db.session.rollback()
    return rows


def _move(run_id, from_state, **values):
    result = db.session.execute(
        update(PeriodicRun).where(PeriodicRun.id == run_id, PeriodicRun.state == from_state)
        .values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def run(run_id, app=None):
    """Run occurrence ``run_id`` if no one else has claimed it; record its outcome.

    :returns: the outcome text, or the row's state when it was not ours to run
    :raises: whatever the job raised (the run is marked failed first; one stopped by a
        ``SystemExit`` or ``KeyboardInterrupt`` goes back to pending instead)
    """
    row = db.session.get(PeriodicRun, run_id)
    job = registered(app).get(row.job) if row is not None else None
    if row is None or job is None:
        db.session.rollback()
        return "missing"
    scheduled = row.scheduled_at
    if not _move(run_id, "pending", state="running", started_at=utcnow(), attempts=PeriodicRun.attempts + 1):
        db.session.rollback()
        return row.state
    db.session.commit()
    try:
        outcome = job.function(scheduled)
    except Exception as error:
        db.session.rollback()
        _move(run_id, "running", state="failed", finished_at=utcnow(),
              error=f"{type(error).__name__}: {error}"[:2000])
        db.session.commit()
        raise
    except BaseException:  # the worker is stopping: the occurrence runs again, not failed
        db.session.rollback()
        _move(run_id, "running", state="pending")
        db.session.commit()
        raise
    outcome = None if outcome is None else str(outcome)[:500]
    _move(run_id, "running", state="done", finished_at=utcnow(), outcome=outcome)
    db.session.commit()
    return outcome or "done"


def overview(now=None, app=None):
    """Each declared job with its latest run and its next occurrence, for the status page."""
    now = now or utcnow()
    jobs = registered(app)
    newest = (select(PeriodicRun.job, func.max(PeriodicRun.scheduled_at).label("at"))
              .where(PeriodicRun.job.in_(list(jobs))).group_by(PeriodicRun.job).subquery())
    latest = {row.job: row for row in db.session.scalars(select(PeriodicRun).join(
        newest, and_(PeriodicRun.job == newest.c.job, PeriodicRun.scheduled_at == newest.c.at)))}
    return [{"job": job, "last": latest.get(name), "next": job.next_after(now)}
            for name, job in sorted(jobs.items())]
