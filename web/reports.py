"""The manager's reports on lead handling (issue 4): one page of charts and tables, and XLSX.

For managers, admins and auditors. The period (today, the last 7 days, this month, the
last 30 days, or from / to dates, both included) is read in the reader's time zone and
turned into the UTC range :mod:`crm.reports` counts in; definitions in docs/reports.md.

:raise 403: anyone but managers, admins and auditors
:raise 422: an unknown period, rep or source; a date that is not one; from after to;
    more than :data:`MAX_DAYS` days (the page shows the messages next to the fields)
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from io import BytesIO
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request, send_file
from flask_babel import format_date, format_datetime, format_percent
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError as MarshmallowError
from marshmallow import fields as mfields
from marshmallow import post_load, pre_load, validates_schema
from sqlalchemy import select

from accounts.models import User
from crm import report_export, reports
from crm.models import SOURCES
from crm.records import active_sales
from engine.db import db
from engine.errors import ValidationError
from engine.types import utcnow
from forms import inputs, messages

from . import access
from .customers import labels as lead_labels
from .i18n import user_zone

bp = Blueprint("reports", __name__)
PERIODS = ("today", "7d", "month", "30d", "custom")
DEFAULT_PERIOD = "7d"
MAX_DAYS = 366
YEARS = (1900, 2999)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Choice:
    """The period (local days ``first`` to ``last``, both included) and filters asked for."""

    period: str
    first: date
    last: date
    rep: str | None
    source: str | None
    zone: str

    def scope(self, now):
        """The :class:`crm.reports.Scope`: from ``first`` 00:00 to the day after ``last``, local time."""
        zone = ZoneInfo(self.zone)
        start = datetime.combine(self.first, time.min, tzinfo=zone).astimezone(timezone.utc)
        end = datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=zone).astimezone(timezone.utc)
        return reports.Scope(start=start, end=end, zone=self.zone, owner=self.rep, source=self.source,
                             now=now)

    def args(self):
        """The query string that asks for this choice again (the export link)."""
        return {"period": self.period, "from": self.first.isoformat(), "to": self.last.isoformat(),
                "rep": self.rep or "", "source": self.source or ""}


def _check():
    access.check(access.is_manager(current_user) or access.is_auditor(current_user))


def _zone():
    return user_zone(current_user)


class PeriodSchema(inputs.InputSchema):
    """A report's period from its query string: a preset (``presets``: name -> its first
    day, ending ``today``) or ``custom`` from / to days, a range by the shared rule
    (forms.inputs.day_range) of at most :data:`MAX_DAYS` days. Loads ``period``, ``first``,
    ``last``. The dashboard extends it with its own presets."""

    default = DEFAULT_PERIOD
    period = mfields.String()
    first = inputs.Day(data_key="from", load_default=None, missing_message=messages.day_missing)
    last = inputs.Day(data_key="to", load_default=None, missing_message=messages.day_missing)

    def __init__(self, presets, today, **kwargs):
        super().__init__(**kwargs)
        self.presets, self.today = presets, today

    @pre_load
    def _choose_period(self, data, **kwargs):
        values = {key: data.get(key) for key in data}
        dated = values.get("from") or values.get("to")
        period = values.get("period") or ("custom" if dated else self.default)
        custom = period == "custom"
        self.fields["first"].required = self.fields["last"].required = custom
        if not custom:   # a preset's days are its own; an unknown period's are not read
            values.pop("from", None)
            values.pop("to", None)
        return {**values, "period": period}

    @validates_schema(skip_on_field_errors=False)
    def _known_period(self, data, **kwargs):
        if data.get("period") not in (*self.presets, "custom"):
            raise MarshmallowError(_("Choose one of the listed periods."), "period")

    @validates_schema(skip_on_field_errors=False)
    def _days_in_order(self, data, **kwargs):
        first, last = data.get("first"), data.get("last")
        if message := inputs.day_range(first, last):
            raise MarshmallowError(message, "to")
        if first and last and (last - first).days >= MAX_DAYS:
            raise MarshmallowError(_("Choose at most %(num)d days.", num=MAX_DAYS), "to")

    @post_load
    def _preset_days(self, data, **kwargs):
        if data["period"] in self.presets:
            return {**data, "first": self.presets[data["period"]], "last": self.today}
        return data


class RepField(inputs.InputField):
    """The user name of any user (reps who left still have their leads counted)."""

    def _deserialize(self, value, attr, data, **kwargs):
        rep = str(value).strip()
        if db.session.scalar(select(User.id).where(User.username == rep)) is None:
            inputs.fail(_("Choose one of the listed reps."))
        return rep


class ReportSchema(PeriodSchema):
    rep = RepField(load_default=None)
    source = inputs.Choice(SOURCES, load_default=None, message=lambda: _("Choose one of the listed sources."))


def choose(args, zone, today):
    """The :class:`Choice` the query string ``args`` asks for.

    :raise ValidationError: every problem at once, by field (``period``, ``from``,
        ``to``, ``rep``, ``source``)
    """
    presets = {"today": today, "7d": today - timedelta(days=6), "month": today.replace(day=1),
               "30d": today - timedelta(days=29)}
    found = inputs.check(ReportSchema(presets, today), args, _("Check the period and the filters."))
    return Choice(found["period"], found["first"], found["last"], found["rep"], found["source"], zone)


def _today(zone, now):
    return now.astimezone(ZoneInfo(zone)).date()


def compute(choice, now):
    """Every report of ``choice`` (see :mod:`crm.reports`), by key."""
    scope = choice.scope(now)
    return {"sources": reports.leads_by_source_and_status(scope),
            "calls": reports.calls_per_rep_per_day(scope),
            "first_call": reports.intake_to_first_call(scope),
            "funnel": reports.conversion_funnel(scope),
            "overdue": reports.overdue_callbacks(scope)}


def people():
    """``{username: full name}`` of every user, to show reps by name."""
    return {username: full or username for username, full in db.session.execute(
        select(User.username, User.full_name))}


def labels():
    """The translated names of the codes the reports use."""
    base = lead_labels()
    return {
        "status": base["status"], "source": base["source"], "people": people(),
        "outcome": base["outcome"],
        "stage": {"leads": _("New leads"), "called": _("Called"), "contact": _("Became a contact"),
                  "ordered": _("Ordered")},
        "step": {"call_lead": _("Call the lead"), "call_contact": _("Call the contact back"),
                 **dict.fromkeys(reports.CALLBACK_TIMERS, _("Reminder not sent"))},
        "unowned": _("Unowned"), "team": _("Whole team"),
    }


def export_labels():
    """:func:`labels` with the sheet titles and column headers of the workbook."""
    sheets = {"sources": _("Leads by source"), "calls": _("Calls per rep per day"),
              "first_call": _("Time to first call"), "funnel": _("Conversion"),
              "overdue": _("Overdue call-backs"), "about": _("Period and filters")}
    columns = {
        "source": _("Source"), "total": _("Total"), "day": _("Day"), "rep": _("Rep"),
        "leads": _("New leads"), "called": _("Called"), "waiting": _("Not called yet"),
        "median": _("Median"), "p90": _("90th percentile"), "average": _("Average"),
        "oldest_waiting": _("Longest wait, not called yet"), "stage": _("Stage"), "count": _("Count"),
        "of_leads": _("Of new leads"), "of_previous": _("Of the step before"), "customer": _("Customer"),
        "phone": _("Phone"), "step": _("Step"), "callback_at": _("Call-back time"), "due_at": _("Due"),
        "late": _("Late by"), "case": _("Case"), "setting": _("Setting"), "value": _("Value")}
    return {**labels(), "sheets": sheets, "columns": columns}


def duration(value):
    """A wait as the reader reads it: ``45 min``, ``3 h 05 min``, ``2 d 4 h``; ``—`` for none."""
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    hours, days = minutes // 60, minutes // (24 * 60)
    if days:
        return _("%(days)d d %(hours)d h", days=days, hours=hours % 24)
    if hours:
        return _("%(hours)d h %(minutes)02d min", hours=hours, minutes=minutes % 60)
    return _("%(minutes)d min", minutes=minutes)


def percent(value):
    return "—" if value is None else format_percent(value, "#,##0.#%")


def charts(data):
    """What static/reports.js draws, as JSON-ready data (days as ISO dates)."""
    calls = data["calls"]
    return {"sources": data["sources"], "funnel": data["funnel"],
            "calls": {"days": [d.isoformat() for d in calls["days"]], "outcomes": calls["outcomes"],
                      "reps": calls["reps"],
                      "rows": [{**row, "day": row["day"].isoformat()} for row in calls["rows"]]}}


def _page(form, errors=None, error=None, data=None, choice=None, status=200):
    names = labels()
    reps = [(name, names["people"].get(name) or name) for name in active_sales()]
    context = {"form": form, "errors": errors or {}, "error": error, "periods": PERIODS, "sources": SOURCES,
               "reps": reps, "labels": names, "data": data, "choice": choice, "duration": duration,
               "percent": percent}
    if data is not None:
        shown = {k: names[k] for k in ("status", "source", "outcome", "stage")}
        shown["people"] = {rep: names["people"].get(rep, rep) for rep in data["calls"]["reps"]}
        context["charts"] = {**charts(data), "labels": shown}
    return render_template("reports/index.html", **context), status


@bp.get("/reports")
@login_required
def report_index():
    """The reports of the chosen period; 422 with the messages for a bad period or filter."""
    _check()
    now, zone = utcnow(), _zone()
    form = {name: request.args.get(name, "") for name in ("period", "from", "to", "rep", "source")}
    try:
        choice = choose(request.args, zone, _today(zone, now))
    except ValidationError as problem:
        return _page(form, errors=problem.fields, error=problem.message, status=422)
    return _page(choice.args(), data=compute(choice, now), choice=choice)


def _about(choice, now, names):
    every = _("All")
    return [(_("From"), format_date(choice.first, "medium")), (_("To"), format_date(choice.last, "medium")),
            (_("Time zone"), choice.zone),
            (_("Rep"), names["people"].get(choice.rep, choice.rep) if choice.rep else every),
            (_("Source"), names["source"].get(choice.source) if choice.source else every),
            (_("Created"), format_datetime(now, "medium"))]


@bp.get("/reports/export.xlsx")
@login_required
def report_download():
    """The same reports as one XLSX workbook, a sheet per report.

    :raise 422: a bad period or filter (the error page names the fields)
    """
    _check()
    now, zone = utcnow(), _zone()
    choice = choose(request.args, zone, _today(zone, now))
    names = export_labels()
    data = {**compute(choice, now), "about": _about(choice, now, names)}
    content = report_export.workbook(data, names, zone)
    return send_file(BytesIO(content), mimetype=XLSX, as_attachment=True,
                     download_name=f"tasklane-reports-{_today(zone, now).isoformat()}.xlsx")
