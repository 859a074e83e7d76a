"""The process dashboard's figures (issue 5): queries over one process and a period.

Every function reads one :class:`Window`: a process (its definition key, optionally one
deployed version), a half-open UTC range ``[start, end)``, the reader's time zone and
``now``. Weeks are ISO weeks (Monday to Sunday) in that zone. Definitions and edge
cases are in docs/dashboard.md.

Nothing here depends on one database: times are compared as stored (UTC), and weeks
are computed in Python from the rows one query returns.
"""
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from math import ceil
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select

from . import texts
from .db import db
from .errors import ValidationError
from .models import HumanTask, ProcessDefinition, ProcessInstance, ProcessVersion
from .places import place
from .types import utcnow

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Window:
    """What the dashboard covers: one process (``version_id``: one version of it, else
    all), ``[start, end)`` in UTC, the reader's zone, and now.

    :raises ValidationError: a naive time, or ``start`` after ``end``
    """

    key: str
    start: datetime
    end: datetime
    zone: str = None   # None: the default place's (engine/places.py)
    version_id: int | None = None
    now: datetime = field(default_factory=utcnow)

    def __post_init__(self):
        if self.zone is None:
            object.__setattr__(self, "zone", place().zone)
        if None in (self.start.tzinfo, self.end.tzinfo, self.now.tzinfo):
            raise ValidationError("dashboard times must be aware (UTC)")
        if self.start > self.end:
            raise ValidationError("the dashboard's range ends before it starts")

    def week_of(self, moment):
        """The Monday (a local date) of the ISO week ``moment`` falls in."""
        day = moment.astimezone(ZoneInfo(self.zone)).date()
        return day - timedelta(days=day.weekday())

    def weeks(self):
        """The Mondays of the weeks the range touches, in order (none for an empty range)."""
        if self.start >= self.end:
            return []
        first, last = self.week_of(self.start), self.week_of(self.end - timedelta(microseconds=1))
        return [first + timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]

    def week_end(self, monday):
        """The UTC instant a week ends: the next Monday 00:00 local, or the range's end if earlier."""
        local = datetime.combine(monday + WEEK, time.min, tzinfo=ZoneInfo(self.zone))
        return min(local.astimezone(self.end.tzinfo), self.end)


def processes(lang=None):
    """``[(key, name)]`` of every deployed process, the first deployed first; named in
    ``lang`` when given (:func:`engine.texts.localized`), else by the BPMN name."""
    rows = db.session.execute(select(ProcessDefinition.key, ProcessDefinition.name, ProcessDefinition.titles)
                              .order_by(ProcessDefinition.id))
    return [(key, texts.localized(titles, lang, name) if lang else name) for key, name, titles in rows]


def versions(key):
    """``[(version_id, version number)]`` of the process ``key``, the newest first."""
    return [tuple(row) for row in db.session.execute(
        select(ProcessVersion.id, ProcessVersion.version).join(ProcessVersion.definition)
        .where(ProcessDefinition.key == key).order_by(ProcessVersion.version.desc()))]


def percentile(values, share):
    """Nearest-rank percentile of sorted ``values``: ``share`` of them are at most this."""
    return values[max(ceil(share * len(values)) - 1, 0)]


def summary(durations):
    """``count``, ``median``, ``p90`` (nearest rank), ``average`` of ``durations``; ``None`` for none."""
    values = sorted(durations)
    if not values:
        return {"count": 0, "median": None, "p90": None, "average": None}
    return {"count": len(values), "median": median(values), "p90": percentile(values, 0.9),
            "average": sum(values, timedelta()) / len(values)}


def _instances(window, *columns):
    query = select(*columns).where(ProcessInstance.definition_key == window.key)
    if window.version_id is not None:
        query = query.where(ProcessInstance.version_id == window.version_id)
    return query


def _tasks(window, *columns):
    query = select(*columns).where(HumanTask.definition_key == window.key)
    if window.version_id is not None:
        query = query.join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(
            ProcessInstance.version_id == window.version_id)
    return query


def _in(column, window):
    return and_(column >= window.start, column < window.end)


