"""The admin's business calendars: working hours, the coming holidays and the exceptions.

An exception makes one day working or non-working (the government moved a day after the
``holidays`` package was released); every change is audited in ``calendar:<name>``.
The rules are in docs/calendars.md.

:raise 403: anyone but an admin (every page of the blueprint)
:raise 404: no calendar of that name, or no exception on that day
:raise 422: a bad time, date or note, with the field named (nothing changed)
"""
from datetime import datetime, timedelta

from babel.dates import get_timezone, get_timezone_gmt
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError as MarshmallowError
from marshmallow import validates_schema

from engine import calendar_admin, calendars
from engine.calendar_models import CalendarException
from engine.db import db
from engine.errors import NotFoundError
from forms import inputs, messages

from . import access

bp = Blueprint("calendars_admin", __name__, url_prefix="/admin/calendars")
NOTE_MAX = 500
AHEAD_DAYS = 366
YEARS = (2000, 2100)   # the package's range we accept a day in


def _working_message():
    return _("Choose working day or day off.")


def _note_message():
    return _("Say why the day is moved (e.g. the decree).")


@bp.before_request
@login_required
def _admins_only():
    access.check("admin" in access.roles(current_user), _("Only an admin may change business calendars."))


def _calendar(name):
    if str(name).upper() not in calendars.names():
        raise NotFoundError(_("Not found."))
    return calendars.get(name)


def _page(*, status=200, errors=None, values=None, saved=None):
    language = str(get_locale() or "en")
    shown = []
    for name in calendars.names():
        calendar = calendars.get(name)
        now = datetime.now(get_timezone(calendar.zone))   # the calendar's own today
        today = now.date()
        days = calendars.special_days(today, today + timedelta(days=AHEAD_DAYS), calendar, language)
        exceptions = (db.session.query(CalendarException).filter_by(calendar=name)
                      .order_by(CalendarException.day.desc()).all())
        shown.append({"calendar": calendar, "days": days, "exceptions": exceptions,
                      "offset": get_timezone_gmt(now, locale=get_locale())})
    return render_template("calendars_admin/index.html", shown=shown, errors=errors or {},
                           values=values or {}, saved=saved, format_date=format_date), status


@bp.get("")
def calendar_index():
    return _page(saved=request.args.get("saved"))


class HoursSchema(inputs.InputSchema):
    start = inputs.Time(required=True, missing_message=messages.time)
    end = inputs.Time(required=True, missing_message=messages.time)

    @validates_schema(skip_on_field_errors=False)
    def _ordered(self, data, **kwargs):
        if "start" in data and "end" in data and data["start"] >= data["end"]:
            raise MarshmallowError(_("The end of the working day must be after its start."), "end")


class DaySchema(inputs.InputSchema):
    day = inputs.Day(required=True, years=YEARS, missing_message=messages.day)


class ExceptionSchema(DaySchema):
    working = inputs.Choice(("0", "1"), required=True, message=_working_message,
                            missing_message=_working_message)
    note = inputs.Text(required=True, max_length=NOTE_MAX, missing_message=_note_message,
                       long_message=lambda count: _("At most %(count)d characters.", count=count))


def _posted(name, schema):
    """``(calendar, values, None)`` of a form posted to calendar ``name``, or ``(calendar,
    None, page)`` with the page answering 422 with each field's message."""
    calendar = _calendar(name)
    found, errors = inputs.load(schema(), request.form)
    if errors:
        return calendar, None, _page(status=422, errors={calendar.name: errors},
                                     values={calendar.name: request.form})
    return calendar, found, None


@bp.post("/<name>/hours")
def calendar_hours_update(name):
    """Set the working hours (``start`` before ``end``, HH:MM)."""
    calendar, found, refused = _posted(name, HoursSchema)
    if refused:
        return refused
    calendar_admin.set_hours(calendar.name, found["start"], found["end"], actor=current_user.username)
    db.session.commit()
    return redirect(url_for(".calendar_index", saved=calendar.name), 303)


@bp.post("/<name>/exceptions")
def calendar_exception_create(name):
    """Make a day working (``working=1``) or non-working (``working=0``), with a note."""
    calendar, found, refused = _posted(name, ExceptionSchema)
    if refused:
        return refused
    calendar_admin.set_exception(calendar.name, found["day"], found["working"] == "1", found["note"],
                                 actor=current_user.username)
    db.session.commit()
    return redirect(url_for(".calendar_index", saved=calendar.name), 303)


@bp.post("/<name>/exceptions/delete")
def calendar_exception_delete(name):
    """Remove the exception of the day ``day``: the package's rule holds for it again."""
    calendar, found, refused = _posted(name, DaySchema)
    if refused:
        return refused
    row = db.session.query(CalendarException).filter_by(calendar=calendar.name, day=found["day"]).first()
    if row is None:
        raise NotFoundError(_("Not found."))
    calendar_admin.remove_exception(calendar.name, row.id, actor=current_user.username)
    db.session.commit()
    return redirect(url_for(".calendar_index", saved=calendar.name), 303)
