"""Deadlines that pause while another task of the case is open (docs/calendars.md).

A user task whose spiff property ``pausesDeadlineOf`` names another user task of the
process (its element id; several separated by commas) stops that task's deadline while it
is open: "the analyst asks the partner for more documents; the analysis deadline pauses
while the request is open".

The deadline belongs to the case's *element*, not to one task row: in BPMN the analyst
asking for documents usually completes the analysis ("more documents"), the partner's task
opens, then the analysis opens again, and the new analysis task must keep the old deadline
plus the time paused. So each case keeps a ledger, one :class:`~engine.models.CaseDeadline`
per element whose deadline some task may pause: the due time computed when the deadline
started, the time paused so far (working time of its business calendar, or wall time for
``dueIn``), and the moment the running pause began.

After every step (:func:`sync`, from the human-task projection) an element's deadline:

- **starts** when a task of the element opens and the deadline is new or ``ended``;
  its due time is the one the task computed (``dueIn`` / ``dueInBusinessDays`` / ...);
- is **paused** while at least one task pausing it is open (overlapping requests make one
  pause, from the first opening to the last closing; a request cancelled by a boundary
  event closes like a completed one);
- **runs** otherwise, also between a request closing and the element's task opening again,
  which then takes the deadline on: its due time is the start's plus the time paused;
- **ends** when the element's task closes with no request open, or when the last request
  closes after the element's task was completed during the pause (it stayed open when the
  pause began): the next task of the element (a later loop round) starts a new deadline.

While paused, the element's open tasks have no ``due_at`` (so no warning, no "overdue",
no lateness in a report) and ``paused_since`` set; when the pause ends they get the new
due time, and their due-soon warning is armed again.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta, timezone

from . import calendars, task_meta
from .checks import problem
from .db import db
from .models import CaseDeadline, HumanTask

PROPERTY = "pausesDeadlineOf"
RUNNING, PAUSED, ENDED = "running", "paused", "ended"


def targets_of(task_spec):
    """The element ids whose deadline ``task_spec`` pauses while open (its ``pausesDeadlineOf``)."""
    raw = task_meta.properties(task_spec).get(PROPERTY) or ""
    return tuple(dict.fromkeys(part.strip() for part in str(raw).split(",") if part.strip()))


def paused_elements(workflow):
    """``{element id: its task spec}`` of the user tasks of the workflow's process whose
    deadline some user task may pause (cached on the spec: every case of a version shares it)."""
    spec = workflow.spec
    cached = getattr(spec, "_tasklane_paused", None)
    if cached is None:
        task_specs = [ts for s in (spec, *workflow.subprocess_specs.values()) for ts in s.task_specs.values()]
        by_id = {ts.bpmn_id: ts for ts in task_specs if getattr(ts, "bpmn_id", None)}
        cached = {target: by_id[target] for ts in task_specs if getattr(ts, "manual", False)
                  for target in targets_of(ts) if target in by_id}
        spec._tasklane_paused = cached
    return cached


def due_of(entry, now=None):
    """The due time of ``entry``'s deadline (UTC): its start's due plus the time paused,
    with the running pause counted up to ``now`` when given."""
    paused = timedelta(seconds=entry.paused_seconds or 0)
    if entry.paused_since is not None and now is not None:
        paused += _measure(entry, entry.paused_since, now)
    if entry.calendar:
        due = calendars.add_working_time(entry.base_due_at, paused, calendar=entry.calendar)
        return due.astimezone(timezone.utc)
    return entry.base_due_at + paused


def _measure(entry, start, end):
    if entry.calendar:
        return calendars.working_time(start, end, calendar=entry.calendar)
    return max(end - start, timedelta(0))


def sync(instance, workflow, ready, open_rows, opened, closed, now, audit=None):
    """Bring the case's ledger and its tasks' due times up to date after a step.

    :param ready: ``{task id: READY user task}`` (one open row each, after this step)
    :param open_rows: the open rows after this step (``opened`` among them)
    :param opened: rows opened in this step, their due computed afresh
    :param closed: rows closed in this step
    :param audit: ``audit(kind, element_id=..., details=...)``: records ``deadline_paused``
        and ``deadline_resumed``
    """
    elements = paused_elements(workflow)
    if not elements:
        return
    entries = {e.element_id: e for e in db.session.query(CaseDeadline).filter_by(instance_id=instance.id)}
    pausing = defaultdict(list)
    for task in ready.values():
        for target in targets_of(task.task_spec):
            pausing[target].append(task.task_spec.bpmn_id)
    for element in sorted(elements):
        step = _Step(element, [r for r in open_rows if r.element_id == element],
                     [r for r in opened if r.element_id == element],
                     [r for r in closed if r.element_id == element], sorted(set(pausing.get(element, ()))))
        _sync_element(instance, elements[element], entries.get(element), step, now, audit or _no_audit)


@dataclass
class _Step:
    """One element's part of a step: its open rows after it (``mine``), the ones opened and
    closed in it, and the element ids of the open tasks that pause it."""

    element: str
    mine: list
    new: list
    closed: list
    pausing: list


def _no_audit(kind, **fields):
    return None


def _sync_element(instance, task_spec, entry, step, now, audit):
    live = entry is not None and entry.state != ENDED
    earlier = [row for row in step.mine if row not in step.new]
    if live and step.closed and not step.pausing and not earlier:
        # the element's task closed with no request open: this deadline is over (a task of
        # the element opening in the same step, a loop's next round, starts a new one)
        _resume(entry, step, now, audit)
        _close(entry, step.closed, now)
        entry.state = ENDED
    if step.new and (entry is None or entry.state == ENDED):
        entry = _start(instance, task_spec, entry, step.new[0], step.new[0].due_at, step.new[0].created_at)
    elif entry is None and step.pausing and (step.mine or step.closed):
        # a case whose task opened before its version named a pause (a migrated case): the
        # deadline is the one that task had
        first = min(step.mine + step.closed, key=lambda row: row.created_at)
        entry = _start(instance, task_spec, None, first, first.due_at, first.created_at)
    if entry is None or entry.state == ENDED:
        return
    since = entry.paused_since
    if step.pausing and since is None:
        due = due_of(entry)
        entry.paused_since, entry.state, entry.pauses = now, PAUSED, (entry.pauses or 0) + 1
        audit("deadline_paused", element_id=step.element,
              details={"by": step.pausing, "due_before": due.isoformat()})
    elif not step.pausing:
        _resume(entry, step, now, audit)
        if since is not None and not step.mine and not _handed_over(instance, step.element, since):
            # the task stayed open when the pause began and was completed during it: its
            # deadline is over (one that closed as the pause began comes back for it)
            entry.state = ENDED
    _close(entry, step.closed, now)
    for row in step.mine:
        _show(row, entry, fresh=row in step.new)


def _handed_over(instance, element, since):
    """Whether the element's last task closed at ``since``, the moment the pause began (it
    completed with "more documents" and the request opened: it is to open again)."""
    last = db.session.query(HumanTask.completed_at).filter(
        HumanTask.instance_id == instance.id, HumanTask.element_id == element, HumanTask.state != "open",
    ).order_by(HumanTask.created_at.desc()).first()
    return last is not None and last.completed_at == since


def _resume(entry, step, now, audit):
    """End ``entry``'s running pause, if any: the time it took is added to the deadline."""
    if entry.paused_since is None:
        return
    paused = _measure(entry, entry.paused_since, now)
    entry.paused_seconds = (entry.paused_seconds or 0) + paused.total_seconds()
    entry.paused_since, entry.state = None, RUNNING
    audit("deadline_resumed", element_id=step.element,
          details={"paused_seconds": paused.total_seconds(), "calendar": entry.calendar,
                   "due_at": due_of(entry).isoformat()})


