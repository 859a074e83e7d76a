"""A running case that nothing can move on: no person's task, no timer, no message.

Such a case (a parallel join waiting for a branch an exclusive gateway never took, a
flow into an element that cannot complete, a conditional event whose condition was false
when the case reached it: SpiffWorkflow 3.2 checks it only then) would sit in the case list as "running"
forever. :func:`stopped_at` names the element it stopped at, so the change that left it
there marks it as an incident (engine/unit.py) for its process owner to migrate or
cancel it.
"""
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.util.task import TaskState

_ALIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def stopped_at(workflow):
    """The BPMN id of the element a running ``workflow`` is stuck at, or ``None`` when a
    user task, a catching event (timer, message, signal, ...) or an engine step can still
    move it on. A stuck case with nothing waiting names the last element it completed."""
    if workflow.completed:
        return None
    blocked = None
    for task in workflow.get_tasks(state=_ALIVE):
        spec = task.task_spec
        if task.has_state(TaskState.READY):
            return None  # a person's task, or an engine step the next change runs
        if task.has_state(TaskState.WAITING) and waits_for_event(spec):
            return None  # a timer, message or signal can still come
        if task.has_state(TaskState.WAITING) and getattr(spec, "bpmn_id", None):
            blocked = blocked or spec.bpmn_id
    if blocked is not None:
        return blocked
    done = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if getattr(t.task_spec, "bpmn_id", None)]
    last = max(done, key=lambda t: t.last_state_change, default=None)
    return last.task_spec.bpmn_id if last is not None else None


def waits_for_event(spec):
    """Whether a waiting task of ``spec`` can be moved on by something that comes: any event
    but a lone condition, which SpiffWorkflow 3.2 evaluates only when the case reaches it
    (:func:`engine.repair.retry` evaluates it again)."""
    definition = getattr(spec, "event_definition", None)
    return definition is not None and not isinstance(definition, ConditionalEventDefinition)
