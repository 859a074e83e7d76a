"""Periodic jobs through real ``tasklane worker`` processes: one run per occurrence, however
many workers, a killed worker or a flushed Redis."""
import signal
from pathlib import Path

import pytest

from engine.db import db
from engine.errors import ConfigError
from engine.models import PeriodicRun
from tasklane.app import create_app

from ..conftest import ONE_BACKEND, lose_redis_data, wait_for

JOBS = "tests.workers.periodic_jobs"


@pytest.fixture
def settings(settings):
    return {**settings, "TASKLANE_PERIODIC_MODULES": JOBS}


def _lines(app, name):
    path = Path(app.config["TASKLANE_INSTANCE_DIR"]) / name
    return path.read_text().split() if path.exists() else []


def _runs(state=None):
    db.session.expire_all()
    query = db.session.query(PeriodicRun).filter_by(job="test-tick")
    rows = (query.filter_by(state=state) if state else query).order_by(PeriodicRun.scheduled_at).all()
    db.session.rollback()
    return rows


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ONE_BACKEND, indirect=True)
def test_each_occurrence_runs_once_however_many_workers_run(app, worker):
    worker()
    worker()
    done = wait_for(lambda: (rows := _runs("done")) and len(rows) >= 2 and rows, timeout=20)
    begun, ran = _lines(app, "begun"), _lines(app, "ran")
    assert len(begun) == len(set(begun)) and len(ran) == len(set(ran)), (begun, ran)
    assert {row.scheduled_at.isoformat() for row in done} <= set(ran)
    assert [row.attempts for row in done] == [1] * len(done)


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ONE_BACKEND, indirect=True)
def test_an_occurrence_cut_by_sigkill_and_flushall_completes_once_and_the_next_ones_still_run(
        app, worker, redis_conn):
    hang = Path(app.config["TASKLANE_INSTANCE_DIR"]) / "hang"
    hang.touch()
    first = worker()
    [cut] = wait_for(lambda: _lines(app, "begun"), timeout=20)
    first.kill(signal.SIGKILL)
    lose_redis_data(redis_conn, app.config["TASKLANE_QUEUE_PREFIX"])   # what a FLUSHALL loses, for this test
    hang.unlink()
    assert [row.state for row in _runs() if row.scheduled_at.isoformat() == cut] == ["running"]
    worker()
    wait_for(lambda: cut in _lines(app, "ran") and max(_lines(app, "ran")) > cut, timeout=25)
    ran = _lines(app, "ran")
    assert ran.count(cut) == 1 and len(ran) == len(set(ran)), ran
    [row] = [row for row in _runs() if row.scheduled_at.isoformat() == cut]
    assert (row.state, row.attempts, row.outcome) == ("done", 2, "ticked")


def test_a_periodic_job_declared_twice_stops_the_app_at_start(settings):
    with pytest.raises(ConfigError, match="'test-tick' is declared twice"):
        create_app({**settings, "TASKLANE_PERIODIC_MODULES": f"{JOBS}, {JOBS}"})