def _close(entry, rows, now):
    """Closed rows keep the due time they had, the time paused up to ``now`` included."""
    for row in rows:
        row.due_at, row.paused_since = due_of(entry, now), None


def _start(instance, task_spec, entry, row, due, started):
    """A new deadline for ``row``'s element (or ``None`` when its task has no due time)."""
    if due is None:
        return None
    if entry is None:
        entry = CaseDeadline(instance_id=instance.id, element_id=row.element_id)
        db.session.add(entry)
    entry.started_at, entry.base_due_at = started, due
    entry.calendar = _calendar_of(task_spec)
    entry.paused_seconds, entry.paused_since, entry.pauses, entry.state = 0.0, None, 0, RUNNING
    return entry


def _calendar_of(task_spec):
    """The calendar a task's deadline counts in: its business calendar, or ``None`` (wall time)."""
    props = task_meta.properties(task_spec)
    if not any(props.get(name) for name in task_meta.BUSINESS_DUE.values()):
        return None
    return calendars.get(props.get("businessCalendar") or None).name


def _show(row, entry, fresh):
    """The open ``row`` as its element's deadline stands: no due time while paused, else the
    deadline's (a row whose pause just ended is warned again as the new time nears)."""
    if entry.paused_since is not None:
        due, since = None, entry.paused_since
    else:
        due, since = due_of(entry), None
    if (row.due_at, row.paused_since) == (due, since):
        return
    if not fresh and row.paused_since is not None and since is None:
        row.due_notified_at = None
    row.due_at, row.paused_since = due, since
    row.sort_key = task_meta.sort_key(row.priority, due, row.created_at)


