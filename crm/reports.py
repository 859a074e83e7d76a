"""The telesales team lead's reports on lead handling (issue 4): queries returning plain data.

Every report reads one :class:`Scope`: a half-open UTC range ``[start, end)`` that the
web layer computes from the reader's period and time zone, that zone (calls are counted
per local day), optional ``owner`` / ``source`` filters, and ``now``. The exact
definitions and their edge cases are in docs/reports.md.

Nothing here depends on one database: times are compared as stored (UTC), and local
days are computed in Python from the rows one query returns.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from engine.db import db
from engine.errors import ValidationError
from engine.metrics import percentile
from engine.models import HumanTask, ProcessInstance, Timer
from engine.places import place
from engine.types import utcnow

from .models import STATUSES, Customer, Interaction, Order
from .records import DOMAIN  # the reports read the leads' customers: days in their place

LEAD_PROCESS = "lead_handling"
CALL_TASKS = ("call_lead", "call_contact")
CALLBACK_TIMERS = ("wait_callback", "wait_24h", "wait_next_call")
# A call-back timer still pending this long after its time has not fired: the worker is
# not running, the rep was never reminded, and the customer waits all the same.
STUCK_AFTER = timedelta(minutes=15)
# Call outcomes in the order the two call forms list them; others follow, sorted.
OUTCOMES = ("reached", "not_reached", "no_need", "wrong_number", "interested", "thinking",
            "consulting_family", "price_objection", "busy", "no_answer", "bought",
            "bought_elsewhere", "not_interested")
STAGES = ("leads", "called", "contact", "ordered")



@dataclass(frozen=True)
class Scope:
    """What a report covers: ``[start, end)`` in UTC, the reader's zone, filters, now.

    :raises ValidationError: a naive time, or ``start`` after ``end``
    """

    start: datetime
    end: datetime
    zone: str = None   # None: the leads domain's (engine/places.py)
    owner: str | None = None
    source: str | None = None
    now: datetime = field(default_factory=utcnow)

    def __post_init__(self):
        if self.zone is None:
            object.__setattr__(self, "zone", place(DOMAIN).zone)
        if self.start.tzinfo is None or self.end.tzinfo is None or self.now.tzinfo is None:
            raise ValidationError("report times must be aware (UTC)")
        if self.start > self.end:
            raise ValidationError("the report's range ends before it starts")

    def days(self):
        """The local days the range touches, in order (none for an empty range)."""
        if self.start >= self.end:
            return []
        zone = ZoneInfo(self.zone)
        first = self.start.astimezone(zone).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(zone).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _created_in(scope):
    """Customers created in the range, of the owner and source asked for."""
    clauses = [Customer.created_at >= scope.start, Customer.created_at < scope.end]
    if scope.owner:
        clauses.append(Customer.owner == scope.owner)
    if scope.source:
        clauses.append(Customer.source == scope.source)
    return clauses


def _ordered(codes, known):
    """``codes`` in the order of ``known``, unknown ones after it, sorted."""
    return [c for c in known if c in codes] + sorted(c for c in codes if c not in known)


def leads_by_source_and_status(scope):
    """Customers created in the range, by source and by the status they have now.

    :returns: ``{"statuses", "rows": [{"source", "counts": {status: n}, "total"}],
        "totals": {status: n}, "total"}``, the largest source first
    """
    query = (select(Customer.source, Customer.status, func.count(Customer.id))
             .where(*_created_in(scope)).group_by(Customer.source, Customer.status))
    by_source, totals = {}, Counter()
    for source, status, count in db.session.execute(query):
        by_source.setdefault(source, Counter())[status] += count
        totals[status] += count
    statuses = list(STATUSES) + sorted(s for s in totals if s not in STATUSES)
    rows = [{"source": source, "counts": {s: counts[s] for s in statuses}, "total": sum(counts.values())}
            for source, counts in by_source.items()]
    rows.sort(key=lambda row: (-row["total"], row["source"]))
    return {"statuses": statuses, "rows": rows, "totals": {s: totals[s] for s in statuses},
            "total": sum(totals.values())}


def calls_per_rep_per_day(scope):
    """Calls made in the range, per local day of the reader's zone, per rep, per outcome.

    The rep is the one who made the call (``owner`` filters on them); ``source`` on the
    customer called. A call without outcome counts as ``"other"``.

    :returns: ``{"days", "reps", "outcomes", "rows": [{"day", "rep", "counts", "total"}],
        "by_rep": {rep: {"counts", "total"}}, "totals": {outcome: n}, "total"}``
    """
    query = select(Interaction.at, Interaction.author, Interaction.outcome).where(
        Interaction.channel == "call", Interaction.at >= scope.start, Interaction.at < scope.end)
    if scope.owner:
        query = query.where(Interaction.author == scope.owner)
    if scope.source:
        query = query.join(Customer, Customer.id == Interaction.customer_id).where(
            Customer.source == scope.source)
    zone = ZoneInfo(scope.zone)
    cells, by_rep, totals = {}, {}, Counter()
    for at, author, outcome in db.session.execute(query):
        outcome = outcome or "other"
        cells.setdefault((at.astimezone(zone).date(), author), Counter())[outcome] += 1
        by_rep.setdefault(author, Counter())[outcome] += 1
        totals[outcome] += 1
    outcomes = _ordered(set(totals), OUTCOMES)
    rows = [{"day": day, "rep": rep, "counts": {o: counts[o] for o in outcomes}, "total": counts.total()}
            for (day, rep), counts in sorted(cells.items())]
    return {"days": scope.days(), "reps": sorted(by_rep), "outcomes": outcomes, "rows": rows,
            "by_rep": {rep: {"counts": {o: c[o] for o in outcomes}, "total": c.total()}
                       for rep, c in sorted(by_rep.items())},
            "totals": {o: totals[o] for o in outcomes}, "total": totals.total()}


def _first_calls():
    """``(customer_id, at)`` of each customer's first call, whatever its outcome."""
    return (select(Interaction.customer_id, func.min(Interaction.at).label("at"))
            .where(Interaction.channel == "call").group_by(Interaction.customer_id).subquery())


