"""Repairing a case with an incident: correct its data, then retry what failed.

An incident (engine/incidents.py) leaves the case as it was before the change that
failed. Its process owner can then:

- **correct its data** (:func:`correct_data`): set or remove top-level variables in the
  data of every task the case waits at and of every finished one it holds (a task that
  becomes ready copies its parent's data again), so its next steps read them. Nothing
  runs and the incident stays: a correction is not proof that the case can go on.
  Audited as ``data_corrected`` with the values before and after.
- **retry** (:func:`retry`): in one unit of work, re-run what failed: the case's parked
  timers fire again (SpiffWorkflow fires a due timer at the next engine step), engine
  steps left ready run (a task left in ERROR is made ready again), waiting conditional
  events are evaluated again, failed starts of other processes this case asked for are
  queued again, and the case is checked for being stuck. Success clears the incident
  with an ``incident_retried`` event; a failure rolls everything back and records the
  incident again (a 422 for the caller).

Both name the ``lock_version`` of the case the person looked at: a case that changed
meanwhile (another retry, a task completed) is refused with :class:`CaseChangedError`
(409), so a race changes nothing twice.
"""
import json
import keyword
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update

from . import unit
from .db import db
from .errors import CaseDataTooLargeError, ConflictError, NotFoundError, StuckError, ValidationError
from .faults import as_incident
from .models import AuditEvent, Outbox, ProcessInstance, Timer
from .runtime import run_engine
from .stuck import stopped_at

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
MAX_NAME = 255


class CaseChangedError(ConflictError):
    """The case is not at the ``lock_version`` the request was made on; ``winner``: who
    changed it last."""

    code = "case_changed"


class NoIncidentError(ConflictError):
    """A retry of a case that has no incident (any more)."""

    code = "no_incident"


class CaseEndedError(ConflictError):
    """A correction of a case that has ended, a retry of a cancelled one."""

    code = "case_ended"


class DataCorrectionError(ValidationError):
    """A correction that cannot be stored; ``problems`` maps each variable to a reason code:
    ``not_a_name`` (not a name a script can read), ``unknown`` (removing a variable the case
    does not hold), ``too_large`` (the case's data would pass its limit)."""

    code = "invalid_data"

    def __init__(self, message, problems):
        super().__init__(message, fields=dict(problems))
        self.problems = dict(problems)


@dataclass
class Correction:
    """What a correction changed: ``before`` and ``after`` of the variables set, ``removed``."""

    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)
    removed: list = field(default_factory=list)
    instance: object = None   # the case as saved (None when nothing changed)

    @property
    def changed(self):
        return bool(self.after or self.removed)


def live_data(workflow):
    """The case's variables as its next steps will read them: the data of the tasks it
    waits at, the one that changed last winning."""
    merged = {}
    for task in sorted(workflow.get_tasks(state=LIVE), key=lambda t: t.last_state_change):
        merged.update(task.data)
    return merged


def variables(runtime, instance_id):
    """``(data, instance)``: the case's variables as :func:`correct_data` reads them, and the
    case they were read from (its ``lock_version`` is the one a correction names).

    :raises NotFoundError: no such case
    """
    instance = db.session.get(ProcessInstance, instance_id, populate_existing=True)
    if instance is None:
        raise NotFoundError(f"process instance {instance_id} does not exist")
    return live_data(runtime.restore(instance)), instance