def weekly(window):
    """Per week of the range: instances ``started``, ``completed`` and ``cancelled`` in it
    (the parts of the first and last week outside the range are not counted), and
    ``running`` at its end (the range's end for the last week).

    :return: ``{"weeks": [{"week": monday, "started", "completed", "cancelled", "running"}],
        "totals": {"started", "completed", "cancelled"}}``
    """
    rows = db.session.execute(_instances(
        window, ProcessInstance.started_at, ProcessInstance.ended_at, ProcessInstance.status).where(
        ProcessInstance.started_at < window.end,
        or_(ProcessInstance.ended_at.is_(None), ProcessInstance.ended_at >= window.start))).all()
    counts = defaultdict(lambda: {"started": 0, "completed": 0, "cancelled": 0})
    for started, ended, status in rows:
        if started >= window.start:
            counts[window.week_of(started)]["started"] += 1
        if ended is not None and ended < window.end and status in ("completed", "cancelled"):
            counts[window.week_of(ended)][status] += 1
    # Running at t = started before t minus ended before t (an instance ends after it starts);
    # instances that ended before the range are not read, and would cancel out anyway.
    starts = sorted(started for started, _, _ in rows)
    ends = sorted(ended for _, ended, _ in rows if ended is not None)
    weeks = []
    for monday in window.weeks():
        at = window.week_end(monday)
        weeks.append({"week": monday, **counts[monday],
                      "running": bisect_left(starts, at) - bisect_left(ends, at)})
    totals = {name: sum(w[name] for w in weeks) for name in ("started", "completed", "cancelled")}
    return {"weeks": weeks, "totals": totals}


def cycle_time(window):
    """Start to end of the instances completed in the range (cancelled ones are not cycles).

    :return: :func:`summary` of those durations
    """
    rows = db.session.execute(_instances(window, ProcessInstance.started_at, ProcessInstance.ended_at).where(
        ProcessInstance.status == "completed", _in(ProcessInstance.ended_at, window)))
    return summary(ended - started for started, ended in rows)


def waiting(window):
    """Per user task (BPMN element): created to completed of its tasks completed in the range,
    how many of those were completed after their due time, and the tasks open now.

    :return: ``[{"element_id", "titles", "title", "count", "median", "p90", "average",
        "late", "open", "oldest_open"}]``, the longest 90th percentile first
    """
    rows = db.session.execute(_tasks(
        window, HumanTask.element_id, HumanTask.title, HumanTask.titles, HumanTask.state,
        HumanTask.created_at, HumanTask.completed_at, HumanTask.due_at).where(or_(
            HumanTask.state == "open", and_(HumanTask.state == "completed",
                                            _in(HumanTask.completed_at, window))))).all()
    elements = defaultdict(lambda: {"waits": [], "late": 0, "open": []})
    for element, title, titles, state, created, completed, due in rows:
        item = elements[element]
        item.update(title=title, titles=titles or {})
        if state == "open":
            item["open"].append(window.now - created)
        else:
            item["waits"].append(completed - created)
            item["late"] += due is not None and completed > due
    result = [{"element_id": element, "title": item["title"], "titles": item["titles"],
               **summary(item["waits"]), "late": item["late"], "open": len(item["open"]),
               "oldest_open": max(item["open"], default=None)}
              for element, item in elements.items()]
    result.sort(key=lambda r: (r["p90"] is None, -(r["p90"] or timedelta()).total_seconds(), r["element_id"]))
    return result


def overdue(window, limit=100):
    """Open tasks past their due time now, the latest first (at most ``limit``), and how many.

    :return: ``{"total": n, "tasks": [{"task_id", "instance_id", "element_id", "title",
        "titles", "subject", "assignee", "candidate_role", "due_at", "late"}]}``
    """
    late = and_(HumanTask.state == "open", HumanTask.due_at < window.now)
    matching = _tasks(window, HumanTask.id).where(late).subquery()
    total = db.session.scalar(select(func.count()).select_from(matching))
    rows = db.session.execute(_tasks(
        window, HumanTask.id, HumanTask.instance_id, HumanTask.element_id, HumanTask.title,
        HumanTask.titles, HumanTask.subject, HumanTask.assignee, HumanTask.candidate_role,
        HumanTask.due_at).where(late).order_by(HumanTask.due_at, HumanTask.id).limit(limit))
    tasks = [{"task_id": r.id, "instance_id": r.instance_id, "element_id": r.element_id, "title": r.title,
              "titles": r.titles or {}, "subject": r.subject, "assignee": r.assignee,
              "candidate_role": r.candidate_role, "due_at": r.due_at, "late": window.now - r.due_at}
             for r in rows]
    return {"total": total, "tasks": tasks}


def dashboard(window):
    """Every figure of ``window``, by name: ``weekly``, ``cycle_time``, ``waiting``, ``overdue``."""
    return {"weekly": weekly(window), "cycle_time": cycle_time(window), "waiting": waiting(window),
            "overdue": overdue(window)}
