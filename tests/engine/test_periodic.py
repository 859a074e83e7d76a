"""Periodic jobs: occurrences in the job's own zone, one row per occurrence, the latest missed
one only, outcomes recorded, and the deadline scan declared as one."""
from datetime import datetime, timedelta, timezone

import pytest

from engine import deadlines, periodic
from engine.db import db
from engine.errors import ConfigError
from engine.models import Outbox, PeriodicRun

from .test_deadlines import task

UTC = timezone.utc


def hourly(scheduled_at):
    return f"ran {scheduled_at:%H:%M}"


def broken(scheduled_at):
    raise RuntimeError("the report server is down")


def stopped(scheduled_at):
    raise SystemExit(1)  # the worker is shutting down mid-run


HOURLY = periodic.PeriodicJob("hourly", "0 * * * *", "Asia/Ho_Chi_Minh", hourly)


def test_a_weekly_job_comes_due_at_its_hour_in_its_own_time_zone():
    job = periodic.PeriodicJob("weekly", "0 8 * * 1", "Asia/Ho_Chi_Minh", hourly)
    wednesday = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)
    assert job.latest(wednesday) == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 08:00 in Hanoi
    assert job.next_after(wednesday) == datetime(2026, 12, 14, 1, 0, tzinfo=UTC)
    assert job.latest(datetime(2026, 12, 14, 1, 0, tzinfo=UTC)) == datetime(2026, 12, 14, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("cron, zone", [
    ("61 * * * *", "UTC"), ("* * *", "UTC"), ("* * * * *", "Mars/Olympus")])
def test_a_job_with_an_invalid_expression_or_zone_is_refused_when_declared(cron, zone):
    with pytest.raises(ConfigError):
        periodic.PeriodicJob("bad", cron, zone, hourly)


def test_after_downtime_only_the_latest_missed_occurrence_is_recorded(app):
    first = periodic.record_due(HOURLY, datetime(2026, 12, 7, 3, 30, tzinfo=UTC))
    assert periodic.record_due(HOURLY, datetime(2026, 12, 7, 3, 40, tzinfo=UTC)) is None
    periodic.record_due(HOURLY, datetime(2026, 12, 7, 6, 20, tzinfo=UTC))  # 04:00 and 05:00 were missed
    rows = db.session.query(PeriodicRun).order_by(PeriodicRun.scheduled_at)
    times = [row.scheduled_at.hour for row in rows]
    assert first.scheduled_at == datetime(2026, 12, 7, 3, 0, tzinfo=UTC) and times == [3, 6]


def test_an_occurrence_runs_once_a_failure_is_recorded_and_a_run_whose_worker_died_runs_again(app):
    periodic.init_app(app, [HOURLY, periodic.PeriodicJob("broken", "0 * * * *", "UTC", broken),
                            periodic.PeriodicJob("stopped", "0 * * * *", "UTC", stopped)])
    now = datetime(2026, 12, 7, 3, 30, tzinfo=UTC)
    declared = periodic.registered()
    ok, bad, cut = (periodic.record_due(declared[name], now) for name in ("hourly", "broken", "stopped"))
    assert periodic.run(ok.id) == "ran 03:00"
    assert periodic.run(ok.id) == "done"  # a second job for the same occurrence does nothing
    with pytest.raises(RuntimeError):
        periodic.run(bad.id)
    with pytest.raises(SystemExit):
        periodic.run(cut.id)
    db.session.expire_all()
    assert db.session.get(PeriodicRun, cut.id).state == "pending"  # runs again, not failed
    assert (db.session.get(PeriodicRun, bad.id).state, db.session.get(PeriodicRun, bad.id).error) == (
        "failed", "RuntimeError: the report server is down")
    assert [row["last"].state for row in periodic.overview(now)] == ["failed", "done", "pending"]

    stale = datetime.now(UTC) - HOURLY.lease - timedelta(seconds=1)
    for attempts, state in ((1, "pending"), (HOURLY.max_attempts, "failed")):
        db.session.query(PeriodicRun).filter_by(id=ok.id).update(
            {"state": "running", "started_at": stale, "attempts": attempts})
        db.session.commit()
        periodic.release_stuck(HOURLY)
        db.session.expire_all()
        assert db.session.get(PeriodicRun, ok.id).state == state


def test_the_deadline_scan_is_a_periodic_job_that_warns_once_per_task(app, redis_conn):
    task(app, due_in=timedelta(minutes=30))
    job = periodic.registered()["deadline-warnings"]
    assert job is deadlines.PERIODIC[0] and job.cron == "* * * * *"
    row = periodic.record_due(job)
    assert periodic.run(row.id) == "1 warned"
    later = periodic.record_due(job, row.scheduled_at + timedelta(minutes=1))
    assert periodic.run(later.id) == "0 warned"
    assert db.session.query(Outbox).filter_by(kind="deadline_near").count() == 1
