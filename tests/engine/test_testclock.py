"""The test clock hook (engine/testclock.py): waiting timers come due sooner, the engine
agrees with the row, the move is audited, and it is refused unless test hooks are on."""
from datetime import timedelta

import pytest
from rq.job import Job
from rq.registry import ScheduledJobRegistry

import engine
from engine import audit, testclock
from engine.db import db
from engine.errors import ConfigError
from engine.models import AuditEvent
from engine.types import utcnow
from tasklane import config
from workers import scheduling
from workers.queues import queue

from .helpers import audit_kinds, instance, open_tasks, pending_timers

HOUR = timedelta(hours=1)


@pytest.fixture
def settings(settings):
    """The test clock hook is on for these tests (off by default, as everywhere else)."""
    return {**settings, "TASKLANE_TEST_HOOKS": True}


def start_wait_until(due):
    return engine.start("wait_until", actor="sales1", data={"until": due.isoformat(), "owner": "sales1"})


def clock_events(instance_id):
    return db.session.query(AuditEvent).filter_by(instance_id=instance_id, kind="clock_moved").all()


def test_the_clock_does_not_move_while_test_hooks_are_off(deploy, app, monkeypatch):
    deploy("wait_until.bpmn")
    started = start_wait_until(utcnow() + HOUR)
    due = pending_timers(started.id)["wait"].due_at
    monkeypatch.setitem(app.config, "TASKLANE_TEST_HOOKS", False)
    with pytest.raises(testclock.ClockHookDisabledError, match="TASKLANE_TEST_HOOKS") as refused:
        testclock.move_clock(HOUR, instance_id=started.id)
    assert refused.value.status == 403
    assert pending_timers(started.id)["wait"].due_at == due
    assert clock_events(started.id) == []


def test_test_hooks_are_off_by_default_and_cannot_be_on_in_production(tmp_path):
    environ = {"TASKLANE_INSTANCE_DIR": str(tmp_path)}
    assert config.load(environ=environ)["TASKLANE_TEST_HOOKS"] is False
    assert config.load(environ={**environ, "TASKLANE_TEST_HOOKS": "1"})["TASKLANE_TEST_HOOKS"] is True
    with pytest.raises(ConfigError, match="cannot be on in production"):
        config.load(environ={**environ, "TASKLANE_ENV": "production", "TASKLANE_SECRET_KEY": "s",
                             "TASKLANE_TEST_HOOKS": "true"})


def test_the_clock_only_moves_forward(deploy):
    deploy("wait_until.bpmn")
    started = start_wait_until(utcnow() + HOUR)
    for delta in (timedelta(0), -HOUR, 60):
        with pytest.raises(ValueError, match="only moves forward"):
            testclock.move_clock(delta, instance_id=started.id)
    assert clock_events(started.id) == []


def test_a_time_date_timer_moved_past_its_due_time_is_fired_by_the_engine(deploy):
    deploy("wait_until.bpmn")
    started = start_wait_until(utcnow() + HOUR)
    timer = pending_timers(started.id)["wait"]
    due = timer.due_at
    assert engine.fire_timer(timer.id) == "early"

    [moved] = testclock.move_clock(HOUR, instance_id=started.id)

    assert (moved.id, moved.due_at) == (timer.id, due - HOUR)
    assert pending_timers(started.id)["wait"].due_at == due - HOUR  # committed
    assert engine.fire_timer(timer.id) == "fired"
    assert list(open_tasks(started.id)) == ["call_back"]
    [event] = clock_events(started.id)
    assert (event.actor, event.element_id, event.task_id) == ("test-clock", "wait", timer.task_id)
    assert event.details["by_seconds"] == 3600 and event.details["timer_id"] == timer.id
    assert event.details["due_before"] == due.isoformat()
    assert event.details["due_after"] == (due - HOUR).isoformat()
    kinds = audit_kinds(started.id)
    assert kinds.index("clock_moved") < kinds.index("timer_fired")
    assert audit.verify(f"instance:{started.id}") == []


