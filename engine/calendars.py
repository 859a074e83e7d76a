"""Business calendars shared by every domain: working days and hours, and business time.

A calendar (``VN``, ``RU``) is a country of the ``holidays`` package (its public holidays,
and for Russia the government's transferred days: a Saturday made working, a weekday made
a day off), a time zone, the working hours, and the exceptions an admin set for a day the
government moved after the package was released. The rules, with examples, are in
docs/calendars.md.
"""
import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from flask import current_app

from .calendar_models import BusinessCalendar, CalendarException
from .db import db

SETTING = "TASKLANE_BUSINESS_CALENDAR"
MAX_DAYS = 3650       # a count of business days larger than ten years is a mistake
SEARCH_DAYS = 370     # a calendar with no working day in a year is a mistake too


@dataclass(frozen=True)
class Calendar:
    name: str
    country: str
    zone: str
    work_start: time
    work_end: time
    exceptions: tuple = ()   # ((date, working), ...)

    @property
    def tz(self):
        return ZoneInfo(self.zone)


CALENDARS_SETTING = "TASKLANE_CALENDARS"


def definitions(settings):
    """``{name: Calendar}`` of the calendars setting (``TASKLANE_CALENDARS`` as
    tasklane/config.py parsed it: ``{name: {country, zone, hours: [start, end]}}``), with the
    hours they ship with and no exceptions."""
    return {name: Calendar(name, spec["country"], spec["zone"],
                           *(time.fromisoformat(hour) for hour in spec["hours"]))
            for name, spec in settings.items()}


def built_in():
    """The configured calendars as shipped (:func:`get` adds the admin's hours and exceptions)."""
    return definitions(current_app.config[CALENDARS_SETTING])


class CalendarError(ValueError):
    """An unknown calendar, or a count of business time that cannot be added."""


def names():
    return tuple(current_app.config[CALENDARS_SETTING])


def default_name():
    """The calendar a task or helper uses when it names none (setting ``TASKLANE_BUSINESS_CALENDAR``)."""
    return current_app.config[SETTING]


def get(name=None):
    """The calendar ``name`` (the default when ``None``) with its hours and exceptions as stored.

    :raises CalendarError: no calendar of that name
    """
    name = name or default_name()
    base = built_in().get(str(name).upper())
    if base is None:
        raise CalendarError(f"unknown business calendar {name!r}; known: {', '.join(names())}")
    row = db.session.get(BusinessCalendar, base.name)
    start, end = (row.work_start, row.work_end) if row else (base.work_start, base.work_end)
    exceptions = tuple(db.session.query(CalendarException.day, CalendarException.working)
                       .filter_by(calendar=base.name).all())
    return Calendar(base.name, base.country, base.zone, start, end, tuple(map(tuple, exceptions)))


@lru_cache(maxsize=64)
def _package_days(country, year):
    """The package's holidays and its weekend working days (transferred) of one year."""
    found = holidays.country_holidays(country, years=year)
    return found, frozenset(found.weekend_workdays)


def is_working_day(day, calendar):
    """Whether ``day`` is a working day in ``calendar`` (a name or a :class:`Calendar`).

    An exception decides first; then a holiday or a transferred day off of the package is
    not working, a Saturday the package makes working is, and otherwise Monday to Friday are.
    """
    calendar = _calendar(calendar)
    for when, working in calendar.exceptions:
        if when == day:
            return bool(working)
    found, weekend_workdays = _package_days(calendar.country, day.year)
    if day in weekend_workdays:
        return True
    return day.weekday() < 5 and day not in found


@lru_cache(maxsize=64)
def _holiday_names(country, year, language):
    return dict(holidays.country_holidays(country, years=year, language=language))


def special_days(start, end, calendar, language="en"):
    """The days from ``start`` to ``end`` (inclusive) that are not what their weekday says:
    the package's holidays and transferred days, and the calendar's exceptions, which win.

    :param language: the reader's (``vi``, ``en``, ``ru``); holiday names in it where the
        package has it, else in the country's own (a Vietnamese holiday on a Russian page
        keeps its Vietnamese name, as a proper name; never an English one)
    :returns: ``[{"day", "name", "working", "exception"}]`` by day
    """
    calendar = _calendar(calendar)
    package = holidays.country_holidays(calendar.country)
    english = "en_US" if language == "en" else None
    language = next(name for name in (language, english, package.default_language)
                    if name in package.supported_languages)
    found = {}
    for year in range(start.year, end.year + 1):
        names = _holiday_names(calendar.country, year, language)
        _, weekend_workdays = _package_days(calendar.country, year)
        found.update({day: {"day": day, "name": name, "working": False, "exception": None}
                      for day, name in names.items() if start <= day <= end})
        found.update({day: {"day": day, "name": None, "working": True, "exception": None}
                      for day in weekend_workdays if start <= day <= end})
    for day, working in calendar.exceptions:
        if start <= day <= end:
            package = found.get(day, {}).get("name")
            found[day] = {"day": day, "name": package, "working": bool(working), "exception": True}
    return [found[day] for day in sorted(found)]