def _waits(pairs, now):
    """The summary of ``[(created_at, first_call_at or None)]``."""
    waits = sorted(called - created for created, called in pairs if called is not None)
    waiting = [now - created for created, called in pairs if called is None]
    return {"leads": len(pairs), "called": len(waits), "waiting": len(waiting),
            "median": median(waits) if waits else None,
            "p90": percentile(waits, 0.9) if waits else None,
            "average": sum(waits, timedelta()) / len(waits) if waits else None,
            "oldest_waiting": max(waiting) if waiting else None}


def intake_to_first_call(scope):
    """How long leads created in the range waited for their first call, per owner.

    The first call is the earliest call of the customer, reached or not, whenever it was
    made (also after the range). Leads not called yet count as waiting, until ``now``.

    :returns: ``{"team": summary, "reps": [{"rep": owner or None, **summary}]}``; a
        summary is ``{"leads", "called", "waiting", "median", "p90", "average",
        "oldest_waiting"}`` with durations as ``timedelta`` (``None`` when nothing to measure)
    """
    first = _first_calls()
    query = (select(Customer.owner, Customer.created_at, first.c.at)
             .outerjoin(first, first.c.customer_id == Customer.id).where(*_created_in(scope)))
    everyone, per_owner = [], {}
    for owner, created, called in db.session.execute(query):
        everyone.append((created, called))
        per_owner.setdefault(owner, []).append((created, called))
    reps = [{"rep": owner, **_waits(pairs, scope.now)}
            for owner, pairs in sorted(per_owner.items(), key=lambda item: (item[0] is None, item[0] or ""))]
    return {"team": _waits(everyone, scope.now), "reps": reps}


def _stage(kind, called, has_order):
    """How far one lead went: 0 created, 1 called, 2 contact, 3 ordered (each implies the ones before)."""
    if has_order or kind == "customer":
        return 3
    if kind == "contact":
        return 2
    return 1 if called else 0


def conversion_funnel(scope):
    """Leads created in the range, and how many of them were called, became contacts, ordered.

    A cohort: what happened to these leads up to now, also after the range ends.

    :returns: ``{"leads", "stages": [{"stage", "count", "of_leads", "of_previous"}]}``;
        rates are fractions, ``None`` when there is nothing to divide by
    """
    called = exists().where(Interaction.customer_id == Customer.id, Interaction.channel == "call")
    ordered = exists().where(Order.customer_id == Customer.id)
    query = select(Customer.kind, called.label("called"), ordered.label("ordered")).where(*_created_in(scope))
    reached = Counter(_stage(kind, was_called, has_order) for kind, was_called, has_order
                      in db.session.execute(query))
    counts = [sum(n for stage, n in reached.items() if stage >= level) for level in range(len(STAGES))]
    stages = []
    for level, name in enumerate(STAGES):
        previous = counts[level - 1] if level else counts[0]
        stages.append({"stage": name, "count": counts[level],
                       "of_leads": counts[level] / counts[0] if counts[0] else None,
                       "of_previous": counts[level] / previous if previous else None})
    return {"leads": counts[0], "stages": stages}


