"""Business calendars (issue 12): Russia's production calendar for 2025 and 2026, Vietnam's
Tết, business days and hours, and a user task due in business time through the engine."""
from dataclasses import replace
from datetime import date, datetime, time
from html import escape
from zoneinfo import ZoneInfo

import pytest

import engine
from engine import calendars
from engine.calendars import CalendarError, add_business_time, definitions, is_working_day
from engine.db import db
from engine.models import HumanTask, Timer
from processes.common import business_time
from tasklane.config import CALENDARS
from tests.engine.test_checks import task_diagram, timer_diagram

RU, VN = definitions(CALENDARS)["RU"], definitions(CALENDARS)["VN"]
MSK, HCM = ZoneInfo("Europe/Moscow"), ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize("day, working", [
    (date(2025, 11, 1), True),     # a working Saturday (transferred to Monday 3 Nov)
    (date(2025, 11, 3), False),    # the day off it was transferred to
    (date(2025, 11, 4), False),    # Unity Day
    (date(2025, 12, 31), False),   # transferred from 5 Jan 2025
    (date(2026, 1, 8), False),     # New Year holidays
    (date(2026, 1, 9), False),     # transferred from Saturday 3 Jan
    (date(2026, 1, 12), True),
    (date(2026, 3, 9), False),     # Women's Day falls on a Sunday
    (date(2026, 5, 11), False),    # Victory Day falls on a Saturday
    (date(2026, 12, 31), False),   # transferred from Sunday 4 Jan
    (date(2026, 12, 30), True),
])
def test_russias_production_calendar_for_2025_and_2026(day, working):
    assert is_working_day(day, RU) is working


@pytest.mark.parametrize("day", [date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 20)])
def test_vietnams_tet_2026_is_not_working(day):
    assert not is_working_day(day, VN)


def test_a_business_day_from_before_tet_lands_after_it():
    eve = datetime(2026, 2, 13, 10, 0, tzinfo=HCM)   # Friday before Tết
    assert add_business_time(eve, days=1, calendar=VN) == datetime(2026, 2, 23, 10, 0, tzinfo=HCM)


def test_a_deal_posted_friday_at_six_is_due_tuesday_at_six():
    friday = datetime(2025, 10, 17, 18, 0, tzinfo=MSK)
    assert add_business_time(friday, days=2, calendar=RU) == datetime(2025, 10, 21, 18, 0, tzinfo=MSK)


def test_a_holiday_moves_the_due_day_and_a_working_saturday_counts():
    # Thursday 30 Oct 2025 + 2: Friday 31, Saturday 1 Nov (working); Mon 3 and Tue 4 are off
    thursday = datetime(2025, 10, 30, 18, 0, tzinfo=MSK)
    assert add_business_time(thursday, days=2, calendar=RU) == datetime(2025, 11, 1, 18, 0, tzinfo=MSK)
    assert add_business_time(thursday, days=3, calendar=RU) == datetime(2025, 11, 5, 18, 0, tzinfo=MSK)


def test_the_new_year_holidays_of_2026_are_skipped():
    last = datetime(2025, 12, 30, 12, 0, tzinfo=MSK)
    assert add_business_time(last, days=1, calendar=RU) == datetime(2026, 1, 12, 12, 0, tzinfo=MSK)


def test_business_hours_carry_across_a_weekend():
    friday = datetime(2025, 10, 17, 16, 0, tzinfo=MSK)   # 2 h left on Friday (to 18:00)
    assert add_business_time(friday, hours=4, calendar=RU) == datetime(2025, 10, 20, 11, 0, tzinfo=MSK)


def test_business_hours_from_outside_working_hours_start_at_the_next_opening():
    evening = datetime(2025, 10, 17, 20, 0, tzinfo=MSK)
    assert add_business_time(evening, hours=1, calendar=RU) == datetime(2025, 10, 20, 10, 0, tzinfo=MSK)
    early = datetime(2025, 10, 20, 6, 0, tzinfo=MSK)
    assert add_business_time(early, hours=9, calendar=RU) == datetime(2025, 10, 20, 18, 0, tzinfo=MSK)


def test_a_utc_moment_is_read_in_the_calendars_zone():
    friday_utc = datetime(2025, 10, 17, 15, 0)   # naive: UTC, 18:00 in Moscow
    due = add_business_time(friday_utc, days=2, calendar=RU)
    assert due == datetime(2025, 10, 21, 18, 0, tzinfo=MSK)


def test_an_exception_overrides_the_package():
    moved = replace(RU, exceptions=((date(2026, 12, 31), True), (date(2026, 12, 30), False)))
    assert is_working_day(date(2026, 12, 31), moved) and not is_working_day(date(2026, 12, 30), moved)
    tuesday = datetime(2026, 12, 29, 9, 0, tzinfo=MSK)
    assert add_business_time(tuesday, days=1, calendar=moved) == datetime(2026, 12, 31, 9, 0, tzinfo=MSK)
    assert replace(VN, work_start=time(9)).work_start == time(9)


@pytest.mark.parametrize("kwargs", [{"days": -1}, {"days": 1.5}, {"hours": "many"}, {"days": 10**6}])
def test_a_bad_count_is_refused(kwargs):
    with pytest.raises(CalendarError):
        add_business_time(datetime(2026, 1, 1), calendar=RU, **kwargs)


def user_task(props):
    return task_diagram("".join(f'<spiffworkflow:property name="{k}" value="{escape(v)}" />'
                                for k, v in props.items()))


def test_a_user_task_due_in_business_days_gets_its_due_time_through_the_engine(app):
    engine.deploy(user_task({"dueInBusinessDays": "2", "businessCalendar": "RU"}), actor="t", name="c.bpmn")
    engine.start("checked", actor="t")
    row = db.session.query(HumanTask).one()
    expected = add_business_time(row.created_at, days=2, calendar="RU")
    assert row.due_at == expected
    local = row.due_at.astimezone(MSK)
    assert local.time() == row.created_at.astimezone(MSK).time().replace(tzinfo=None)
    assert is_working_day(local.date(), "RU") and local.date() > row.created_at.astimezone(MSK).date()


def test_a_timer_can_wait_for_business_time(app):
    xml = timer_diagram("timeDate", 'business_time(hours=3, calendar="VN")')
    engine.deploy(xml, actor="t", name="t.bpmn")
    engine.start("checked", actor="t")
    timer = db.session.query(Timer).one()
    opened = timer.created_at
    assert timer.due_at > opened
    assert calendars.is_working_day(timer.due_at.astimezone(HCM).date(), "VN")
    friday = "2025-10-17T18:00:00+03:00"
    assert business_time(days=2, calendar="ru", start=friday) == "2025-10-21T18:00:00+03:00"


BAD_DUES = [
    ({"dueInBusinessDays": "-2"}, "dueInBusinessDays"),
    ({"dueInBusinessDays": "1.5"}, "dueInBusinessDays"),
    ({"dueInBusinessHours": "'soon'"}, "dueInBusinessHours"),
    ({"dueInBusinessDays": "2", "businessCalendar": "XX"}, "businessCalendar"),
    ({"dueInBusinessDays": "2", "dueIn": '"PT1H"'}, "dueIn and"),
]


def errors(props):
    return [p for p in engine.validate(user_task(props), name="c.bpmn") if p["severity"] == "error"]


def test_a_bad_business_due_is_refused_with_the_element_named(app):
    for props, fragment in BAD_DUES:
        found = errors(props)
        assert [p["element"] for p in found] == ["ask"], props
        assert fragment in found[0]["message"]
    assert errors({"dueInBusinessHours": "4.5", "businessCalendar": "vn"}) == []