def test_a_duration_timer_moved_past_its_due_time_is_fired_by_the_engine(deploy):
    deploy("timers.bpmn")
    started = engine.start("timers", actor="sales1", data={"wait": "PT2H", "deadline": "PT1H",
                                                           "reminder": "R/PT1H", "reminders": 0})
    timer = pending_timers(started.id)["wait"]
    assert engine.fire_timer(timer.id) == "early"
    testclock.move_clock(2 * HOUR + timedelta(seconds=1), instance_id=started.id)
    assert engine.fire_timer(timer.id) == "fired"
    assert list(open_tasks(started.id)) == ["work"]


def test_a_timer_moved_by_less_than_its_wait_is_still_early(deploy):
    deploy("timers.bpmn")
    started = engine.start("timers", actor="sales1", data={"wait": "PT0S", "deadline": "PT2H",
                                                           "reminder": "R/PT1H", "reminders": 0})
    before = {name: t.due_at for name, t in pending_timers(started.id).items()}
    moved = testclock.move_clock(HOUR, instance_id=started.id)
    after = pending_timers(started.id)
    assert {t.element_id for t in moved} == {"deadline", "reminder"}
    assert {name: t.due_at for name, t in after.items()} == {name: due - HOUR for name, due in before.items()}
    assert engine.fire_timer(after["reminder"].id) == "fired"  # the cycle's first hour has passed
    assert engine.fire_timer(after["deadline"].id) == "early"  # an hour to go
    assert list(open_tasks(started.id)) == ["work"]
    assert len(clock_events(started.id)) == 2


def test_timers_of_other_instances_are_left_alone(deploy):
    deploy("wait_until.bpmn")
    moved, other = start_wait_until(utcnow() + HOUR), start_wait_until(utcnow() + HOUR)
    other_timer, other_state = pending_timers(other.id)["wait"], instance(other.id).state
    other_due = other_timer.due_at
    testclock.move_clock(HOUR, instance_id=moved.id)
    assert pending_timers(other.id)["wait"].due_at == other_due
    assert instance(other.id).state == other_state
    assert engine.fire_timer(other_timer.id) == "early"
    assert clock_events(other.id) == []
    assert engine.fire_timer(pending_timers(moved.id)["wait"].id) == "fired"


def test_without_an_instance_every_pending_timer_moves(deploy):
    deploy("wait_until.bpmn")
    first, second = start_wait_until(utcnow() + HOUR), start_wait_until(utcnow() + 2 * HOUR)
    moved = testclock.move_clock(HOUR + timedelta(seconds=1))
    assert sorted(t.instance_id for t in moved) == [first.id, second.id]
    assert engine.fire_timer(pending_timers(first.id)["wait"].id) == "fired"
    assert engine.fire_timer(pending_timers(second.id)["wait"].id) == "early"


def test_the_moved_timer_is_armed_in_redis_at_its_new_due_time(deploy, redis_conn):
    deploy("wait_until.bpmn")
    started = start_wait_until(utcnow() + 2 * HOUR)
    [moved] = testclock.move_clock(HOUR, instance_id=started.id)
    job_id = scheduling.timer_job_id(moved)
    registry = ScheduledJobRegistry(queue=queue("timers"))
    assert job_id in registry.get_job_ids()
    assert Job.fetch(job_id, connection=redis_conn).args == (moved.id,)
    scheduled_at = registry.get_scheduled_time(job_id)
    assert abs((scheduled_at - moved.due_at).total_seconds()) <= 1


def test_an_open_tasks_due_time_comes_sooner_too_and_the_move_is_audited(deploy):
    deploy("two_lanes.bpmn")
    started = engine.start("two_lanes", actor="sales1")
    task = open_tasks(started.id)["call"]
    due, order = task.due_at, task.sort_key
    assert testclock.move_clock(HOUR, instance_id=started.id) == []   # no timer to move
    moved = open_tasks(started.id)["call"]
    assert moved.due_at == due - HOUR
    assert moved.sort_key < order   # the inbox orders it by the new time
    [event] = clock_events(started.id)
    assert (event.task_id, event.element_id) == (task.id, "call")
    assert event.details["task_due"] is True and event.details["due_after"] == (due - HOUR).isoformat()
    assert audit.verify(f"instance:{started.id}") == []