def _late_call_tasks(scope):
    """Open call tasks past their due time in cases whose customer was called before."""
    earlier = aliased(HumanTask)
    called_before = exists().where(earlier.instance_id == HumanTask.instance_id, earlier.state == "completed",
                                   earlier.element_id.in_(CALL_TASKS))
    # The timer that brought the task back fired in the step that opened it: same time.
    timer_due = (select(Timer.due_at).where(
        Timer.instance_id == HumanTask.instance_id, Timer.state == "fired",
        Timer.element_id.in_(CALLBACK_TIMERS), Timer.fired_at == HumanTask.created_at)
        .limit(1).correlate(HumanTask).scalar_subquery())
    rep = func.coalesce(HumanTask.assignee, Customer.owner)
    query = (select(HumanTask.instance_id, HumanTask.id, HumanTask.element_id, HumanTask.due_at,
                    func.coalesce(timer_due, HumanTask.created_at), Customer.id,
                    func.coalesce(Customer.name, HumanTask.subject),
                    func.coalesce(Customer.phone, HumanTask.subject_phone), rep)
             .outerjoin(Customer, Customer.instance_id == HumanTask.instance_id)
             .where(HumanTask.state == "open", HumanTask.definition_key == LEAD_PROCESS,
                    HumanTask.element_id.in_(CALL_TASKS), HumanTask.due_at < scope.now, called_before))
    keys = ("instance_id", "task_id", "step", "due_at", "callback_at", "customer_id", "name", "phone", "rep")
    return [dict(zip(keys, row, strict=True)) for row in _filtered(query, scope, rep)]


def _stuck_timers(scope):
    """Call-back timers that should have fired more than :data:`STUCK_AFTER` ago and did not."""
    query = (select(Timer.instance_id, Timer.element_id, Timer.due_at, Customer.id, Customer.name,
                    Customer.phone, Customer.owner)
             .join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
             .outerjoin(Customer, Customer.instance_id == Timer.instance_id)
             .where(Timer.state == "pending", Timer.element_id.in_(CALLBACK_TIMERS),
                    ProcessInstance.definition_key == LEAD_PROCESS, Timer.due_at < scope.now - STUCK_AFTER))
    keys = ("instance_id", "step", "callback_at", "customer_id", "name", "phone", "rep")
    rows = [dict(zip(keys, row, strict=True)) for row in _filtered(query, scope, Customer.owner)]
    for row in rows:
        row.update(task_id=None, due_at=row["callback_at"] + STUCK_AFTER)
    return rows


def _filtered(query, scope, rep):
    """The rows of ``query`` for the rep (``rep`` is its column) and source asked for."""
    if scope.owner:
        query = query.where(rep == scope.owner)
    if scope.source:
        query = query.where(Customer.source == scope.source)
    return db.session.execute(query).all()


def overdue_callbacks(scope):
    """Call-backs not made in time, now (the range does not apply), the latest first.

    Listed: an open ``call_lead`` / ``call_contact`` task past its due time in a case
    where a call task was completed before (so it came back for a call-back; ``step`` is
    the task), and a call-back timer still pending :data:`STUCK_AFTER` after its time
    (``step`` is the timer, ``task_id`` None). ``callback_at`` is the agreed call-back
    time (the due time of the timer that brought the task back; when the task opened, if
    the rep chose a time already past), ``late`` the time since it. ``rep`` is who holds
    the task, else the customer's owner (``owner`` filters on it).

    :returns: ``[{"instance_id", "task_id", "step", "due_at", "callback_at", "late",
        "customer_id", "name", "phone", "rep"}]``
    """
    rows = _late_call_tasks(scope) + _stuck_timers(scope)
    for row in rows:
        row["late"] = scope.now - row["callback_at"]
    return sorted(rows, key=lambda row: (-row["late"], row["instance_id"]))
