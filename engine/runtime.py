"""Start, step, complete, message, cancel, fire timers: every change to an instance.

One :class:`Runtime` per application holds what is built once (the script engine
with the registered helpers, the spec cache, the serializer registry, the
after-commit hooks). Every change goes through :func:`engine.unit.run`.
"""
import copy
import logging
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException, WorkflowException
from SpiffWorkflow.spiff.specs.defaults import ServiceTask
from SpiffWorkflow.util.task import TaskState

from . import attachments, checks, incidents, messages, specs, state, transaction, unit
from .db import db
from .errors import (
    ConflictError,
    IncidentError,
    NotFoundError,
    TaskNotReadyError,
)
from .faults import as_incident
from .models import HumanTask, ProcessDefinition, ProcessInstance, ProcessVersion, Timer
from .sandbox import script_engine
from .starting import prefire_start_events
from .steps import StepRecorder
from .types import utcnow

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, *, script_timeout, max_case_bytes=None, script_memory_bytes=None):
        self.script_timeout = script_timeout
        self.max_case_bytes = max_case_bytes
        self.script_memory_bytes = script_memory_bytes
        self.helpers = {}
        self.operators = {}
        self.checks = [self._known_operator]
        self.spec_cache = specs.SpecCache()
        self.on_commit_hooks = []
        self._script_engine = None

    @property
    def registry(self):
        return specs.registry()

    def register_helper(self, name, function):
        """Make ``function`` callable as ``name`` from conditions and scripts."""
        self.helpers[name] = function
        self._script_engine = None

    def register_operator(self, name, operator):
        """Make ``operator(params, data) -> result`` callable from service tasks as ``name``
        (``spiffworkflow:serviceTaskOperator``); the result must be JSON-serializable."""
        self.operators[name] = operator
        self._script_engine = None

    def _known_operator(self, task_spec):
        name = getattr(task_spec, "operation_name", None)
        if not isinstance(task_spec, ServiceTask) or name in self.operators:
            return []
        known = ", ".join(sorted(self.operators)) or "none"
        return [checks.problem(checks.element_id(task_spec),
                               f"service task calls operator '{name}', which is not registered here "
                               f"(registered: {known}); use one of them or a script task")]

    def register_check(self, check):
        """Run ``check(task_spec) -> problems`` on every task of a diagram being deployed
        or validated; ``check(task_spec, context)`` when marked
        :func:`engine.checks.with_context`, to see the files deployed with it (engine/checks.py)."""
        self.checks.append(check)

    @property
    def script_engine(self):
        if self._script_engine is None:
            self._script_engine = script_engine(dict(self.helpers), self.script_timeout,
                                                max_data_bytes=self.max_case_bytes,
                                                memory_bytes=self.script_memory_bytes,
                                                operators=dict(self.operators))
        return self._script_engine

    def on_commit(self, hook):
        """Call ``hook(timers, outbox)`` after each commit that created timers or outbox rows."""
        self.on_commit_hooks.append(hook)

    def after_commit(self, done):
        """Hand a committed unit's new timers and outbox rows to the hooks."""
        self.committed(done.timers, done.outbox)

    def committed(self, timers, outbox):
        if not (timers or outbox):
            return
        for hook in self.on_commit_hooks:
            try:
                hook(timers, outbox)
            except Exception:  # noqa: BLE001 - the database is the truth; the sweep re-arms
                log.exception("after-commit hook failed; the sweep will re-arm")

    def restore(self, instance):
        spec, subprocess_specs = self.spec_cache.get(instance.version_id)
        return state.load(instance.state, spec, subprocess_specs, self.registry, self.script_engine)

    def new_workflow(self, version):
        spec, subprocess_specs = self.spec_cache.get(version.id)
        return BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)


MAX_ENGINE_ROUNDS = 100


def run_engine(work):
    """Run engine steps until the workflow waits, recording each completed element.

    ``do_engine_steps`` refreshes timers only at its end, so a timer that came due
    meanwhile (a zero or past duration) leaves a READY event behind: step again.
    """
    recorder = StepRecorder(work)
    workflow = work.workflow
    with as_incident(lambda: recorder.running):
        workflow.refresh_timers()
        for _ in range(MAX_ENGINE_ROUNDS):
            state.keep_adhoc_data(workflow)
            workflow.do_engine_steps(will_complete_task=recorder.before, did_complete_task=recorder.after)
            if not any(not t.task_spec.manual for t in workflow.get_tasks(state=TaskState.READY)):
                return


