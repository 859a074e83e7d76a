"""What an admin changes in a business calendar: its working hours and its exceptions.

Each change is audited in the stream ``calendar:<name>`` (who, before and after) in the
caller's transaction; the caller validates the input and commits.
"""
from . import audit
from .calendar_models import BusinessCalendar, CalendarException
from .calendars import get
from .db import db
from .errors import NotFoundError
from .models import AuditStream
from .types import utcnow


def _log(name, kind, *, actor, before=None, after=None):
    stream = f"calendar:{name}"
    # the stream head's row lock makes a second admin saving at once wait, not fork the chain
    db.session.get(AuditStream, stream, with_for_update=True)
    audit.append(stream, kind, actor=actor, data_before=before, data_after=after)


def set_hours(name, start, end, *, actor):
    """Set the working hours of calendar ``name`` (``start`` before ``end``, both ``time``).

    :raises CalendarError: no calendar of that name
    """
    calendar = get(name)
    row = db.session.get(BusinessCalendar, calendar.name)
    if row is None:
        row = BusinessCalendar(name=calendar.name)
        db.session.add(row)
    row.work_start, row.work_end, row.updated_by, row.updated_at = start, end, actor, utcnow()
    _log(calendar.name, "calendar_hours_set", actor=actor,
         before={"start": calendar.work_start.isoformat(), "end": calendar.work_end.isoformat()},
         after={"start": start.isoformat(), "end": end.isoformat()})
    return row


def set_exception(name, day, working, note, *, actor):
    """Make ``day`` working or non-working in calendar ``name``; a day set before is replaced.

    :raises CalendarError: no calendar of that name
    """
    calendar = get(name)
    row = db.session.query(CalendarException).filter_by(calendar=calendar.name, day=day).first()
    before = _describe(row)
    if row is None:
        row = CalendarException(calendar=calendar.name, day=day)
        db.session.add(row)
    row.working, row.note, row.set_by, row.set_at = bool(working), note, actor, utcnow()
    _log(calendar.name, "calendar_exception_set", actor=actor, before=before, after=_describe(row))
    return row


def remove_exception(name, exception_id, *, actor):
    """Remove one exception of calendar ``name``: the package's rule holds for that day again.

    :raises NotFoundError: no such exception in that calendar
    """
    row = db.session.get(CalendarException, exception_id)
    if row is None or row.calendar != str(name).upper():
        raise NotFoundError("no such calendar exception")
    _log(row.calendar, "calendar_exception_removed", actor=actor, before=_describe(row))
    db.session.delete(row)


def _describe(row):
    if row is None:
        return None
    return {"day": row.day.isoformat(), "working": row.working, "note": row.note}
