"""Audit events for the elements the engine completes on its own (scripts, gateways, events)."""
import copy

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent, ThrowingEvent
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptEngineTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask


def _kind(spec):
    if isinstance(spec, ScriptEngineTask):
        return "script_run"
    if isinstance(spec, (ExclusiveGateway, InclusiveGateway, ParallelGateway)):
        return "gateway_passed"
    if isinstance(spec, SubWorkflowTask):
        return "subprocess_completed"
    if isinstance(spec, (CatchingEvent, ThrowingEvent)):
        return "event_passed"
    return "step"


class StepRecorder:
    """Hooks for ``do_engine_steps``: one audit event per visible BPMN element completed.

    Script tasks carry the data keys they changed (before and after); other
    elements carry none, to keep the trail small.
    """

    def __init__(self, work):
        self.work = work
        self._before = {}
        self.running = None  # the task being run, to name it when it fails

    def before(self, task):
        self.running = task
        if isinstance(task.task_spec, ScriptEngineTask):
            self._before[task.id] = copy.deepcopy(task.data)  # scripts may change nested values

    def after(self, task):
        spec = task.task_spec
        self.work.ran.add(str(task.id))
        if getattr(spec, "bpmn_id", None) is None:
            return  # SpiffWorkflow's own bookkeeping tasks (Root, Start, End)
        kind = _kind(spec)
        before, after = None, None
        if task.id in self._before:
            old = self._before.pop(task.id)
            changed = {k for k in set(old) | set(task.data)
                       if old.get(k, _MISSING) != task.data.get(k, _MISSING)}
            before = {k: old[k] for k in changed if k in old}
            after = {k: task.data[k] for k in changed if k in task.data}
        self.work.audit(kind, task_id=str(task.id), element_id=spec.bpmn_id,
                        data_before=before, data_after=after,
                        details={"name": spec.bpmn_name, "type": spec.__class__.__name__})


_MISSING = object()
