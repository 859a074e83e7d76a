"""Timers and notifications through real ``tasklane worker`` processes and real Redis.

These keep real time on purpose: the point is that rq's scheduler, the dispatcher and
the sweep of a real worker fire a timer when its time comes (and once), so the test
clock does not move them; their timers are due in a few seconds.
"""
import signal

import pytest

import engine
from engine.db import db
from engine.models import AuditEvent, Notification, ProcessInstance, ProcessVersion, Timer

from ..conftest import ONE_BACKEND, lose_redis_data, wait_for
from ..engine.helpers import open_tasks, pending_timers

pytestmark = pytest.mark.slow


def _fired(timer_id):
    db.session.expire_all()
    row = db.session.get(Timer, timer_id)
    return row if row.state == "fired" else None


def _timer_events(instance_id):
    return db.session.query(AuditEvent).filter_by(instance_id=instance_id, kind="timer_fired").count()


def _bells(username):
    db.session.expire_all()
    return db.session.query(Notification).filter_by(username=username).all()


@pytest.mark.embedded
def test_timer_due_in_two_seconds_fires_through_a_real_worker(deploy, worker):
    deploy("wait.bpmn")
    process = worker()
    started = engine.start("wait_then_call", actor="sales1", data={"wait": "PT2S", "owner": "sales1"})
    timer = pending_timers(started.id)["wait"]
    fired = wait_for(lambda: _fired(timer.id), timeout=30)
    lateness = (fired.fired_at - fired.due_at).total_seconds()
    assert 0 <= lateness < 5, lateness
    assert list(open_tasks(started.id)) == ["call_back"]
    bells = wait_for(lambda: _bells("sales1"), timeout=20)
    assert [b.title for b in bells] == ["Call back now"]
    assert _timer_events(started.id) == 1
    # quiet by default (TASKLANE_WORKER_LOG_LEVEL): no line per job for the timer and the bell
    assert "Job OK" not in process.output() and "Successfully completed" not in process.output()


@pytest.mark.embedded
def test_timer_survives_redis_losing_its_data_and_a_killed_worker_and_fires_once(app, deploy, worker,
                                                                                 redis_conn):
    deploy("wait.bpmn")
    first = worker()
    started = engine.start("wait_then_call", actor="sales1", data={"wait": "PT4S", "owner": "sales1"})
    timer = pending_timers(started.id)["wait"]
    wait_for(lambda: any(b"scheduled" in key for key in redis_conn.keys("rq:*")), timeout=10)
    first.kill(signal.SIGKILL)
    assert lose_redis_data(redis_conn, app.config["TASKLANE_QUEUE_PREFIX"])
    assert _fired(timer.id) is None
    worker()
    worker()  # two sweepers racing to re-arm the same timer
    wait_for(lambda: _fired(timer.id), timeout=40)
    wait_for(lambda: _bells("sales1"), timeout=20)
    assert _timer_events(started.id) == 1
    assert len(_bells("sales1")) == 1
    assert list(open_tasks(started.id)) == ["call_back"]


def test_overdue_timer_whose_job_was_lost_is_fired_by_the_sweep(deploy, worker, redis_conn):
    deploy("wait.bpmn")
    started = engine.start("wait_then_call", actor="sales1", data={"wait": "PT1S", "owner": "sales2"})
    timer = pending_timers(started.id)["wait"]
    for key in redis_conn.keys("rq:*"):
        if b"epoch" not in key:
            redis_conn.delete(key)  # the job is gone, Redis itself was not flushed
    worker()
    wait_for(lambda: _fired(timer.id), timeout=40)
    assert _timer_events(started.id) == 1


def test_timer_start_cycle_starts_instances_through_the_worker(deploy, worker):
    deploy("timer_start.bpmn")
    worker()

    def three_completed():
        db.session.expire_all()
        return db.session.query(ProcessInstance).filter_by(status="completed").count() == 3

    wait_for(three_completed, timeout=40)
    assert pending_timers() == {}


@pytest.mark.embedded
def test_embedded_redis_is_shared_by_the_app_and_the_worker(tmp_path, database_url):
    from tasklane.app import create_app
    from workers import embedded
    from workers.queues import connection

    from ..conftest import WorkerProcess, deploy_file

    instance_dir = tmp_path / "instance"
    settings = {"TASKLANE_ENV": "testing", "TASKLANE_INSTANCE_DIR": str(instance_dir),
                "TASKLANE_DATABASE_URL": database_url, "TASKLANE_REDIS_URL": "",
                "TASKLANE_QUEUE_PREFIX": "embedded", "TASKLANE_SECRET_KEY": "test",
                "TASKLANE_SWEEP_SECONDS": 0.5, "TASKLANE_TIMER_GRACE_SECONDS": 1.0}
    app = create_app(settings)
    process = None
    try:
        with app.app_context():
            db.create_all()
            deploy_file("wait.bpmn", roles={"sales"})
            started = engine.start("wait_then_call", actor="sales1", data={"wait": "PT2S", "owner": "sales1"})
            assert connection().connection_pool.connection_kwargs["path"] == str(
                embedded.paths(instance_dir)[1])
            process = WorkerProcess(settings, tmp_path / "worker.log").start()
            timer = pending_timers(started.id)["wait"]
            wait_for(lambda: _fired(timer.id), timeout=40)
            assert list(open_tasks(started.id)) == ["call_back"]
            db.session.remove()
            db.engine.dispose()
    finally:
        if process:
            process.kill(signal.SIGTERM)
        embedded.stop(instance_dir)


@pytest.mark.parametrize("database_url", ONE_BACKEND, indirect=True)
def test_a_timer_whose_script_raises_system_exit_is_parked_with_one_incident(deploy, worker):
    # A diagram deployed before scripts were refused SystemExit: its script is written
    # into the stored spec, which the worker loads.
    version = deploy("wait.bpmn")
    started = engine.start("wait_then_call", actor="sales1", data={"wait": "PT1S", "owner": "sales1"})
    timer = pending_timers(started.id)["wait"]
    script = 'notify(owner, \\"Call back now\\", \\"The call-back time has come\\")'
    stored = db.session.get(ProcessVersion, version.id)
    assert stored.spec_json.count(script) == 1
    stored.spec_json = stored.spec_json.replace(script, "raise SystemExit")
    db.session.commit()
    process = worker()

    def parked():
        db.session.expire_all()
        return db.session.get(Timer, timer.id).state == "failed"

    def incidents():
        return db.session.query(AuditEvent).filter_by(instance_id=started.id, kind="incident").all()

    try:
        wait_for(parked, timeout=30)
        with pytest.raises(AssertionError):   # the sweep (every 0.5 s) does not fire it again
            wait_for(lambda: len(incidents()) > 1, timeout=1.5)
    finally:
        process.kill()   # SIGKILL: nothing of this worker's is left to finish
    assert [(e.element_id, e.actor, e.details["timer_id"]) for e in incidents()] == [
        ("ring", "system", timer.id)]
    assert "SystemExit" in db.session.get(ProcessInstance, started.id).error
    assert _timer_events(started.id) == 0 and list(open_tasks(started.id)) == []
