"""Move running cases from one version of a process to another.

A case can move when every step it waits at (a READY, WAITING or STARTED task)
exists under the same BPMN id and type in the new version, every finished step
its saved state still holds can be matched to the new version (SpiffWorkflow's
:class:`~SpiffWorkflow.bpmn.util.diff.SpecDiff` aligns renamed ones by their
place in the flow), and every called process it is in exists there too. The
check migrates a throwaway copy of the workflow with SpiffWorkflow's
``migrate_workflow``, so the dry run and the real move agree.

A real move runs as one unit of work per case (:func:`engine.unit.run`): under the
instance lock, the workflow is moved, its open tasks keep their ids, data, timers'
due times and assignees (titles, lanes, their roles and priorities follow the new version), the
case is saved with ``instance_migrated`` in its audit trail, and the engine runs on.
A refused or failed case is rolled back: nothing of it changes.
"""
import copy
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from . import task_meta, texts, unit
from .db import db
from .errors import TasklaneError
from .models import HumanTask, ProcessInstance
from .runtime import run_engine

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


class MigrationRefusedError(TasklaneError):
    """The case cannot move; ``reasons`` says why (``[{"code", "element", "name", "message"}]``)."""

    status = 409
    code = "migration_refused"

    def __init__(self, reasons):
        super().__init__("; ".join(r["message"] for r in reasons))
        self.reasons = reasons


@dataclass
class Outcome:
    """One case in a dry run or a migration.

    ``status``: ``movable`` / ``refused`` (dry run), ``migrated`` / ``refused`` / ``failed``.
    """

    instance_id: int
    status: str
    business_key: str = None
    waiting: list = field(default_factory=list)
    reasons: list = field(default_factory=list)

    @property
    def ok(self):
        return self.status in ("movable", "migrated")


def reason(code, message, element=None, name=None):
    return {"code": code, "element": element, "name": name, "message": message}


def running(version):
    """Running instances of ``version``, oldest first."""
    return (db.session.query(ProcessInstance).filter_by(version_id=version.id, status="running")
            .order_by(ProcessInstance.id).all())


def dry_run(runtime, from_version, to_version):
    """Which running cases of ``from_version`` could move to ``to_version``, and why not.

    Nothing is written.

    :returns: a list of :class:`Outcome` (``movable`` or ``refused`` with reasons)
    """
    spec, subprocess_specs = runtime.spec_cache.get(to_version.id)
    outcomes = []
    for instance in running(from_version):
        workflow = runtime.restore(instance)
        waiting = waiting_steps(workflow)
        problems = _move(runtime.registry, workflow, spec, subprocess_specs, to_version.version)
        outcomes.append(Outcome(instance.id, "refused" if problems else "movable", instance.business_key,
                                waiting, problems))
    return outcomes


def waiting_steps(workflow):
    """``[{"element", "name"}]`` of the BPMN elements the case waits at now."""
    found = {}
    for wf in (workflow, *workflow.subprocesses.values()):
        for task in wf.get_tasks(state=LIVE, skip_subprocesses=True):
            spec = task.task_spec
            if getattr(spec, "bpmn_id", None):
                found[spec.bpmn_id] = {"element": spec.bpmn_id, "name": spec.bpmn_name or spec.bpmn_id}
    return list(found.values())


def migrate(runtime, instance_ids, to_version, *, actor, from_version=None):
    """Move each case to ``to_version``, each in its own unit of work.

    :param from_version: if given, a case no longer on it (moved meanwhile) is refused
    :returns: a list of :class:`Outcome` in the order of ``instance_ids``
        (``migrated``, ``refused`` with reasons, or ``failed`` with the error)
    """
    outcomes = []
    for instance_id in instance_ids:
        outcome = Outcome(instance_id, "migrated")
        try:
            done = unit.run(runtime, instance_id, actor, _mover(to_version, from_version))
            outcome.business_key = done.instance.business_key
        except MigrationRefusedError as error:
            outcome.status, outcome.reasons = "refused", error.reasons
        except TasklaneError as error:
            outcome.status, outcome.reasons = "failed", [reason(error.code, error.message)]
        outcomes.append(outcome)
    return outcomes


def _mover(to_version, from_version):
    def action(work):
        instance = work.instance
        _refuse_if_elsewhere(instance, to_version, from_version)
        spec, subprocess_specs = work.runtime.spec_cache.get(to_version.id)
        problems = _move(work.runtime.registry, work.workflow, spec, subprocess_specs, to_version.version)
        if problems:
            raise MigrationRefusedError(problems)
        before = instance.version.version
        instance.version = to_version  # the tasks it opens from here on read its lane mapping
        _refresh_open_tasks(instance, work.workflow)
        work.audit("instance_migrated", details={"from_version": before, "to_version": to_version.version})
        run_engine(work)
    return action


