"""Business calendars (issue 12): Russia's production calendar for 2025 and 2026, Vietnam's
Tết, business days and hours, and a user task due in business time through the engine."""
from dataclasses import replace
from datetime import date, datetime, time, timedelta
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


@pytest.mark.parametrize("posted, due", [
    # 2026: 1 May (Friday) is off, 9 May falls on a Saturday and moves to Monday 11 May
    ((2026, 4, 30), (2026, 5, 5)),    # Thursday: Mon 4 May, Tue 5 May
    ((2026, 5, 8), (2026, 5, 13)),    # Friday: Sat-Mon off, Tue 12, Wed 13
    # 2027: 1 May (Saturday) moves to Monday 3 May, 9 May (Sunday) to Monday 10 May
    ((2027, 4, 30), (2027, 5, 5)),    # Friday: Sat 1-Mon 3 off, Tue 4, Wed 5
    ((2027, 5, 7), (2027, 5, 12)),    # Friday: Sat 8-Mon 10 off, Tue 11, Wed 12
    # 2027: Saturday 20 February is working, its day off Monday 22, and 23 February a holiday
    ((2027, 2, 19), (2027, 2, 24)),   # Friday: Sat 20 (working), then Wed 24
])
def test_two_business_days_from_six_in_the_evening_across_the_may_holidays(posted, due):
    assert add_business_time(datetime(*posted, 18, 0, tzinfo=MSK), days=2, calendar=RU) == \
        datetime(*due, 18, 0, tzinfo=MSK)


def test_the_package_knows_the_transferred_days_the_may_examples_rely_on():
    def working(year, month, *days):
        return [is_working_day(date(year, month, d), RU) for d in days]

    assert working(2027, 2, 20, 21, 22, 23, 24) == [True, False, False, False, True]
    assert working(2027, 5, 1, 2, 3, 4) == [False, False, False, True]
    assert working(2026, 5, 8, 9, 10, 11, 12) == [True, False, False, False, True]


@pytest.mark.parametrize("start, end, hours", [
    (datetime(2025, 10, 17, 17, 0), datetime(2025, 10, 20, 10, 0), 2),    # Friday 17:00 to Monday 10:00
    (datetime(2025, 10, 18, 9, 0), datetime(2025, 10, 19, 20, 0), 0),     # a weekend
    (datetime(2025, 10, 20, 10, 0), datetime(2025, 10, 23, 12, 0), 29),   # Mon 10:00 to Thu 12:00: 8+9+9+3
    (datetime(2025, 10, 20, 7, 0), datetime(2025, 10, 20, 8, 0), 0),      # before the day starts
    (datetime(2026, 4, 30, 12, 0), datetime(2026, 5, 4, 12, 0), 9),       # 6 h on 30 April, 3 h on 4 May
    (datetime(2025, 10, 20, 12, 0), datetime(2025, 10, 20, 11, 0), 0),    # an end before its start
])
def test_working_time_between_two_moments_counts_only_working_hours(start, end, hours):
    start, end = start.replace(tzinfo=MSK), end.replace(tzinfo=MSK)
    assert calendars.working_time(start, end, calendar=RU) == timedelta(hours=hours)


def test_working_time_added_to_a_due_time_at_the_end_of_the_day_goes_on_the_next_working_morning():
    tuesday_six = datetime(2025, 10, 21, 18, 0, tzinfo=MSK)
    assert calendars.add_working_time(tuesday_six, timedelta(hours=5), calendar=RU) == \
        datetime(2025, 10, 22, 14, 0, tzinfo=MSK)
    thursday_night = datetime(2026, 4, 30, 20, 0, tzinfo=MSK)   # the evening before the May days off
    assert calendars.add_working_time(thursday_night, timedelta(minutes=1), calendar=RU) == \
        datetime(2026, 5, 4, 9, 1, tzinfo=MSK)
    assert calendars.add_working_time(thursday_night, timedelta(0), calendar=RU) == thursday_night
    with pytest.raises(CalendarError):
        calendars.add_working_time(tuesday_six, timedelta(hours=-1), calendar=RU)


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
