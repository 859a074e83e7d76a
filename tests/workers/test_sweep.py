"""The sweep re-arms from the database what Redis lost, and never doubles a live job."""
from datetime import timedelta

import pytest
from rq.job import Job, JobStatus

import engine
from engine.db import db
from engine.models import Outbox, Timer
from engine.types import utcnow
from workers import scheduling, sweep
from workers.queues import queue

from ..conftest import lose_redis_data
from ..engine.helpers import pending_timers


def _make_overdue(timer_id, seconds=30):
    row = db.session.get(Timer, timer_id)
    row.due_at = utcnow() - timedelta(seconds=seconds)
    db.session.commit()
    return row


@pytest.fixture
def waiting(app, deploy, redis_conn):
    deploy("wait.bpmn")
    started = engine.start("wait_then_call", actor="sales1", data={"wait": "PT1H", "owner": "sales1"})
    return pending_timers(started.id)["wait"]


def test_first_sweep_after_redis_lost_everything_rearms_every_pending_row(app, waiting, redis_conn):
    assert lose_redis_data(redis_conn, app.config["TASKLANE_QUEUE_PREFIX"])
    result = sweep.sweep(app)
    assert result == {"timers": 1, "outbox": 0, "rearmed_all": True}
    job = Job.fetch(scheduling.timer_job_id(db.session.get(Timer, waiting.id)), connection=redis_conn)
    assert job.get_status() == JobStatus.SCHEDULED
    assert sweep.sweep(app) == {"timers": 0, "outbox": 0, "rearmed_all": False}


def test_overdue_timer_with_a_queued_job_is_left_alone(app, waiting, redis_conn):
    sweep.sweep(app)
    timer = _make_overdue(waiting.id)
    scheduling.arm([timer], [])
    assert sweep.sweep(app)["timers"] == 0


def test_overdue_timer_without_a_job_is_enqueued_once(app, waiting, redis_conn):
    sweep.sweep(app)
    timer = _make_overdue(waiting.id)
    for key in redis_conn.keys("rq:job:*"):
        redis_conn.delete(key)
    assert sweep.sweep(app)["timers"] == 1
    assert sweep.sweep(app)["timers"] == 0  # the re-enqueued job is alive now
    assert queue("timers").count >= 1
    assert timer.state == "pending"


def test_timer_whose_job_started_long_ago_in_a_dead_worker_is_enqueued_again(app, waiting, redis_conn):
    sweep.sweep(app)
    timer = _make_overdue(waiting.id)
    scheduling.arm([timer], [])
    job = Job.fetch(scheduling.timer_job_id(timer), connection=redis_conn)
    job.set_status(JobStatus.STARTED)
    job.started_at = utcnow() - timedelta(minutes=10)
    job.save()
    assert sweep.sweep(app)["timers"] == 1


def test_unsent_outbox_row_whose_job_was_lost_is_enqueued_again(app, redis_conn):
    from engine import outbox

    sweep.sweep(app)
    row = outbox.add("in_app", "sales1", subject="hello")
    row.created_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert sweep.sweep(app)["outbox"] == 1
    assert sweep.sweep(app)["outbox"] == 0


def test_row_stuck_in_sending_goes_back_to_pending(app, redis_conn):
    from engine import outbox

    row = outbox.add("email", "an@example.test", subject="hello")
    row.state, row.created_at = "sending", utcnow() - timedelta(minutes=30)
    db.session.commit()
    sweep.sweep(app)
    db.session.expire_all()
    assert db.session.get(Outbox, row.id).state == "pending"


def test_only_one_of_several_workers_rearms_everything_after_redis_lost_its_data(app, waiting, redis_conn):
    assert lose_redis_data(redis_conn, app.config["TASKLANE_QUEUE_PREFIX"])
    prefix = app.config["TASKLANE_QUEUE_PREFIX"]
    redis_conn.set(f"{prefix}:epoch:rearming", "another worker")
    assert sweep.sweep(app) == {"timers": 0, "outbox": 0, "rearmed_all": False}
    redis_conn.delete(f"{prefix}:epoch:rearming")
    assert sweep.sweep(app)["rearmed_all"] is True


def test_job_ids_carry_the_queue_prefix_so_installations_can_share_redis(app, waiting):
    prefix = app.config["TASKLANE_QUEUE_PREFIX"]
    assert scheduling.timer_job_id(waiting).startswith(f"{prefix}-timer-{waiting.id}-")
    assert scheduling.outbox_job_id(7) == f"{prefix}-outbox-7"
