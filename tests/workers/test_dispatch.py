"""Due timer jobs are moved onto the queue by the dispatcher, once, on time.

Real time here (at most 3 s a test): the test clock arms a timer moved to now as a job
already queued, so the dispatcher would have nothing left to release.
"""
import time

from rq.job import Job, JobStatus

import engine
from workers import dispatch, scheduling

from ..conftest import lose_redis_data
from ..engine.helpers import pending_timers


def test_dispatcher_releases_a_due_timer_job_once_and_not_before_it_is_due(app, deploy, redis_conn):
    # A loaded machine may take seconds between the start and the dispatch: the grace (past
    # which a timer is the sweep's, tested below) must not decide this test.
    app.config["TASKLANE_TIMER_GRACE_SECONDS"] = 60
    deploy("wait.bpmn")
    started = engine.start("wait_then_call", actor="sales1", data={"wait": "PT3S", "owner": "sales1"})
    timer = pending_timers(started.id)["wait"]
    job_id = scheduling.timer_job_id(timer)
    assert Job.fetch(job_id, connection=redis_conn).get_status() == JobStatus.SCHEDULED
    assert dispatch.dispatch(app) == 0
    time.sleep(max(0.0, timer.due_at.timestamp() - time.time()) + 0.05)
    assert dispatch.dispatch(app) == 1
    assert Job.fetch(job_id, connection=redis_conn).get_status() == JobStatus.QUEUED
    assert dispatch.dispatch(app) == 0  # claimed once: a second dispatcher finds nothing to move


def test_dispatcher_leaves_timers_that_are_not_scheduled_in_redis_to_the_sweep(app, deploy, redis_conn):
    deploy("wait.bpmn")
    started = engine.start("wait_then_call", actor="sales1", data={"wait": "PT0.2S", "owner": "sales1"})
    timer = pending_timers(started.id)["wait"]
    assert lose_redis_data(redis_conn, app.config["TASKLANE_QUEUE_PREFIX"])
    time.sleep(max(0.0, timer.due_at.timestamp() - time.time()) + 0.05)
    assert dispatch.dispatch(app) == 0
