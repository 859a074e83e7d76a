"""The manager's reports (crm/reports.py): what each one counts, per local day, with filters.

Customers, calls and orders are written directly with fixed times; the overdue
call-backs are driven through the real lead-handling diagram (timers fired by the
engine), and ``Scope.now`` moves the clock forward instead of waiting.
"""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from crm import reports
from crm.models import Customer, Interaction, Order
from engine import assignment
from engine.db import db
from engine.errors import ValidationError
from engine.models import Timer
from engine.types import utcnow
from processes.leads import entry as leads
from tests.engine.helpers import complete, fire_when_due, open_tasks, pending_timers

UTC = timezone.utc
HCM = "Asia/Ho_Chi_Minh"
# 21 and 22 November 2026 in Ho Chi Minh City (UTC+7), as UTC instants.
DAY_START = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
DAY_END = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def scope(start=DAY_START, end=DAY_END, **extra):
    zone, now = extra.pop("zone", HCM), extra.pop("now", NOW)
    return reports.Scope(start=start, end=end, zone=zone, now=now, **extra)


def customer(name, *, at, source="website", owner="sales1", status="new", kind="lead"):
    row = Customer(name=name, phone="+84901234567", source=source, owner=owner, status=status, kind=kind,
                   created_at=at, created_by="test")
    db.session.add(row)
    db.session.flush()
    return row


def call(who, at, outcome="not_reached", author="sales1", channel="call"):
    db.session.add(Interaction(customer_id=who.id, channel=channel, outcome=outcome, at=at, author=author))
    db.session.flush()


def order(who, at):
    db.session.add(Order(customer_id=who.id, product="Liệu trình", amount=Decimal("4500000"), created_at=at,
                         created_by="sales1"))
    db.session.flush()


def test_leads_are_counted_by_source_and_the_status_they_have_now_within_the_range(app):
    customer("Lan", at=DAY_START, source="facebook", status="contact", kind="contact")
    customer("Minh", at=DAY_START + 3 * MINUTE, source="facebook")
    customer("Nam", at=DAY_END - MINUTE, source="zalo", status="closed_no_need")
    customer("Before", at=DAY_START - MINUTE, source="zalo")
    customer("After", at=DAY_END, source="zalo")
    result = reports.leads_by_source_and_status(scope())
    assert result["total"] == 3
    assert [(r["source"], r["total"]) for r in result["rows"]] == [("facebook", 2), ("zalo", 1)]
    facebook, zalo = result["rows"]
    assert [facebook["counts"][s] for s in ("contact", "new", "ordered")] == [1, 1, 0]
    assert zalo["counts"]["closed_no_need"] == 1 and zalo["counts"]["new"] == 0
    assert result["statuses"][:2] == ["new", "in_consultation"]
    assert result["totals"]["new"] == 1 and sum(result["totals"].values()) == 3


def test_calls_are_counted_per_day_of_the_readers_zone_not_per_utc_day(app):
    lan = customer("Lan", at=DAY_START - timedelta(days=2))
    call(lan, DAY_START - MINUTE)                      # 20 Nov 23:59 in HCM: before the range
    call(lan, DAY_START)                               # 21 Nov 00:00 in HCM
    call(lan, datetime(2026, 11, 21, 16, 59, tzinfo=UTC), "reached")   # 21 Nov 23:59 in HCM
    call(lan, datetime(2026, 11, 21, 17, 0, tzinfo=UTC), "reached")    # 22 Nov 00:00 in HCM
    call(lan, DAY_END)                                 # 23 Nov 00:00 in HCM: after the range
    result = reports.calls_per_rep_per_day(scope())
    day1, day2 = datetime(2026, 11, 21).date(), datetime(2026, 11, 22).date()
    assert result["days"] == [day1, day2]
    assert [(r["day"], r["rep"], r["counts"], r["total"]) for r in result["rows"]] == [
        (day1, "sales1", {"reached": 1, "not_reached": 1}, 2),
        (day2, "sales1", {"reached": 1, "not_reached": 0}, 1)]
    assert result["outcomes"] == ["reached", "not_reached"] and result["total"] == 3
    in_utc = reports.calls_per_rep_per_day(scope(zone="UTC"))
    assert [(r["day"], r["total"]) for r in in_utc["rows"]] == [(day1 - timedelta(days=1), 1), (day1, 2)]