def start(runtime, key, *, actor, data=None, business_key=None, version=None):
    """Start an instance of the latest (or given) version of process ``key``.

    Inside an ``engine.begin()`` block the case is written into the block's transaction,
    which commits it together with the caller's rows; otherwise the start commits alone.

    :raises PendingChangesError: outside a block, the caller left changes uncommitted
        (nothing is committed or rolled back then)
    :raises NotFoundError: no such process or version
    :raises IncidentError: a script or condition failed on the way, or the data is too
        large; nothing is stored but the incident, on the process definition's audit stream
        (inside a block: nothing of the block either)
    """
    transaction.refuse_pending("engine.start", in_block=True)
    block = transaction.current()
    try:
        work = begin(runtime, _version(key, version), actor=actor, data=data, business_key=business_key)
        if block is None:
            db.session.commit()
    except BaseException as error:
        db.session.rollback()
        if block is not None:
            block.failed = True
        if isinstance(error, IncidentError):  # no case was stored: the process's stream holds it
            incidents.record_start(key, error, actor=actor, business_key=business_key)
        raise
    if block is None:
        runtime.after_commit(work)
    else:
        block.done.append(work)
    return work.instance


def begin(runtime, process_version, *, actor, data=None, business_key=None, start_event=None):
    """Create and run a new instance in the current transaction (the caller commits).

    :param start_event: element id of a timer start event that fired (it is not waited on again)
    :returns: the :class:`~engine.unit.Unit` with what to schedule after commit
    """
    workflow = runtime.new_workflow(process_version)
    prefire_start_events(workflow, start_event)
    workflow.task_tree.data.update(data or {})
    now = utcnow()
    instance = ProcessInstance(version_id=process_version.id,
                               definition_key=process_version.definition.key, status="running",
                               business_key=business_key, started_by=actor, state="{}",
                               started_at=now, updated_at=now)
    db.session.add(instance)
    db.session.flush()
    work = unit.Unit(runtime, instance, workflow, actor, now)
    work.audit("instance_started", data_after=data or {},
               details={"version": process_version.version, "business_key": business_key,
                        "start_event": start_event})
    unit.perform(work, run_engine)
    return work


def _version(key, number=None):
    query = db.session.query(ProcessVersion).join(ProcessDefinition).filter(ProcessDefinition.key == key)
    if number is not None:
        query = query.filter(ProcessVersion.version == number)
    found = query.order_by(ProcessVersion.version.desc()).first()
    if found is None:
        which = f"process '{key}'" + (f" version {number}" if number else "")
        raise NotFoundError(f"{which} is not deployed")
    return found


def complete_task(runtime, task_id, *, actor, data=None):
    """Complete a READY user task with ``data`` and run the engine until it waits.

    Uploaded files in ``data`` (see :func:`engine.attachments.is_upload`) are stored
    as attachments of the case in the same transaction and replaced by references.

    :raises PendingChangesError: the caller left changes uncommitted (nothing is committed
        or rolled back then), or the call is inside an ``engine.begin()`` block
    :raises NotFoundError: no such task
    :raises ConflictError: the task was already completed (naming by whom) or is not READY
    :raises ScriptError: a script or condition failed; nothing is stored
    """
    transaction.refuse_pending("engine.complete_task")
    row = db.session.get(HumanTask, task_id)
    if row is None:
        raise NotFoundError(f"task {task_id} does not exist")
    instance_id = row.instance_id
    db.session.rollback()  # read the row afresh inside the unit, under the lock

    def action(work):
        current = db.session.get(HumanTask, task_id, populate_existing=True)
        refuse_if_closed(current)
        task = _ready_user_task(work.workflow, task_id)
        before = dict(task.data)
        values, _ = attachments.store_uploads(data or {}, instance_id=work.instance.id,
                                              actor=work.actor, at=work.now, task_id=task_id)
        task.data.update(values)
        with as_incident(lambda: task):
            task.run()
        work.completed = (task_id, work.actor)
        work.audit("task_completed", task_id=task_id, element_id=task.task_spec.bpmn_id,
                   data_before=before, data_after=values)
        run_engine(work)

    return unit.run(runtime, instance_id, actor, action).instance


