"""Whether every element of a diagram can run: the sequence flows read as a graph.

SpiffWorkflow parses a diagram whose elements cannot be reached (a gateway deleted in
the modeler takes its flows with it) and runs it until the case sits with no task and
no timer. So before a deploy, per process and per sub-process:

- a sequence flow must join two elements of the same process or sub-process
  (``error``: a dangling flow);
- every element must be reachable from a start (``error``): along sequence flows, from
  an activity to its boundary events, from a link throw to its link catch; event
  sub-processes and compensation handlers start on their own; a process or
  sub-process without a start event starts at its elements without incoming flows
  (BPMN's implicit start); ad-hoc sub-processes hold no flows to follow;
- every element should lead to an end (``warning``): an end event, or an element
  without outgoing flows (BPMN's implicit end); a loop with no way out is worth a look.
"""
from collections import defaultdict

from .checks import problem
from .texts import BPMN

ACTIVITIES = {"task", "userTask", "scriptTask", "serviceTask", "sendTask", "receiveTask", "manualTask",
              "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
NODES = ACTIVITIES | EVENTS | GATEWAYS
SCOPES = {"process", "subProcess", "transaction"}


def check(root, keys):
    """Problems of the processes ``keys`` (ids) of the BPMN document ``root`` (lxml) and
    of their sub-processes."""
    problems = []
    for process in root.iter(f"{{{BPMN}}}process"):
        if process.get("id") in keys:
            problems.extend(_scope(process))
    return problems


def _local(element):
    tag = element.tag
    return tag.split("}", 1)[1] if isinstance(tag, str) and tag.startswith(f"{{{BPMN}}}") else None


def _scope(scope):
    nodes, flows = _contents(scope)
    problems = [p for node in nodes.values() if _local(node) in SCOPES for p in _scope(node)]
    edges = defaultdict(set)
    for flow in flows:
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        missing = [ref for ref in (source, target) if ref not in nodes]
        if missing:
            problems.append(problem(flow.get("id") or "sequenceFlow",
                                    f"the flow from '{source}' to '{target}' points to '{missing[0]}', "
                                    "which is not an element of this process; connect it or delete it"))
        else:
            edges[source].add(target)
    starts = _starts(nodes, {t for targets in edges.values() for t in targets})
    _attach_boundaries(nodes, edges)
    _link_events(nodes, edges)
    reached = _walk(starts, edges)
    problems += [problem(n, f"{_label(node)} can never be reached: no flow leads to it from a start event; "
                            "connect it or delete it")
                 for n, node in nodes.items() if n not in reached and not _starts_itself(node)]
    leads_out = _walk({n for n in nodes if _is_end(nodes[n], edges)}, _reverse(edges))
    stuck = [n for n in reached - leads_out if n in nodes and not _compensation(nodes[n])]
    problems += [problem(n, f"{_label(nodes[n])} never leads to an end: a case that gets here cannot finish",
                         severity="warning") for n in sorted(stuck)]
    return problems


def _contents(scope):
    """The flow nodes (by id) and sequence flows directly inside ``scope``."""
    nodes, flows = {}, []
    for child in scope:
        kind = _local(child)
        if kind in NODES and child.get("id"):
            nodes[child.get("id")] = child
        elif kind == "sequenceFlow":
            flows.append(child)
    return nodes, flows


def _attach_boundaries(nodes, edges):
    for node_id, node in nodes.items():
        if _local(node) == "boundaryEvent" and node.get("attachedToRef") in nodes:
            edges[node.get("attachedToRef")].add(node_id)


def _link_events(nodes, edges):
    catches = defaultdict(set)
    for node_id, node in nodes.items():
        if _local(node) == "intermediateCatchEvent":
            for link in node.iter(f"{{{BPMN}}}linkEventDefinition"):
                catches[link.get("name")].add(node_id)
    for node_id, node in nodes.items():
        if _local(node) == "intermediateThrowEvent":
            for link in node.iter(f"{{{BPMN}}}linkEventDefinition"):
                edges[node_id] |= catches.get(link.get("name"), set())


def _starts(nodes, targets):
    """The start events, or without any, the elements no flow leads to (implicit start)."""
    starts = {n for n, node in nodes.items() if _local(node) == "startEvent"}
    if starts:
        return starts
    return {n for n, node in nodes.items() if n not in targets and _local(node) != "boundaryEvent"}


def _starts_itself(node):
    """Started by its own event or by compensation, not by a flow."""
    if node.get("triggeredByEvent") == "true" or node.get("isForCompensation") == "true":
        return True
    links = node.iter(f"{{{BPMN}}}linkEventDefinition")
    return _local(node) == "intermediateCatchEvent" and any(True for _ in links)


def _compensation(node):
    return any(True for _ in node.iter(f"{{{BPMN}}}compensateEventDefinition"))


def _is_end(node, edges):
    """An end event, or BPMN's implicit end: an element without outgoing flows."""
    return _local(node) == "endEvent" or not edges.get(node.get("id"))


def _walk(starts, edges):
    seen, stack = set(starts), list(starts)
    while stack:
        for target in edges.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _reverse(edges):
    reverse = defaultdict(set)
    for source, targets in edges.items():
        for target in targets:
            reverse[target].add(source)
    return reverse


def _label(node):
    name = node.get("name")
    return f"'{name}' ({node.get('id')})" if name else f"'{node.get('id')}'"