def add_business_time(moment, *, days=0, hours=0, calendar=None):
    """``moment`` plus ``days`` business days and then ``hours`` working hours.

    Days: the ``days``-th working day after the moment's local date, at the same local
    time of day (Friday 18:00 + 2 days is Tuesday 18:00; a holiday between moves it on).
    Hours count only the working hours of working days; a moment outside them starts at
    the next working hours' beginning. A naive ``moment`` is UTC.

    :returns: an aware datetime in the calendar's time zone
    :raises CalendarError: an unknown calendar, a negative or non-numeric count, or too many days
    """
    calendar = _calendar(calendar)
    days, hours = _count(days, "days", whole=True), _count(hours, "hours")
    if days > MAX_DAYS or hours > MAX_DAYS * 24:
        raise CalendarError(f"at most {MAX_DAYS} business days can be added")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(calendar.tz)
    day = local.date()
    for _ in range(days):
        day = _next_working_day(day + timedelta(days=1), calendar)
    local = datetime.combine(day, local.time().replace(tzinfo=None), calendar.tz)
    if hours:
        local = _add_hours(local, timedelta(hours=hours), calendar)
    return local


def _add_hours(local, remaining, calendar):
    day, clock = local.date(), local.time().replace(tzinfo=None)
    if not is_working_day(day, calendar) or clock >= calendar.work_end:
        day, clock = _next_working_day(day + timedelta(days=1), calendar), calendar.work_start
    clock = max(clock, calendar.work_start)
    while True:
        start = datetime.combine(day, clock, calendar.tz)
        left = datetime.combine(day, calendar.work_end, calendar.tz) - start
        if remaining <= left:
            return start + remaining
        remaining -= left
        day, clock = _next_working_day(day + timedelta(days=1), calendar), calendar.work_start


def working_time(start, end, *, calendar=None):
    """The working time of ``calendar`` between two moments: the part of ``[start, end]``
    that falls in the working hours of working days (a naive moment is UTC).

    Friday 17:00 to Monday 10:00 (RU, 09:00-18:00) is 2 hours; a Saturday, 0.

    :returns: a :class:`~datetime.timedelta`, zero when ``end`` is not after ``start``
    :raises CalendarError: an unknown calendar, or more than :data:`MAX_DAYS` days between
    """
    calendar = _calendar(calendar)
    start, end = (_aware(moment).astimezone(calendar.tz) for moment in (start, end))
    if end <= start:
        return timedelta(0)
    if (end.date() - start.date()).days > MAX_DAYS:
        raise CalendarError(f"at most {MAX_DAYS} days of working time can be measured")
    total, day = timedelta(0), start.date()
    while day <= end.date():
        if is_working_day(day, calendar):
            opens = max(start, datetime.combine(day, calendar.work_start, calendar.tz))
            closes = min(end, datetime.combine(day, calendar.work_end, calendar.tz))
            total += max(closes - opens, timedelta(0))
        day += timedelta(days=1)
    return total


def add_working_time(moment, amount, *, calendar=None):
    """``moment`` plus ``amount`` (a :class:`~datetime.timedelta`) of working time, as
    :func:`add_business_time` adds hours; a zero ``amount`` leaves ``moment`` as it is, even
    outside the working hours.

    :returns: an aware datetime in the calendar's time zone
    :raises CalendarError: an unknown calendar, a negative amount, or more than :data:`MAX_DAYS` days
    """
    calendar = _calendar(calendar)
    if amount < timedelta(0) or amount > timedelta(days=MAX_DAYS):
        raise CalendarError(f"working time to add must be from zero to {MAX_DAYS} days, not {amount}")
    local = _aware(moment).astimezone(calendar.tz)
    return _add_hours(local, amount, calendar) if amount else local


def _aware(moment):
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _next_working_day(day, calendar):
    """``day`` or the first working day after it."""
    for _ in range(SEARCH_DAYS):
        if is_working_day(day, calendar):
            return day
        day += timedelta(days=1)
    raise CalendarError(f"calendar {calendar.name} has no working day in a year from {day}")


def _count(value, what, whole=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(str(value).strip())
        except ValueError:
            raise CalendarError(f"{what}: {value!r} is not a number") from None
    if not math.isfinite(value) or value < 0 or (whole and value != int(value)):
        kind = "a whole number" if whole else "a number"
        raise CalendarError(f"{what}: {value!r} is not {kind} of zero or more")
    return int(value) if whole else float(value)


def _calendar(calendar):
    return calendar if isinstance(calendar, Calendar) else get(calendar)


def due_at(now, *, days=0, hours=0, calendar=None):
    """:func:`add_business_time` from ``now``, in UTC (what task and timer rows store)."""
    return add_business_time(now, days=days, hours=hours, calendar=calendar).astimezone(timezone.utc)


def iso_after(*, days=0, hours=0, calendar=None, start=None):
    """The ISO 8601 date-time ``days``/``hours`` of business time after ``start`` (ISO) or now."""
    base = datetime.fromisoformat(start) if start else datetime.now(timezone.utc)
    return add_business_time(base, days=days, hours=hours, calendar=calendar).isoformat()