def refuse_if_closed(row):
    """:raises ConflictError: completed (naming by whom and when)  :raises TaskNotReadyError: cancelled"""
    if row.state == "completed":
        when = row.completed_at.isoformat(timespec="seconds") if row.completed_at else "earlier"
        raise ConflictError(f"task already completed by {row.completed_by} at {when}",
                            winner=row.completed_by)
    if row.state != "open":
        raise TaskNotReadyError(f"task is {row.state} and can no longer be completed")


def _ready_user_task(workflow, task_id):
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except TaskNotFoundException:  # gone from the case: completed by the winner of a race
        refuse_if_closed(db.session.get(HumanTask, task_id, populate_existing=True))
        task = None
    if task is None or not task.task_spec.manual:
        raise NotFoundError(f"task {task_id} is not a user task of this instance")
    if task.state != TaskState.READY:
        raise TaskNotReadyError(f"task {task_id} is {TaskState.get_name(task.state)}, not READY")
    return task


def send_message(runtime, instance_id, name, *, actor, payload=None, claim=None):
    """Deliver BPMN message ``name`` to a waiting instance.

    Uploaded files in ``payload`` are stored as attachments of the case in the same
    transaction and replaced by references, as in :func:`complete_task`.

    :param claim: ``claim() -> bool``, run first under the case's lock in the transaction
        that delivers the message (a conditional update of the caller's row, say): when it
        returns False nothing is written and the message is not delivered. A job that may
        run twice, or in two workers at once, delivers its message once this way.
    :returns: the instance, or ``None`` when ``claim`` declined
    :raises NotFoundError: no such instance
    :raises ConflictError: the instance is not waiting for that message
    """
    def action(work):
        if claim is not None and not claim():
            raise _NothingToDo
        if work.instance.status != "running":
            raise ConflictError(f"instance {instance_id} is {work.instance.status}")
        values = payload
        if isinstance(payload, dict):
            values, _ = attachments.store_uploads(payload, instance_id=work.instance.id, actor=work.actor,
                                                  at=work.now)
        event = messages.event(work.workflow, name, values)
        with as_incident():
            try:
                work.workflow.send_event(event)
            except WorkflowException as error:
                raise ConflictError(f"instance {instance_id} is not waiting for message '{name}'") from error
        work.audit("message_received", data_after=values, details={"message": name})
        run_engine(work)

    try:
        return unit.run(runtime, instance_id, actor, action).instance
    except _NothingToDo:
        return None


def cancel(runtime, instance_id, *, actor, reason=None):
    """Cancel a running instance: its open tasks and pending timers are closed.

    :raises ConflictError: the instance has already ended
    """
    def action(work):
        if work.instance.status != "running":
            raise ConflictError(f"instance {instance_id} is already {work.instance.status}")
        work.workflow.cancel()
        work.instance.status = "cancelled"
        work.audit("instance_cancelled", details={"reason": reason})

    return unit.run(runtime, instance_id, actor, action).instance


def fire_timer(runtime, timer_id):
    """Fire a due timer once; a timer already fired, cancelled or not yet due is left alone.

    :returns: ``"fired"``, ``"started"`` (a start timer began an instance), or why it was skipped
    :raises PendingChangesError: the caller left changes uncommitted
    """
    transaction.refuse_pending("engine.fire_timer")
    timer = db.session.get(Timer, timer_id)
    if timer is None:
        raise NotFoundError(f"timer {timer_id} does not exist")
    if timer.instance_id is None:
        from .start_timers import fire_start_timer

        return fire_start_timer(runtime, timer_id)
    outcome = {}

    def action(work):
        row = db.session.get(Timer, timer_id, populate_existing=True)
        if row.state != "pending":
            outcome["result"] = row.state
            raise _NothingToDo
        if row.due_at > work.now:
            outcome["result"] = "early"
            raise _NothingToDo
        task = work.workflow.get_task_from_id(UUID(row.task_id))
        before = copy.deepcopy(task.internal_data) if task is not None else None
        work.fired_timer_id = row.id
        work.audit("timer_fired", task_id=row.task_id, element_id=row.element_id,
                   details={"due_at": row.due_at.isoformat(), "timer_id": row.id})
        run_engine(work)
        if task is not None and task.state == TaskState.WAITING and task.internal_data == before:
            # SpiffWorkflow does not consider it due: record nothing, leave the row pending.
            outcome["result"] = "early"
            raise _NothingToDo
        outcome["result"] = "fired"

    try:
        unit.run(runtime, timer.instance_id, "system", action)
    except _NothingToDo:
        pass
    return outcome["result"]


class _NothingToDo(Exception):
    """Ends a unit of work without writing anything."""
