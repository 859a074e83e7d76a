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
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

FORMAT = "tasklane-1"


def register_data_types(registry):
    """Task data types SpiffWorkflow does not serialize on its own."""
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))


class _InstanceConverter(BpmnWorkflowConverter):
    """The top-level workflow converter, minus the spec (not registered in the registry)."""

    def __init__(self, registry):  # noqa: super().__init__ would register this converter
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
    return workflow


def prune(workflow):
    """Cut completed single-child chains out of the task trees of ``workflow``.

    The head of each tree (root and start task) stays; every completed task that has
    exactly one child, itself completed, is dropped and the first task kept below it
    is re-hung under the head. Direct parents of live tasks are kept because joins
    read them. Completed subprocesses hanging from dropped tasks go too.

    :returns: the number of tasks dropped
    """
    dropped = _prune_tree(workflow, workflow)
    for subprocess in list(workflow.subprocesses.values()):
        dropped += _prune_tree(workflow, subprocess)
    return dropped


def _droppable(task, top):
    if not task.has_state(TaskState.COMPLETED) or len(task._children) != 1:
        return False
    child = task.workflow.tasks[task._children[0]]
    subprocess = top.subprocesses.get(task.id)
    return child.has_state(TaskState.COMPLETED) and (subprocess is None or subprocess.completed)


def _prune_tree(top, workflow):
    head = workflow.task_tree
    if len(head._children) == 1:
        head = workflow.tasks[head._children[0]]
    if len(head._children) != 1:
        return 0
    first = workflow.tasks[head._children[0]]
    node, chain = first, []
    while _droppable(node, top):
        chain.append(node)
        node = workflow.tasks[node._children[0]]
    if not chain:
        return 0
    for task in chain:
        if task.id in top.subprocesses:
            top.delete_subprocess(task)
        del workflow.tasks[task.id]
        if workflow.last_task is task:
            workflow.last_task = None
    node._parent = head.id
    head._children = [node.id]
    return len(chain)
