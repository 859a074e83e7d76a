"""The process dashboard's figures (engine/metrics.py) on instances and tasks with fixed times.

Rows are written directly with known times; one test drives the real engine to check
that the tasks it projects are counted. Weeks are ISO weeks in Ho Chi Minh City (UTC+7).
"""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

import engine
from engine import metrics
from engine.db import db
from engine.errors import ValidationError
from engine.models import HumanTask, ProcessDefinition, ProcessInstance, ProcessVersion
from tests.engine.helpers import complete

UTC = timezone.utc
HCM = "Asia/Ho_Chi_Minh"
HOUR, MINUTE = timedelta(hours=1), timedelta(minutes=1)
# Monday 2 to Sunday 15 November 2026 in Ho Chi Minh City, as UTC instants.
START = datetime(2026, 11, 1, 17, 0, tzinfo=UTC)
END = datetime(2026, 11, 15, 17, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def local(day, hour=0, minute=0):
    """A time in Ho Chi Minh City (``day`` of November 2026, unless a date) as UTC."""
    day = day if isinstance(day, date) else date(2026, 11, day)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - 7 * HOUR


def window(key="loan", start=START, end=END, now=NOW, **extra):
    return metrics.Window(key=key, start=start, end=end, zone=HCM, now=now, **extra)


@pytest.fixture
def versions(app):
    """Two versions of ``loan`` and one of ``other``: ``{(key, version): version id}``."""
    ids = {}
    for key, count in (("loan", 2), ("other", 1)):
        definition = ProcessDefinition(key=key, name=key.title(), latest_version=count)
        db.session.add(definition)
        db.session.flush()
        for number in range(1, count + 1):
            row = ProcessVersion(definition_id=definition.id, version=number, bpmn_xml="<x/>",
                                 sha256="0" * 64, spec_json="{}", deployed_by="test")
            db.session.add(row)
            db.session.flush()
            ids[key, number] = row.id
    return ids


@pytest.fixture
def case(versions):
    """``case(started, ended=None, status=..., key="loan", version=1)``: an instance row."""
    def make(started, ended=None, status=None, key="loan", version=1):
        row = ProcessInstance(version_id=versions[key, version], definition_key=key, state="{}",
                              status=status or ("completed" if ended else "running"), started_by="test",
                              started_at=started, updated_at=ended or started, ended_at=ended)
        db.session.add(row)
        db.session.flush()
        return row
    return make


@pytest.fixture
def task(case):
    """``task(element, created, completed=None, due=None, ...)``: a human task row in a case."""
    def make(element, created, completed=None, due=None, state=None, instance=None, **extra):
        instance = instance or case(created - MINUTE)
        row = HumanTask(id=str(uuid.uuid4()), instance_id=instance.id,
                        definition_key=instance.definition_key, element_id=element, title=element.title(),
                        titles={"en": element.title(), "vi": element},
                        state=state or ("completed" if completed else "open"), created_at=created,
                        completed_at=completed, due_at=due, **extra)
        db.session.add(row)
        db.session.flush()
        return row
    return make


def test_weeks_are_iso_weeks_starting_on_monday_in_the_readers_zone(app):
    # Wednesday 4 to Tuesday 17 November: parts of three weeks.
    wide = window(start=local(4), end=local(18))
    assert wide.weeks() == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
    # 00:30 on Monday the 9th in Ho Chi Minh City is still Sunday the 8th in UTC.
    assert wide.week_of(local(9, 0, 30)) == date(2026, 11, 9)
    assert wide.week_of(local(8, 23, 59)) == date(2026, 11, 2)
    assert wide.week_end(date(2026, 11, 2)) == local(9)
    assert wide.week_end(date(2026, 11, 16)) == local(18)  # the range ends before the week
    assert window(start=START, end=START).weeks() == []


def test_instances_are_counted_per_local_week_with_those_running_at_each_weeks_end(case):
    case(local(1, 10) - 12 * 24 * HOUR)                                   # running since October
    case(local(3, 9), local(10, 9))                                       # started w1, completed w2
    case(local(9, 0, 30), local(12, 8), status="cancelled")               # Sunday in UTC, Monday here
    case(local(4, 9), local(5, 9))                                        # started and completed in w1
    case(local(14, 9))                                                    # started w2, still running
    case(local(1) - 40 * 24 * HOUR, local(1) - 35 * 24 * HOUR)            # over before the range
    case(local(4, 9), key="other")                                        # another process
    case(local(16, 0, 1))                                                 # after the range
    case(local(2, 0, 0))                                                  # at the range's start: in
    case(local(15, 23, 59), local(16, 0, 0))                              # ended at the range's end: out
    result = metrics.weekly(window())
    assert result["weeks"] == [
        {"week": date(2026, 11, 2), "started": 3, "completed": 1, "cancelled": 0, "running": 3},
        {"week": date(2026, 11, 9), "started": 3, "completed": 1, "cancelled": 1, "running": 4},
    ]
    assert result["totals"] == {"started": 6, "completed": 2, "cancelled": 1}


def test_one_version_counts_only_its_own_instances_and_tasks(case, task, versions):
    first, second = case(local(3, 9)), case(local(3, 10), version=2)
    task("check", local(3, 9), local(3, 10), instance=first)
    task("check", local(3, 10), local(3, 12), instance=second)
    only_two = window(version_id=versions["loan", 2])
    assert metrics.weekly(only_two)["totals"]["started"] == 1
    assert metrics.weekly(window())["totals"]["started"] == 2
    assert [(r["element_id"], r["count"], r["median"]) for r in metrics.waiting(only_two)] == [
        ("check", 1, 2 * HOUR)]


def test_cycle_time_is_the_median_p90_and_average_of_the_instances_completed_in_the_range(case):
    for hours in range(1, 11):  # 1 h to 10 h; the 1 h case ends exactly at the range's start
        ended = START if hours == 1 else local(10, 12)
        case(ended - hours * HOUR, ended)
    case(local(3), local(4), status="cancelled")   # a cancelled case is not a cycle
    case(local(3), END)                            # ends at the range's end: after it
    case(START - 30 * HOUR, START - MINUTE)        # ends before the range
    case(local(3))                                 # still running
    assert metrics.cycle_time(window()) == {
        "count": 10, "median": timedelta(hours=5, minutes=30), "p90": 9 * HOUR,
        "average": timedelta(hours=5, minutes=30)}


def test_waiting_time_is_per_user_task_with_late_completions_and_the_tasks_open_now(task, case):
    for minutes, due in ((10, None), (20, 30), (30, 30), (40, 30)):   # 40 min against a 30 min due: late
        created = local(5, 9)
        task("call", created, created + minutes * MINUTE, due=due and created + due * MINUTE)
    task("call", START - HOUR, START - MINUTE)                         # completed before the range
    task("call", local(5, 9), local(5, 10), state="cancelled")         # cancelled: no wait
    task("call", NOW - 3 * HOUR)                                       # open now
    task("call", NOW - HOUR)
    task("approve", local(6, 9), local(6, 10))
    task("report", NOW - 2 * HOUR)
    task("call", local(5, 9), local(5, 9, 5), instance=case(local(5, 9), key="other"))
    rows = {r["element_id"]: r for r in metrics.waiting(window())}
    assert list(rows) == ["approve", "call", "report"]  # the longest 90th percentile first
    call = rows["call"]
    assert (call["count"], call["median"], call["p90"], call["average"]) == (
        4, 25 * MINUTE, 40 * MINUTE, 25 * MINUTE)
    assert (call["late"], call["open"], call["oldest_open"]) == (1, 2, 3 * HOUR)
    assert call["titles"] == {"en": "Call", "vi": "call"}
    assert (rows["report"]["count"], rows["report"]["median"], rows["report"]["open"]) == (0, None, 1)


def test_overdue_lists_open_tasks_past_due_now_the_latest_first(task):
    slow = task("call", NOW - 5 * HOUR, due=NOW - 2 * HOUR, assignee="sales1", subject="Lan")
    task("approve", NOW - HOUR, due=NOW - 30 * MINUTE, candidate_role="manager")
    task("call", NOW - HOUR, due=NOW + MINUTE)                           # not due yet
    task("call", NOW - 5 * HOUR, NOW - HOUR, due=NOW - 2 * HOUR)         # completed (late): not open
    task("call", NOW - HOUR)                                             # no due time
    result = metrics.overdue(window())
    assert result["total"] == 2
    first, second = result["tasks"]
    assert (first["task_id"], first["instance_id"], first["assignee"], first["subject"], first["late"]) == (
        slow.id, slow.instance_id, "sales1", "Lan", 2 * HOUR)
    assert (second["element_id"], second["candidate_role"], second["late"]) == (
        "approve", "manager", 30 * MINUTE)
    assert metrics.overdue(window(), limit=1)["total"] == 2
    assert len(metrics.overdue(window(), limit=1)["tasks"]) == 1


def test_an_empty_period_has_its_weeks_with_zeros_and_no_durations(case, task):
    case(local(20, 9))
    result = metrics.dashboard(window())
    assert [w["started"] + w["completed"] + w["running"] for w in result["weekly"]["weeks"]] == [0, 0]
    assert result["cycle_time"] == {"count": 0, "median": None, "p90": None, "average": None}
    assert result["waiting"] == [] and result["overdue"] == {"total": 0, "tasks": []}
    nothing = metrics.dashboard(window(end=START))
    assert nothing["weekly"] == {"weeks": [], "totals": {"started": 0, "completed": 0, "cancelled": 0}}


def test_a_window_refuses_naive_times_and_a_range_that_ends_before_it_starts(app):
    with pytest.raises(ValidationError):
        window(start=START.replace(tzinfo=None))
    with pytest.raises(ValidationError):
        window(start=END, end=START)


def test_tasks_the_engine_projects_are_measured_under_their_process(deploy):
    deploy("two_lanes.bpmn")
    instance = engine.start("two_lanes", actor="manager", data={"name": "An", "phone": "+84901234567"})
    complete(instance.id, "call")
    now = datetime.now(UTC)
    rows = {r["element_id"]: r for r in metrics.waiting(window("two_lanes", now - HOUR, now + MINUTE, now))}
    assert rows["call"]["count"] == 1 and rows["call"]["title"] == "Call the customer"
    assert rows["report"]["open"] == 1
    assert metrics.weekly(window("two_lanes", now - HOUR, now + MINUTE, now))["totals"]["started"] == 1
    assert [key for key, _ in metrics.processes()] == ["two_lanes"]
    assert [number for _, number in metrics.versions("two_lanes")] == [1]


def test_a_window_without_a_zone_takes_the_default_places_weeks(app):
    sunday_night = local(8, 23, 30)   # Sunday 8 Nov 23:30 in Ho Chi Minh City

    def week():
        return metrics.Window(key="loan", start=START, end=END, now=NOW).week_of(sunday_night)

    assert week() == date(2026, 11, 2)
    app.config["TASKLANE_ZONE"] = "Asia/Tokyo"   # Monday 9 Nov 01:30 in Tokyo
    assert week() == date(2026, 11, 9)
