"""Dates and date-times between the browser and the task data.

``<input type=date>`` sends ``2026-11-22``; ``<input type=datetime-local>`` sends a
naive ``2026-11-22T15:30`` meaning the user's wall clock. Task data holds ISO dates and
ISO-8601 date-times *with* their offset, so timers fire at the instant the user meant.
"""
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATETIME = re.compile(
    r"(?P<local>[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)"
    r"(?P<offset>Z|z|[+-][0-9]{2}:?[0-9]{2})?")


def parse_date(value):
    """The ISO date in ``value`` (``YYYY-MM-DD``).

    :raises ValueError: not a real calendar date in that shape
    """
    if not isinstance(value, str) or not DATE.fullmatch(value.strip()):
        raise ValueError(value)
    return date.fromisoformat(value.strip()).isoformat()


def parse_datetime(value, timezone):
    """ISO-8601 with offset, to the second: ``2026-11-22T15:30:00+07:00``.

    A value without offset is wall-clock time in ``timezone``; a value with one keeps it.

    :param timezone: a zoneinfo name (a user's, or ``place().zone``)
    :raises ValueError: not a date-time in a shape browsers and ISO-8601 use
    """
    match = DATETIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ValueError(value)
    moment = datetime.fromisoformat(match["local"].replace(" ", "T"))
    offset = match["offset"]
    if offset:
        offset = "+00:00" if offset in "Zz" else offset
        moment = datetime.fromisoformat(moment.isoformat() + offset)
    else:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.isoformat(timespec="seconds")


def local_input(value, timezone):
    """``YYYY-MM-DDTHH:MM`` for a ``datetime-local`` input, in ``timezone``.

    Values that carry no offset (what the user just typed) are shown as they are.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and (match := DATETIME.fullmatch(value.strip())):
        try:
            moment = datetime.fromisoformat(value.strip().replace(" ", "T").replace("z", "Z"))
        except ValueError:
            return value
        if not match["offset"]:
            return match["local"][:16].replace(" ", "T")
    else:
        return "" if value is None else str(value)
    try:
        if moment.tzinfo is not None:
            moment = moment.astimezone(ZoneInfo(timezone))
    except OverflowError:
        return str(value)
    return moment.replace(tzinfo=None).isoformat(timespec="minutes")
