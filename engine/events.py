"""The event definitions an element waits for or throws, however SpiffWorkflow holds them.

An event-based gateway takes over the definitions of the events after it: SpiffWorkflow
3.2 gives the gateway a ``MultipleEventDefinition`` holding them and leaves the events
themselves a none definition, so it is the gateway's task that waits for the timer (its
due time in the task's ``internal_data["event_value"]``, as for any timer event). A
multiple event (several definitions on one event) is held the same way.
"""
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


def definitions(task_spec):
    """The event definitions of ``task_spec``: its own, or those its multiple definition holds."""
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition] if definition is not None else []


def timer(task_spec):
    """The timer definition ``task_spec`` waits for (of an event-based gateway or a multiple
    event: the last timer among its events, as SpiffWorkflow keeps one ``event_value``,
    written by the last of its timers), or ``None``."""
    timers = [d for d in definitions(task_spec) if isinstance(d, TimerEventDefinition)]
    return timers[-1] if timers else None