def _refuse_if_elsewhere(instance, to_version, from_version):
    number = instance.version.version
    if instance.definition_key != to_version.definition.key:
        raise MigrationRefusedError([reason("other_process", f"case {instance.id} is a case of "
                                            f"{instance.definition_key}, not {to_version.definition.key}")])
    if instance.status != "running":
        raise MigrationRefusedError([reason("not_running", f"case {instance.id} is {instance.status}")])
    if instance.version_id == to_version.id:
        raise MigrationRefusedError([reason("already_there", f"case {instance.id} is already on "
                                            f"version {number}")])
    if from_version is not None and instance.version_id != from_version.id:
        raise MigrationRefusedError([reason("moved", f"case {instance.id} is on version {number} now, "
                                            f"not {from_version.version}")])


def _move(registry, workflow, spec, subprocess_specs, number):
    """Migrate ``workflow`` in place to ``spec``; the problems that forbid it (then it is unusable)."""
    problems = []
    for wf in (workflow, *workflow.subprocesses.values()):
        target = spec if wf is workflow else subprocess_specs.get(wf.spec.name)
        if target is None:
            problems.append(reason("subprocess_missing", f"the called process {wf.spec.name} is missing "
                                   f"in version {number}", wf.spec.name, wf.spec.description))
            continue
        problems.extend(_live_problems(wf, target, number))
    if problems:
        return problems
    top, sub_diffs = diff_workflow(registry, workflow, spec, subprocess_specs)
    kept = {t.id: (copy.deepcopy(t.data), copy.deepcopy(t.internal_data), t.task_spec)
            for wf in (workflow, *workflow.subprocesses.values())
            for t in wf.get_tasks(state=TaskState.READY | TaskState.WAITING, skip_subprocesses=True)}
    migrate_workflow(top, workflow, spec)
    for sp_id, sp in workflow.subprocesses.items():
        migrate_workflow(sub_diffs[sp_id], sp, subprocess_specs[sp.spec.name])
    workflow.subprocess_specs = subprocess_specs
    _keep_live_state(registry, workflow, kept)
    return _unmapped(workflow, number)


def _live_problems(wf, target, number):
    problems = []
    for task in wf.get_tasks(state=LIVE, skip_subprocesses=True):
        old = task.task_spec
        new = target.task_specs.get(old.name)
        element, name = getattr(old, "bpmn_id", None) or old.name, getattr(old, "bpmn_name", None)
        if new is None:
            problems.append(reason("task_missing", f"the case waits at {element} ({name or element}), "
                                   f"which version {number} does not have", element, name))
        elif type(new) is not type(old):
            problems.append(reason("type_changed", f"the case waits at {element}, which is a "
                                   f"{type(new).__name__} in version {number}", element, name))
    return problems


def _keep_live_state(registry, workflow, kept):
    """Give reset tasks back their data and, if their event is unchanged, their timer's due time."""
    tasks = {t.id: t for wf in (workflow, *workflow.subprocesses.values()) for t in wf.tasks.values()}
    for task_id, (data, internal, old_spec) in kept.items():
        task = tasks.get(task_id)
        if task is None:
            continue
        task.data = data
        if _same_event(registry, old_spec, task.task_spec):
            task.internal_data = internal


def _same_event(registry, old, new):
    before, after = getattr(old, "event_definition", None), getattr(new, "event_definition", None)
    if before is None or after is None:
        return before is None and after is None
    return registry.convert(before) == registry.convert(after)


def _unmapped(workflow, number):
    """Tasks still pointing at a spec of the old version (a finished step that has no match)."""
    problems = []
    for wf in (workflow, *workflow.subprocesses.values()):
        for task in wf.tasks.values():
            spec = task.task_spec
            if wf.spec.task_specs.get(spec.name) is not spec:
                element = getattr(spec, "bpmn_id", None) or spec.name
                problems.append(reason(
                    "history_missing", f"the case still holds the finished step {element}, which version "
                    f"{number} does not have", element, getattr(spec, "bpmn_name", None)))
    return problems


def _refresh_open_tasks(instance, workflow):
    """Open task rows take the new version's title, lane (and the role its lane mapping gives
    it), form and priority; assignee and due stay."""
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    rows = db.session.query(HumanTask).filter_by(instance_id=instance.id, state="open").all()
    for row in rows:
        task = ready.get(row.id)
        if task is None:
            continue
        spec = task.task_spec
        language = texts.process_language(instance)
        row.titles = task_meta.titles(spec, language)
        row.title = row.titles["en"]
        row.lane = spec.lane
        row.candidate_role = task_meta.candidate_role(spec.lane, instance.version.lane_roles)
        row.form_key, row.ui_form_key = task_meta.form_keys(spec)
        row.instructions = task_meta.plain_instructions(spec)
        row.instructions_texts = task_meta.instructions(spec, language)
        row.priority = task_meta.priority(spec)
        row.sort_key = task_meta.sort_key(row.priority, row.due_at, row.created_at)