def test_calls_are_counted_per_rep_and_outcome_and_other_channels_are_not_calls(app):
    lan = customer("Lan", at=DAY_START, source="facebook")
    nam = customer("Nam", at=DAY_START, source="zalo", owner="sales2")
    at = DAY_START + timedelta(hours=3)
    call(lan, at, "reached", author="sales1")
    call(lan, at, "interested", author="sales2")       # someone else called the owner's lead
    call(nam, at, "wrong_number", author="sales2")
    call(nam, at, None, author="sales2")
    call(nam, at, None, author="sales2", channel="sms")
    result = reports.calls_per_rep_per_day(scope())
    assert result["reps"] == ["sales1", "sales2"]
    assert result["outcomes"] == ["reached", "wrong_number", "interested", "other"]
    assert result["by_rep"]["sales2"] == {"counts": {"reached": 0, "wrong_number": 1, "interested": 1,
                                                     "other": 1}, "total": 3}
    assert result["totals"] == {"reached": 1, "wrong_number": 1, "interested": 1, "other": 1}
    only_sales2 = reports.calls_per_rep_per_day(scope(owner="sales2"))
    assert only_sales2["reps"] == ["sales2"] and only_sales2["total"] == 3
    facebook = reports.calls_per_rep_per_day(scope(source="facebook"))
    assert facebook["total"] == 2 and facebook["outcomes"] == ["reached", "interested"]


def test_intake_to_first_call_gives_median_p90_average_and_who_is_still_waiting_per_owner(app):
    for n, minutes in enumerate([10, 20, 30, 40, 100]):
        lead = customer(f"Lead {n}", at=DAY_START + n * MINUTE)
        call(lead, lead.created_at - MINUTE, channel="sms")               # not a call
        call(lead, lead.created_at + minutes * MINUTE)
        call(lead, lead.created_at + (minutes + 5) * MINUTE, "reached")   # not the first
    late = customer("Late", at=DAY_END - timedelta(hours=1))
    call(late, DAY_END + timedelta(hours=1))                             # called after the range: counts
    waiting = customer("Waiting", at=DAY_START + timedelta(hours=5), owner=None)
    result = reports.intake_to_first_call(scope())
    team = result["team"]
    assert (team["leads"], team["called"], team["waiting"]) == (7, 6, 1)
    assert team["oldest_waiting"] == NOW - waiting.created_at
    sales1, unowned = result["reps"]
    assert sales1["rep"] == "sales1" and unowned["rep"] is None
    assert (sales1["leads"], sales1["called"], sales1["waiting"]) == (6, 6, 0)
    assert sales1["median"] == 35 * MINUTE              # 10, 20, 30, 40, 100, 120: between 30 and 40
    assert sales1["p90"] == 120 * MINUTE                # nearest rank: the 6th of 6
    assert sales1["average"] == 320 / 6 * MINUTE
    assert (unowned["called"], unowned["median"]) == (0, None)
    assert unowned["oldest_waiting"] == NOW - waiting.created_at


def test_the_p90_is_the_time_nine_leads_in_ten_were_called_within(app):
    for n in range(10):
        lead = customer(f"Lead {n}", at=DAY_START)
        call(lead, DAY_START + (n + 1) * MINUTE)
    team = reports.intake_to_first_call(scope())["team"]
    assert (team["median"], team["p90"], team["average"]) == (5.5 * MINUTE, 9 * MINUTE, 5.5 * MINUTE)


