"""What a case's diagram shows: the elements completed, the sequence flows taken and
the elements waiting now.

Taken flows are replayed from the audit trail, not read from the workflow's task
tree: the engine prunes completed tasks from the saved tree (docs/runtime.md), so
only the audit trail still knows the whole path. Each completion of an element
offers a token on its outgoing flows; the next completion of an element reached by
one of those flows takes the most recent offer on one of its incoming flows (a
parallel or inclusive join takes one per incoming flow). An exclusive or
event-based gateway's offer is withdrawn once one flow is taken. The elements
waiting now (read from the restored workflow) take their incoming flows the same
way, so the flow into a ready task is shown as taken. See docs/audit.md.
"""
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.util.task import TaskState

import engine
from engine import texts
from engine.db import db
from engine.models import AuditEvent
from engine.xml_safety import parse

from .formatting import lane_name

MAX_XML_BYTES = 8 * 1024 * 1024
# Kinds of audit event that mean "this element was completed"; timer_fired is followed
# by event_passed for the same task, counted once.
COMPLETING = frozenset({"task_completed", "script_run", "gateway_passed", "event_passed",
                        "subprocess_completed", "step", "timer_fired"})
JOINS = frozenset({"parallelGateway", "inclusiveGateway"})
EXCLUSIVE = frozenset({"exclusiveGateway", "eventBasedGateway"})


@dataclass
class Graph:
    """The elements of a BPMN document by id (their tag and name) and its sequence flows."""
    tags: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)
    flows: dict = field(default_factory=dict)  # flow id -> (source id, target id)

    def incoming(self, element_id):
        return [f for f, (_, target) in self.flows.items() if target == element_id]

    def outgoing(self, element_id):
        return [f for f, (source, _) in self.flows.items() if source == element_id]


def graph(xml):
    """The :class:`Graph` of a deployed BPMN document."""
    result = Graph()
    for node in parse(xml, max_bytes=MAX_XML_BYTES).iter():
        if not isinstance(node.tag, str) or not node.get("id"):
            continue
        tag = node.tag.rsplit("}", 1)[-1]
        result.tags[node.get("id")] = tag
        if node.get("name"):
            result.names[node.get("id")] = node.get("name")
        if tag == "sequenceFlow":
            result.flows[node.get("id")] = (node.get("sourceRef"), node.get("targetRef"))
    return result


def completions(events):
    """Element ids completed, oldest first, once per task (the ``timer_fired`` and
    ``event_passed`` of one timer count once)."""
    seen, result = set(), []
    for event in events:
        if event.kind not in COMPLETING or not event.element_id:
            continue
        key = (event.task_id or f"event-{event.id}", event.element_id)
        if key not in seen:
            seen.add(key)
            result.append(event.element_id)
    return result


def replay(diagram, completed, waiting=()):
    """The ids of the sequence flows taken to complete ``completed`` (in order) and to
    reach ``waiting``; see the module docstring."""
    offers, taken = [], set()  # offers: [source tag, set of open flow ids], oldest first
    steps = [(e, True) for e in completed] + [(e, False) for e in waiting]
    for element_id, done in steps:
        incoming = set(diagram.incoming(element_id))
        if incoming:
            taken.update(_arrivals(diagram, element_id, incoming, offers))
        outgoing = diagram.outgoing(element_id)
        if outgoing and done:
            offers.append([diagram.tags.get(element_id), set(outgoing)])
    return taken


def _arrivals(diagram, element_id, incoming, offers):
    joining = diagram.tags.get(element_id) in JOINS
    arrived = []
    for offer in reversed(offers):
        hits = sorted(offer[1] & incoming)
        if not hits:
            continue
        arrived.append(hits[0])
        incoming.discard(hits[0])
        offer[1] = set() if offer[0] in EXCLUSIVE else offer[1] - {hits[0]}
        if not joining or not incoming:
            break
    return arrived


def waiting_elements(instance):
    """Element ids the case waits at now: ready tasks, waiting events and joins,
    sub-processes in progress. Nothing for a case that is not running."""
    if instance.status != "running":
        return []
    workflow = engine.get_runtime().restore(instance)
    result = []
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if task.state == TaskState.STARTED and not isinstance(task.task_spec, SubWorkflowTask):
            continue
        if bpmn_id and bpmn_id not in result:
            result.append(bpmn_id)
    return result


def events_of(instance_id):
    return db.session.query(AuditEvent).filter_by(stream=f"instance:{instance_id}") \
        .order_by(AuditEvent.seq).all()


def names(instance, lang):
    """``{element id: name in lang}`` of a case's diagram (:func:`engine.texts.pick`)."""
    document = texts.of_version(instance.version_id)
    return {element_id: name for element_id in document.elements
            if (name := document.name(element_id, lang))}


def state(instance, lang):
    """``{xml, completed, taken_flows, waiting}`` of a case; ids not in its diagram
    (elements of a called process) are left out. The XML names every element in
    ``lang`` (and each lane by the name of the role its version gives it); ids and drawing
    are the deployed ones."""
    xml, mapping = instance.version.bpmn_xml, instance.version.lane_roles
    diagram = graph(xml)
    done = [e for e in completions(events_of(instance.id)) if e in diagram.tags]
    waiting = [e for e in waiting_elements(instance) if e in diagram.tags]
    return {"xml": texts.localize_xml(xml, lang, lambda lane: lane_name(lane, mapping)),
            "completed": sorted(set(done)),
            "taken_flows": sorted(replay(diagram, done, waiting)), "waiting": waiting}