def move(instance_id, delta):
    """The test clock (engine/testclock.py): the case's running deadlines come ``delta``
    sooner and its running pauses began ``delta`` earlier, as if ``delta`` had passed.

    :returns: ``[(element_id, due before, due after)]`` of the deadlines moved
    """
    moved = []
    for entry in db.session.query(CaseDeadline).filter(CaseDeadline.instance_id == instance_id,
                                                       CaseDeadline.state != ENDED):
        before = due_of(entry)
        entry.base_due_at -= delta
        entry.started_at -= delta
        if entry.paused_since is not None:
            entry.paused_since -= delta
        moved.append((entry.element_id, before, due_of(entry)))
    return moved


def deadlines(instance_id, now):
    """The case's deadlines that tasks may pause, for a page or the API (a deal shows its
    analysis deadline while the analysis task is closed and the partner's request open).

    :returns: ``[{"element_id", "state", "due_at", "paused", "paused_since", "paused_seconds",
        "started_at", "calendar"}]`` by element id; ``due_at`` is ``None`` while paused,
        ``paused_seconds`` counts the running pause up to ``now``
    """
    result = []
    for entry in db.session.query(CaseDeadline).filter_by(instance_id=instance_id).order_by(
            CaseDeadline.element_id):
        paused = entry.paused_since is not None
        so_far = timedelta(seconds=entry.paused_seconds or 0)
        if paused:
            so_far += _measure(entry, entry.paused_since, now)
        result.append({"element_id": entry.element_id, "state": entry.state,
                       "due_at": None if paused else due_of(entry), "paused": paused,
                       "paused_since": entry.paused_since, "paused_seconds": so_far.total_seconds(),
                       "started_at": entry.started_at, "calendar": entry.calendar})
    return result



def problems(specs):
    """What deploy refuses in ``pausesDeadlineOf`` across a process's ``specs`` (its own and
    its sub-processes'): a task naming an element that is not one of them, that is not a user
    task, that has no due time, or itself; and the property on anything but a user task.

    :returns: ``[{"element", "message", "severity"}]``, the pausing task as the element and the
        paused one named in the message
    """
    by_id = {ts.bpmn_id: ts for s in specs for ts in s.task_specs.values() if getattr(ts, "bpmn_id", None)}
    found = []
    for element, task_spec in sorted(by_id.items()):
        targets = targets_of(task_spec)
        if targets and not getattr(task_spec, "manual", False):
            found.append(problem(element, f"{PROPERTY} is set on '{element}', which is not a user task: "
                                          "only an open user task pauses a deadline"))
            continue
        for target in targets:
            message = _target_problem(element, target, by_id.get(target))
            if message:
                found.append(problem(element, f"{PROPERTY}: {message}"))
    return found


def _target_problem(element, target, target_spec):
    if target == element:
        return f"'{element}' names itself; a task pauses the deadline of another task"
    if target_spec is None:
        return f"'{element}' pauses the deadline of '{target}', which is not an element of this process"
    if not getattr(target_spec, "manual", False):
        return f"'{element}' pauses the deadline of '{target}', which is not a user task"
    props = task_meta.properties(target_spec)
    if not (props.get("dueIn") or any(props.get(name) for name in task_meta.BUSINESS_DUE.values())):
        return (f"'{element}' pauses the deadline of '{target}', which has none: give '{target}' "
                "dueIn, dueInBusinessDays or dueInBusinessHours")
    return None