def correct_data(runtime, instance_id, *, actor, lock_version, values=None, removed=(), reason=None):
    """Set ``values`` and remove ``removed`` in the data of the case's live and finished tasks.

    :param lock_version: the case's ``lock_version`` the correction was made on
    :param values: ``{name: JSON value}`` to set; a value equal to the current one is no change
    :param removed: names to remove
    :param reason: why (kept in the audit event)
    :returns: the :class:`Correction` (empty, and nothing written, when nothing changes)
    :raises NotFoundError: no such case
    :raises CaseEndedError: the case is completed or cancelled
    :raises CaseChangedError: the case is no longer at ``lock_version``
    :raises DataCorrectionError: a name scripts cannot read, a removed name the case does not
        hold, or data past the case's size limit; nothing is written
    """
    values, removed = dict(values or {}), list(dict.fromkeys(removed))
    problems = {name: "not_a_name" for name in [*values, *removed] if not is_variable(name)}
    if problems:
        raise DataCorrectionError("not a variable name a script can read", problems)
    found = Correction()

    def action(work):
        work.resolves = False
        _refuse_if_changed(work.instance, lock_version, ("running",))
        current = live_data(work.workflow)
        unknown = {name: "unknown" for name in removed if name not in current}
        if unknown:
            raise DataCorrectionError("the case holds no such variable", unknown)
        found.after = {k: v for k, v in values.items() if k not in current or current[k] != v}
        found.before = {k: current[k] for k in found.after if k in current}
        found.removed = removed
        if not found.changed:
            raise _Unchanged
        # SpiffWorkflow copies a task's data from its parent again when it becomes ready (a
        # waiting timer that fires, a join): the finished tasks carry the correction too.
        for task in work.workflow.get_tasks(state=LIVE | TaskState.COMPLETED):
            for name in removed:
                task.data.pop(name, None)
            task.data.update(json.loads(json.dumps(found.after)))  # each task its own copy
        work.audit("data_corrected", data_before={**found.before, **{k: current[k] for k in removed}},
                   data_after=found.after,
                   details={"removed": removed, "reason": reason, "incident": work.instance.error})

    try:
        found.instance = unit.run(runtime, instance_id, actor, action).instance
    except _Unchanged:
        return Correction()
    except CaseDataTooLargeError as error:
        raise DataCorrectionError(error.message, {name: "too_large" for name in values}) from error
    return found


def retry(runtime, instance_id, *, actor, lock_version):
    """Re-run what failed in a case with an incident; see the module's docstring.

    :returns: the :class:`~engine.unit.Unit` that retried (``instance`` without its error)
    :raises NotFoundError: no such case
    :raises CaseEndedError: the case is cancelled
    :raises CaseChangedError: the case is no longer at ``lock_version`` (another retry won)
    :raises NoIncidentError: the case has no incident
    :raises IncidentError: it failed again (``StuckError``: nothing can move the case on);
        nothing of the retry is written, the incident is recorded again
    """
    def action(work):
        instance = work.instance
        # a completed case keeps an incident of a start of another process it asked for
        _refuse_if_changed(instance, lock_version, ("running", "completed"))
        if instance.error is None:
            raise NoIncidentError(f"case {instance.id} has no incident")
        timers = db.session.scalars(select(Timer.id).filter_by(instance_id=instance.id, state="failed")).all()
        starts = _rearm_starts(work)
        for task in work.workflow.get_tasks(state=TaskState.ERROR):
            task._set_state(TaskState.READY)  # SpiffWorkflow runs it again with the engine's next step
        _recheck_conditions(work.workflow)
        run_engine(work)
        element = stopped_at(work.workflow)
        if element is not None:
            raise StuckError(element)
        work.resolution = ("incident_retried", {"error": instance.error, "timers": timers, "starts": starts})

    return unit.run(runtime, instance_id, actor, action)


def _recheck_conditions(workflow):
    """Evaluate the waiting conditional events again (SpiffWorkflow 3.2 evaluates one only
    when the case reaches it): after a correction, a condition that holds moves the case on."""
    for task in workflow.get_tasks(state=TaskState.WAITING):
        if isinstance(getattr(task.task_spec, "event_definition", None), ConditionalEventDefinition):
            with as_incident(lambda task=task: task):
                task.task_spec._update(task)


def _rearm_starts(work):
    """Failed starts of other processes this case asked for go back to the queue."""
    rows = db.session.scalars(select(Outbox).filter_by(instance_id=work.instance.id, channel="start",
                                                       state="failed")).all()
    if rows:
        db.session.execute(update(Outbox).where(Outbox.id.in_([r.id for r in rows]))
                           .values(state="pending", attempts=0).execution_options(synchronize_session=False))
        for row in rows:
            db.session.refresh(row)
        work.outbox.extend(rows)
    return [row.id for row in rows]


def is_variable(name):
    """Whether ``name`` is a variable a script can read (and assign)."""
    return (isinstance(name, str) and 0 < len(name) <= MAX_NAME and name.isidentifier()
            and not keyword.iskeyword(name))


def _refuse_if_changed(instance, lock_version, statuses):
    if instance.status not in statuses:
        raise CaseEndedError(f"case {instance.id} is {instance.status}")
    if instance.lock_version != lock_version:
        last = db.session.scalar(select(AuditEvent.actor).filter_by(stream=f"instance:{instance.id}")
                                 .order_by(AuditEvent.seq.desc()).limit(1))
        raise CaseChangedError(f"case {instance.id} changed meanwhile (last by {last})", winner=last)


class _Unchanged(Exception):
    """Ends a correction that changes nothing, writing nothing."""
