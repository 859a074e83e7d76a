"""Tables of the business calendars (see engine/calendars.py and docs/calendars.md).

A calendar's country, zone and default hours are built in; a ``business_calendar`` row
holds only what an admin changed (the working hours). ``calendar_exception`` is a day
the government moved after the ``holidays`` package was released: made working or
non-working, with a note and who set it.
"""
from sqlalchemy import UniqueConstraint

from .db import db
from .types import UTCDateTime, utcnow


class BusinessCalendar(db.Model):
    __tablename__ = "business_calendar"
    name = db.Column(db.String(20), primary_key=True)
    work_start = db.Column(db.Time, nullable=False)
    work_end = db.Column(db.Time, nullable=False)
    updated_by = db.Column(db.String(80), nullable=False)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


class CalendarException(db.Model):
    __tablename__ = "calendar_exception"
    __table_args__ = (UniqueConstraint("calendar", "day"),)
    id = db.Column(db.Integer, primary_key=True)
    calendar = db.Column(db.String(20), nullable=False)
    day = db.Column(db.Date, nullable=False)
    working = db.Column(db.Boolean, nullable=False)
    note = db.Column(db.String(500), nullable=False, default="")
    set_by = db.Column(db.String(80), nullable=False)
    set_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