def test_the_funnel_counts_each_lead_at_every_stage_it_reached_until_now(app):
    customer("Never called", at=DAY_START)
    called = customer("Called", at=DAY_START, status="in_consultation")
    call(called, DAY_START + MINUTE)
    lost = customer("Contact then lost", at=DAY_START, status="closed_no_need", kind="contact")
    call(lost, DAY_START + MINUTE, "reached")
    bought = customer("Bought later", at=DAY_START, status="ordered", kind="customer")
    call(bought, DAY_START + MINUTE, "reached")
    order(bought, DAY_END + timedelta(days=3))          # after the range: still this cohort's order
    customer("Other cohort", at=DAY_END, status="ordered", kind="customer")
    result = reports.conversion_funnel(scope())
    assert result["leads"] == 4
    assert [(s["stage"], s["count"]) for s in result["stages"]] == [
        ("leads", 4), ("called", 3), ("contact", 2), ("ordered", 1)]
    assert [s["of_leads"] for s in result["stages"]] == [1.0, 0.75, 0.5, 0.25]
    assert [s["of_previous"] for s in result["stages"]] == [1.0, 0.75, pytest.approx(2 / 3), 0.5]


def test_the_owner_and_source_filters_narrow_the_lead_reports(app):
    customer("Lan", at=DAY_START, source="facebook", owner="sales1")
    customer("Nam", at=DAY_START, source="zalo", owner="sales2")
    customer("Mai", at=DAY_START, source="facebook", owner="sales2")
    assert reports.leads_by_source_and_status(scope(owner="sales2"))["total"] == 2
    assert reports.leads_by_source_and_status(scope(source="facebook"))["total"] == 2
    assert reports.leads_by_source_and_status(scope(owner="sales2", source="facebook"))["total"] == 1
    assert reports.conversion_funnel(scope(owner="sales1"))["leads"] == 1
    assert [r["rep"] for r in reports.intake_to_first_call(scope(source="zalo"))["reps"]] == ["sales2"]


def test_an_empty_range_or_one_without_data_gives_zeros_and_no_rates(app):
    customer("Lan", at=DAY_START)
    nothing_after = scope(start=DAY_END, end=DAY_END + timedelta(days=1))
    for empty in (scope(start=DAY_START, end=DAY_START), nothing_after):
        assert reports.leads_by_source_and_status(empty)["rows"] == []
        assert reports.calls_per_rep_per_day(empty)["rows"] == []
        assert reports.intake_to_first_call(empty) == {"team": {
            "leads": 0, "called": 0, "waiting": 0, "median": None, "p90": None, "average": None,
            "oldest_waiting": None}, "reps": []}
        funnel = reports.conversion_funnel(empty)
        assert funnel["leads"] == 0 and {s["of_leads"] for s in funnel["stages"]} == {None}
    assert reports.calls_per_rep_per_day(scope(start=DAY_START, end=DAY_START))["days"] == []


def test_a_range_that_ends_before_it_starts_or_naive_times_are_refused(app):
    with pytest.raises(ValidationError):
        scope(start=DAY_END, end=DAY_START)
    with pytest.raises(ValidationError):
        reports.Scope(start=DAY_START.replace(tzinfo=None), end=DAY_END)


# Overdue call-backs, through the shipped diagram.

def new_lead(name, phone, owner="sales1", source="website"):
    result = leads.create_lead({"name": name, "phone": phone, "owner": owner}, actor="manager", source=source)
    return result.customer, result.instance.id


def soon(seconds=60):
    """A moment ``seconds`` ahead; timers are fired by the test clock, so a minute costs
    nothing, and a loaded machine cannot reach it before the call is saved (at 0.3 s one
    did, and the diagram, seeing the call-back time past, set no timer)."""
    return (utcnow() + timedelta(seconds=seconds)).isoformat()


def not_reached(instance_id, callback_at, actor="sales1"):
    complete(instance_id, "call_lead", {"outcome": "not_reached", "callback_at": callback_at}, actor=actor)


def overdue(now, **filters):
    return reports.overdue_callbacks(scope(now=now, **filters))


