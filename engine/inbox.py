"""The inbox queries: which human tasks a user sees, filtered, ordered and paged.

Tabs: ``mine`` (open tasks assigned to the user), ``queue`` (open, unassigned tasks
of the user's roles; tasks of a diagram without lanes are open to all staff),
``all`` (every open task: managers), ``done`` (tasks the user completed).

Orders (:data:`ORDERS`): ``due`` is ``sort_key`` (priority, due time, age), served by
one index per tab; ``newest`` is the task that opened last first. The team queue opens
newest first (:func:`default_order`): a lead that came in a minute ago is called within
minutes instead of waiting under every overdue one (docs/crm.md "The team queue"); the
other tabs open by due time. ``newest`` reads the tab's index range (state, role,
assignee) and sorts only the rows of that range, the open queue, never the whole table.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from . import task_meta
from .db import db
from .models import HumanTask
from .places import place

TABS = ("mine", "queue", "all", "done")
# Counts stop here: an exact count grows with the table, a capped one costs the same at
# 10,000 and 1,000,000 tasks; the page shows "1,000+" and pages up to the cap.
COUNT_CAP = 1000
DUE_FILTERS = ("overdue", "today", "week", "none")
ORDERS = ("newest", "due")
MAX_PER_PAGE = 100


@dataclass
class Viewer:
    """Who is looking: ``roles`` decide the queue; ``sees_all`` allows the ``all`` tab."""

    username: str
    roles: frozenset
    sees_all: bool = False
    timezone: str = None   # None: the default place's (engine/places.py)
    staff: bool = True

    def __post_init__(self):
        self.timezone = self.timezone or place().zone


@dataclass
class Filters:
    tab: str = "mine"
    process: str = None
    due: str = None
    assignee: str = None  # a username, or "-" for unassigned (the all tab)
    search: str = None
    phone: object = None  # ``search`` read as a phone number (forms.phone_search.read); None: not one
    page: int = 1
    per_page: int = 25
    order: str = None  # one of ORDERS; None: the tab's default (default_order)


def default_order(tab):
    """The team queue newest first (fresh leads are called first); other tabs by due time."""
    return "newest" if tab == "queue" else "due"


def ordering(filters):
    """The ORDER BY of a page: completed tasks last completed first, else :data:`ORDERS`."""
    if filters.tab == "done":
        return [HumanTask.completed_at.desc(), HumanTask.id]
    if (filters.order or default_order(filters.tab)) == "newest":
        return [HumanTask.created_at.desc(), HumanTask.id]
    return [HumanTask.sort_key]


def scope(viewer, tab):
    """The WHERE clauses of one tab for ``viewer`` (an empty list: nothing to see)."""
    if tab == "mine":
        return [HumanTask.state == "open", HumanTask.assignee == viewer.username]
    if tab == "queue":
        roles = sorted(viewer.roles)
        allowed = HumanTask.candidate_role.in_(roles)
        if viewer.staff:
            allowed = or_(allowed, HumanTask.candidate_role.is_(None))
        return [HumanTask.state == "open", HumanTask.assignee.is_(None), allowed]
    if tab == "all":
        return [HumanTask.state == "open"] if viewer.sees_all else [False]
    if tab == "done":
        return [HumanTask.state == "completed", HumanTask.completed_by == viewer.username]
    raise ValueError(f"unknown tab {tab!r}")


def _narrow(viewer, filters, now):
    clauses = []
    if filters.process:
        clauses.append(HumanTask.definition_key == filters.process)
    if filters.assignee == "-":
        clauses.append(HumanTask.assignee.is_(None))
    elif filters.assignee:
        clauses.append(HumanTask.assignee == filters.assignee)
    if filters.due == "overdue":
        clauses.append(HumanTask.due_at < now)
    elif filters.due in ("today", "week"):
        start, end = _day_bounds(now, viewer.timezone, 1 if filters.due == "today" else 7)
        clauses += [HumanTask.due_at >= start, HumanTask.due_at < end]
    elif filters.due == "none":   # a task whose deadline is paused has one, not running
        clauses += [HumanTask.due_at.is_(None), HumanTask.paused_since.is_(None)]
    return clauses + search_clauses(filters.search, filters.phone)


def search_clauses(search, phone=None):
    """Task rows about the customer ``search`` names: by number when ``phone`` (``search``
    read as a phone number, :func:`forms.phone_search.read`, asked by the caller since the
    engine sits below forms) is given, else by name word by word, without accents.

    :param phone: a :class:`forms.phone_search.PhoneSearch`, or ``None``: not a number
    """
    if phone is not None:
        return [phone.condition(HumanTask.search_text)]
    if not search or not search.strip():
        return []
    return [HumanTask.search_text.contains(word, autoescape=True)
            for word in task_meta.search_text(search, None).split()]


def _day_bounds(now, zone, days):
    local = now.astimezone(ZoneInfo(zone))
    start = datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)
    return start, start + timedelta(days=days)


def page(viewer, filters, now):
    """``(rows, total)``: one page of the tab, and how many rows it holds with the filters
    (at most :data:`COUNT_CAP` + 1: more than the cap reads as "over the cap")."""
    narrow = _narrow(viewer, filters, now)
    where = scope(viewer, filters.tab) + narrow
    per_page = max(1, min(MAX_PER_PAGE, filters.per_page))
    rows = db.session.scalars(select(HumanTask).where(*where).order_by(*ordering(filters))
                              .limit(per_page).offset((max(1, filters.page) - 1) * per_page)).all()
    return rows, _count(viewer, filters.tab, narrow)


def _count(viewer, tab, narrow):
    """Rows of ``tab``, capped. The queue is counted as two index ranges (its roles, and
    no role) rather than one scan that an ``OR`` would force."""
    if tab == "queue" and viewer.staff:
        base = [HumanTask.state == "open", HumanTask.assignee.is_(None)]
        parts = [base + [HumanTask.candidate_role.in_(sorted(viewer.roles))],
                 base + [HumanTask.candidate_role.is_(None)]]
    else:
        parts = [scope(viewer, tab)]
    total = 0
    for where in parts:
        capped = select(HumanTask.id).where(*where, *narrow).limit(COUNT_CAP + 1 - total).subquery()
        total += db.session.scalar(select(func.count()).select_from(capped))
        if total > COUNT_CAP:
            break
    return total


def counts(viewer, now, filters=None, known=None):
    """How many tasks each tab holds (capped, with the same filters if given).

    :param known: ``{tab: count}`` already counted (the page's own tab), not counted again
    """
    filters = filters or Filters()
    narrow = _narrow(viewer, filters, now)
    tabs = [t for t in TABS if t != "all" or viewer.sees_all]
    known = known or {}
    return {tab: known[tab] if tab in known else _count(viewer, tab, narrow) for tab in tabs}


def overdue_count(viewer, now):
    """Open tasks of the user that are past due (for the header badge)."""
    return db.session.scalar(select(func.count()).select_from(HumanTask).where(
        *scope(viewer, "mine"), HumanTask.due_at < now))
