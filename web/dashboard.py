"""The process dashboard (issue 5): cases per week, cycle time, waiting per task, overdue.

For process owners, managers, admins and auditors. One process (the first deployed one
unless the query names another), optionally one version of it, over a period of local
days (the last 4 or 12 weeks, or from / to dates, both included) in the reader's time
zone; the figures come from :mod:`engine.metrics`; definitions in docs/dashboard.md.

:raise 403: anyone else
:raise 422: an unknown process, version or period; a date that is not one; from after
    to; more than :data:`MAX_DAYS` days (the page shows the messages next to the fields)
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError as MarshmallowError
from marshmallow import fields as mfields
from marshmallow import post_load, validates_schema

from engine import metrics
from engine.errors import ValidationError
from engine.types import utcnow
from forms import inputs

from . import access
from .i18n import user_zone
from .reports import PeriodSchema, duration, people

bp = Blueprint("dashboard", __name__)
PERIODS = ("4w", "12w", "custom")
DEFAULT_PERIOD = "4w"
FIELDS = ("process", "version", "period", "from", "to")


@dataclass(frozen=True)
class Choice:
    """The process, version (id and number, or ``None``: all) and local days asked for."""

    process: str
    version_id: int | None
    version: int | None
    period: str
    first: date
    last: date
    zone: str

    def window(self, now):
        """The :class:`engine.metrics.Window`: ``first`` 00:00 to the day after ``last``, local time."""
        zone = ZoneInfo(self.zone)
        start = datetime.combine(self.first, time.min, tzinfo=zone).astimezone(timezone.utc)
        end = datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=zone).astimezone(timezone.utc)
        return metrics.Window(key=self.process, start=start, end=end, zone=self.zone,
                              version_id=self.version_id, now=now)

    def args(self):
        return {"process": self.process, "version": self.version or "", "period": self.period,
                "from": self.first.isoformat(), "to": self.last.isoformat()}


def _check():
    user = current_user
    access.check(access.is_manager(user) or access.is_auditor(user) or access.may_deploy(user))


class DashboardSchema(PeriodSchema):
    """The process (the first of ``keys`` unless named), one of its versions or all, and the
    period in whole weeks (presets start on a Monday: every week is whole but the current one)."""

    default = DEFAULT_PERIOD
    process = inputs.Choice((), message=lambda: _("Choose one of the listed processes."))
    version = mfields.String(load_default=None)

    def __init__(self, today, keys, **kwargs):
        monday = today - timedelta(days=today.weekday())
        presets = {"4w": monday - timedelta(weeks=3), "12w": monday - timedelta(weeks=11)}
        super().__init__(presets, today, **kwargs)
        self.fields["process"].choices, self.fields["process"].load_default = tuple(keys), keys[0]

    @validates_schema(skip_on_field_errors=False)
    def _known_version(self, data, **kwargs):
        text = (data.get("version") or "").strip()
        if "process" in data and text and text not in self._versions(data["process"]):
            raise MarshmallowError(_("Choose one of the listed versions."), "version")

    @post_load
    def _version_id(self, data, **kwargs):
        text = (data.get("version") or "").strip()
        found = self._versions(data["process"]) if text else {}
        return {**data, "version_id": found.get(text), "version": int(text) if text else None}

    @staticmethod
    def _versions(key):
        return {str(number): version_id for version_id, number in metrics.versions(key)}


def choose(args, zone, today, keys):
    """The :class:`Choice` the query string ``args`` asks for, among the process ``keys``.

    :raise ValidationError: every problem at once, by field (``process``, ``version``,
        ``period``, ``from``, ``to``)
    """
    found = inputs.check(DashboardSchema(today, keys), args, _("Check the process and the period."))
    return Choice(found["process"], found["version_id"], found["version"], found["period"], found["first"],
                  found["last"], zone)


def _title(row, lang):
    return (row["titles"] or {}).get(lang) or row["title"] or row["element_id"]


def _hours(value):
    return None if value is None else round(value.total_seconds() / 3600, 2)


def charts(data):
    """What static/dashboard.js draws: weeks with their labels, waits in hours with their text."""
    weeks = [{**{k: w[k] for k in ("started", "completed", "cancelled", "running")},
              "label": format_date(w["week"], "d MMM")} for w in data["weekly"]["weeks"]]
    waits = [{"label": row["name"], "median": _hours(row["median"]), "p90": _hours(row["p90"]),
              "median_text": duration(row["median"]), "p90_text": duration(row["p90"])}
             for row in data["waiting"] if row["count"]]
    labels = {"started": _("Started"), "completed": _("Completed"), "cancelled": _("Cancelled"),
              "running": _("Running at the week's end"), "median": _("Median"), "p90": _("90th percentile"),
              "hours": _("Hours")}
    return {"weeks": weeks, "waits": waits, "labels": labels}


def compute(choice, now):
    """The figures of ``choice`` (see :mod:`engine.metrics`), task names in the reader's language."""
    data = metrics.dashboard(choice.window(now))
    lang = str(get_locale())
    for row in data["waiting"] + data["overdue"]["tasks"]:
        row["name"] = _title(row, lang)
    for week in data["weekly"]["weeks"]:
        week["number"] = week["week"].isocalendar().week
        week["sunday"] = week["week"] + timedelta(days=6)
    return data


def _page(form, keys, names, errors=None, error=None, data=None, choice=None, status=200):
    key = form.get("process") or (keys[0] if keys else "")
    context = {"form": form, "errors": errors or {}, "error": error, "periods": PERIODS,
               "processes": names, "versions": metrics.versions(key) if key in keys else [],
               "data": data, "choice": choice, "duration": duration, "people": people()}
    if data is not None:
        context["charts"] = charts(data)
    return render_template("dashboard/index.html", **context), status


@bp.get("/dashboard")
@login_required
def dashboard_index():
    """The dashboard of the chosen process and period; 422 with the messages for bad input."""
    _check()
    now, zone = utcnow(), user_zone(current_user)
    names = metrics.processes(str(get_locale()))
    keys = [key for key, _name in names]
    form = {name: request.args.get(name, "") for name in FIELDS}
    if not keys:
        return _page(form, keys, names)
    try:
        choice = choose(request.args, zone, now.astimezone(ZoneInfo(zone)).date(), keys)
    except ValidationError as problem:
        return _page(form, keys, names, errors=problem.fields, error=problem.message, status=422)
    return _page(choice.args(), keys, names, data=compute(choice, now), choice=choice)
