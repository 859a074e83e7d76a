"""Save and restore a running workflow without its spec, keeping its task tree shallow.

The saved state holds the task tree, data and events; the spec is stored once per
version and handed back on restore. Before each save the completed chain behind
the live tasks is cut out (its history is already in the audit trail), so a case
that loops a thousand times saves and steps as fast as a new one and never runs
into SpiffWorkflow's 1,000-level iterator limit.
"""
import json
from decimal import Decimal
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import AdHocSubprocessSpec
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from .specs import triggers

FORMAT = "tasklane-1"


def register_data_types(registry):
    """Task data types SpiffWorkflow does not serialize on its own."""
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))


class _InstanceConverter(BpmnWorkflowConverter):
    """The top-level workflow converter, minus the spec (not registered in the registry)."""

    def __init__(self, registry):  # super().__init__ would register this converter
        self.registry = registry
        self.target_class = BpmnWorkflow
        self.typename = "BpmnWorkflow"

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def restore(self, dct, spec, subprocess_specs):
        workflow = BpmnWorkflow(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def dump(workflow, registry):
    """Serialize ``workflow`` (spec excluded) to a JSON string, pruning it first."""
    prune(workflow)
    registry._encoder_mode = True
    try:
        dct = _InstanceConverter(registry).to_dict(workflow)
    finally:
        registry._encoder_mode = False
    dct["format"] = FORMAT
    return json.dumps(dct, cls=create_encoder(registry, None), separators=(",", ":"))


def load(state, spec, subprocess_specs, registry, script_engine):
    """Restore a workflow saved by :func:`dump` on its version's spec.

    The script engine is not part of the saved state, so it is attached here.
    """
    dct = json.loads(state)
    if dct.pop("format", None) != FORMAT:
        raise ValueError("saved workflow is not in the Tasklane format")
    workflow = _InstanceConverter(registry).restore(dct, spec, subprocess_specs)
    workflow.script_engine = script_engine
    _reconnect_triggered(workflow)
    keep_adhoc_data(workflow)
    return workflow


def keep_adhoc_data(workflow):
    """Give each ad-hoc sub-process of ``workflow`` its ``data_objects``, which SpiffWorkflow
    3.2 drops from a sub-process without data objects and then pops when one of its tasks
    completes without the completion condition holding (``KeyError: 'data_objects'`` in
    ``AdHocSubprocessSpec.path_complete``)."""
    for sub in workflow.subprocesses.values():
        if isinstance(sub.spec, AdHocSubprocessSpec):
            sub.data.setdefault("data_objects", {})


def _reconnect_triggered(workflow):
    """Connect the event sub-processes this case started to its spec's start again, as
    SpiffWorkflow did when their events arrived (``BpmnStartTask.trigger_wf``), so the
    restored case runs on the spec it ran on before the save. The spec is the case's own
    copy (engine.specs.SpecCache hands out one per workflow for such processes)."""
    start = workflow.spec.start
    for name in triggers(workflow.spec):
        task_spec = workflow.spec.task_specs.get(name)
        if task_spec is None or start in task_spec.inputs:
            continue
        if any(child.task_spec is task_spec for child in workflow.task_tree.children):
            start.connect(task_spec)
            task_spec.connect(workflow.spec.end)


def prune(workflow):
    """Cut finished history out of the task trees of ``workflow``.

    Two cuts, each keeping everything a live (unfinished) task can reach:

    1. Dead branches: below a task that still leads to live tasks, a child whose
       whole subtree is finished (completed or cancelled) is dropped - a parallel
       branch that already merged, a boundary event that was cancelled. This also
       removes the cancelled join instances of earlier loop passes, which
       SpiffWorkflow 3.2 would otherwise count as arrived tokens and fire a
       parallel join in a loop before all its branches arrive.
       A branch that arrived at a join still waiting is not dead: SpiffWorkflow
       cancels all but the newest instance of a waiting join and counts the
       cancelled ones as arrived tokens (:func:`_arrivals`).
    2. Chains: every completed task with one completed child is dropped and the
       first task kept below is re-hung under the start task. Direct parents of
       live tasks stay, because joins read them.

    Completed subprocesses hanging from dropped tasks are deleted with them.

    :returns: the number of tasks dropped
    """
    dropped = _prune_tree(workflow, workflow)
    for subprocess in list(workflow.subprocesses.values()):
        dropped += _prune_tree(workflow, subprocess)
    return dropped


_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED


def _leads_to_live(workflow):
    """Ids of tasks that are live, arrived at a waiting join, or have such a descendant."""
    marked = set()
    arrivals = _arrivals(workflow)
    for task in workflow.tasks.values():
        if task.has_state(_FINISHED) and task.id not in arrivals:
            continue
        node = task
        while node is not None and node.id not in marked:
            marked.add(node.id)
            node = workflow.tasks.get(node._parent) if node._parent else None
    return marked


def _arrivals(workflow):
    """Ids of the cancelled instances of joins that are still waiting, in the current pass.

    When a branch reaches a parallel or inclusive join that cannot fire yet, SpiffWorkflow
    keeps only the newest join instance waiting and cancels the others; the join fires
    once the parents of its instances (cancelled ones included) cover every input. So
    a cancelled instance is an arrived token until the join fires. Instances cancelled
    before the join last completed belong to an earlier loop pass and are not.
    """
    joins = {}
    for task in workflow.tasks.values():
        if isinstance(task.task_spec, UnstructuredJoin):
            joins.setdefault(task.task_spec.name, []).append(task)
    kept = set()
    for instances in joins.values():
        if not any(t.has_state(TaskState.WAITING) for t in instances):
            continue
        fired = max((t.last_state_change for t in instances if t.has_state(TaskState.COMPLETED)),
                    default=None)
        kept.update(t.id for t in instances if t.has_state(TaskState.CANCELLED)
                    and (fired is None or t.last_state_change > fired))
    return kept


def _drop(top, workflow, task_id):
    """Remove a task and its whole subtree; returns how many tasks went."""
    subtree, stack = [], [task_id]
    while stack:
        task = workflow.tasks[stack.pop()]
        subtree.append(task)
        stack.extend(task._children)
    # Subprocesses first: deleting one looks up the parent task of every subprocess.
    for task in subtree:
        if task.id in top.subprocesses:
            top.delete_subprocess(task)
    for task in subtree:
        del workflow.tasks[task.id]
        if workflow.last_task is task:
            workflow.last_task = None
    return len(subtree)


def _cut_dead_branches(top, workflow):
    live = _leads_to_live(workflow)
    dropped = 0
    for task in list(workflow.tasks.values()):
        if task.id not in live or len(task._children) < 2:
            continue
        dead = [c for c in task._children if c not in live and _subprocess_done(top, c)]
        for child in dead:
            dropped += _drop(top, workflow, child)
        task._children = [c for c in task._children if c not in dead]
    return dropped


def _subprocess_done(top, task_id):
    subprocess = top.subprocesses.get(task_id)
    return subprocess is None or subprocess.completed


def _droppable(task, top):
    if not task.has_state(TaskState.COMPLETED) or len(task._children) != 1:
        return False
    child = task.workflow.tasks[task._children[0]]
    return child.has_state(TaskState.COMPLETED) and _subprocess_done(top, task.id)


def _cut_chain(top, workflow):
    head = workflow.task_tree
    if len(head._children) == 1:
        head = workflow.tasks[head._children[0]]
    if len(head._children) != 1:
        return 0
    node, chain = workflow.tasks[head._children[0]], []
    while _droppable(node, top):
        chain.append(node)
        node = workflow.tasks[node._children[0]]
    for task in chain:
        if task.id in top.subprocesses:
            top.delete_subprocess(task)
        del workflow.tasks[task.id]
        if workflow.last_task is task:
            workflow.last_task = None
    if chain:
        node._parent = head.id
        head._children = [node.id]
    return len(chain)


def _prune_tree(top, workflow):
    return _cut_dead_branches(top, workflow) + _cut_chain(top, workflow)
