"""A message sent to a case through the API, as the BPMN event its catching element expects.

The sender is outside the diagram, so Tasklane computes what a throwing element would:
when the catching element's message has correlation properties, the payload must be an
object, and each property is read from it with its retrieval expression. A payload
without them is refused naming ``payload.<expression>`` (422) rather than failing
inside SpiffWorkflow; with them, the case takes the message only if
the values match the ones it is already correlated with (else 409: not waiting for it).
"""
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from .errors import ValidationError, describe
from .specs import triggers


def event(workflow, name, payload):
    """The :class:`BpmnEvent` for message ``name`` with ``payload``, correlated.

    :raises ValidationError: the payload is not an object, or lacks a correlation property
    """
    definition = _catching(workflow, name)
    if definition is None or not definition.correlation_properties:
        return BpmnEvent(definition or MessageEventDefinition(name), payload=payload)
    if not isinstance(payload, dict):
        raise ValidationError(f"The message '{name}' is matched to its case by values of its payload, "
                              "so its payload is an object of named values.",
                              fields={"payload": 'Send an object, such as {"order_id": 7}.'})
    values = payload
    environment = workflow.script_engine.environment
    for prop in definition.correlation_properties:
        try:
            environment.evaluate(prop.retrieval_expression, dict(values))
        except Exception as error:  # noqa: BLE001 - any failure means the payload lacks it
            field = f"payload.{prop.retrieval_expression}"
            raise ValidationError(
                f"The message '{name}' is matched to its case by '{prop.retrieval_expression}', "
                f"which the payload does not give ({describe(error)}).",
                fields={field: "This value is needed to find the case the message is for."}) from None
    properties = definition.correlation_properties
    correlations = definition.calculate_correlations(workflow.script_engine, properties, dict(values))
    return BpmnEvent(definition, payload=payload, correlations=correlations)


def _catching(workflow, name):
    """The definition of message ``name`` that a waiting element of ``workflow`` (or the
    start of one of its event sub-processes) catches, if any. An event-based gateway waits
    for several events at once: its catch events' definitions are looked at one by one."""
    for task in workflow.get_tasks(state=TaskState.WAITING):
        for definition in _definitions(getattr(task.task_spec, "event_definition", None)):
            if isinstance(definition, MessageEventDefinition) and definition.name == name:
                return definition
    for spec_name in triggers(workflow.spec):
        for start in workflow.subprocess_specs[spec_name].bpmn_start_events:
            definition = start.event_definition
            if isinstance(definition, MessageEventDefinition) and definition.name == name:
                return definition
    return None


def _definitions(definition):
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition]