def test_a_call_back_not_made_within_the_call_tasks_due_time_is_overdue_and_a_first_call_is_not(deployed):
    lan, lan_case = new_lead("Nguyễn Thị Lan", "0901234567")
    new_lead("Lê Văn Tùng", "0912345678")                   # never called: late, but not a call-back
    not_reached(lan_case, soon())
    timer = pending_timers(lan_case)["wait_callback"]
    assert fire_when_due(timer) == "fired"
    db.session.expire_all()
    callback_at = db.session.get(Timer, timer.id).due_at   # when it came due (the test clock moved it)
    task = open_tasks(lan_case)["call_lead"]
    assert overdue(task.due_at - MINUTE) == []              # still within its 15 minutes
    [row] = overdue(task.due_at + MINUTE)
    assert (row["name"], row["phone"], row["rep"]) == (lan.name, lan.phone, "sales1")
    assert row["step"] == "call_lead"
    assert (row["task_id"], row["instance_id"], row["customer_id"]) == (task.id, lan_case, lan.id)
    assert (row["callback_at"], row["due_at"]) == (callback_at, task.due_at)
    assert row["late"] == task.due_at + MINUTE - callback_at
    complete(lan_case, "call_lead", {"outcome": "no_need"})
    assert overdue(task.due_at + MINUTE) == []


def test_a_call_back_time_already_past_counts_from_when_the_task_came_back(deployed):
    _, case = new_lead("Nguyễn Thị Lan", "0901234567")
    not_reached(case, soon(-600))
    task = open_tasks(case)["call_lead"]
    [row] = overdue(task.due_at + MINUTE)
    assert row["callback_at"] == task.created_at and row["late"] == task.due_at + MINUTE - task.created_at


def test_a_contact_not_called_back_is_overdue_at_its_own_due_time(deployed):
    _, case = new_lead("Nguyễn Thị Lan", "0901234567")
    complete(case, "call_lead", {"outcome": "reached", "closed_now": False})
    timer = pending_timers(case)["wait_24h"]
    assert overdue(timer.due_at + 14 * MINUTE) == []        # the timer may still fire
    [stuck] = overdue(timer.due_at + 16 * MINUTE)           # it did not: the worker is not running
    assert (stuck["step"], stuck["task_id"], stuck["callback_at"]) == ("wait_24h", None, timer.due_at)
    assert stuck["due_at"] == timer.due_at + reports.STUCK_AFTER and stuck["late"] == 16 * MINUTE


def test_overdue_call_backs_go_to_whoever_holds_the_task_and_are_filtered_by_rep_and_source(deployed):
    _, lan_case = new_lead("Nguyễn Thị Lan", "0901234567", source="facebook")
    _, nam_case = new_lead("Lê Hoàng Nam", "0987654321", owner="sales2", source="zalo")
    for case in (lan_case, nam_case):
        not_reached(case, soon(-600))
    assignment.assign(open_tasks(lan_case)["call_lead"].id, "sales3", actor="boss")
    later = utcnow() + timedelta(hours=1)
    assert {r["rep"] for r in overdue(later)} == {"sales3", "sales2"}
    assert [r["instance_id"] for r in overdue(later, owner="sales3")] == [lan_case]
    assert overdue(later, owner="sales1") == []
    assert [r["instance_id"] for r in overdue(later, source="zalo")] == [nam_case]
    first, second = overdue(later)
    assert first["late"] >= second["late"]


def test_a_scope_without_a_zone_counts_the_days_of_the_leads_place(app):
    # 20 Nov 20:00 to 22:00 UTC: 21 Nov in Ho Chi Minh City, 20 and 21 Nov in Moscow
    start, end = datetime(2026, 11, 20, 20, 0, tzinfo=UTC), datetime(2026, 11, 20, 22, 0, tzinfo=UTC)
    assert reports.Scope(start=start, end=end).zone == HCM
    assert reports.Scope(start=start, end=end).days() == [datetime(2026, 11, 21).date()]
    app.config["TASKLANE_PLACES"] = {"leads": {"zone": "Europe/Moscow"}}
    assert reports.Scope(start=start, end=end).days() == [datetime(2026, 11, 20).date(),
                                                          datetime(2026, 11, 21).date()]
