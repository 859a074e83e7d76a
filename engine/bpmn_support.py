"""BPMN that SpiffWorkflow 3.2 cannot run as drawn: read the way it runs, or refused saying
what to do (docs/runtime.md "Every BPMN element").

:func:`prepare` works on the tree the parser reads (a copy; the stored document stays as
drawn) and returns problems ``{"element", "message", "severity"}``:

- **read as it runs** (no problem reported): a link throw event goes on at the link
  catch event of the same name in its (sub-)process (SpiffWorkflow 3.2 has no link events:
  the throw would stop the case);
- **refused** (``error``), with a stand-in for the parser so that every other problem is
  found in the same pass: a complex gateway, a boundary event with no event or a
  compensation event, an event sub-process started by compensation, by a condition or by
  no event, an ad-hoc sub-process without a completion condition, a link without its
  other end;
- **warned** (``warning``): a signal nothing in the process throws, a message the case
  throws and nothing in it catches (Tasklane passes no message between cases), an ad-hoc
  sub-process marked sequential (run as parallel), a sequential multi-instance activity
  without an output item (SpiffWorkflow 3.2 fails at its second instance). What
  SpiffWorkflow runs otherwise than BPMN says (interrupting event sub-processes,
  compensation, ...) is warned about by :mod:`engine.unsupported`.
"""
from collections import defaultdict

from . import collaborations
from .checks import problem
from .texts import BPMN

SCOPES = {"process", "subProcess", "transaction", "adHocSubProcess"}


def _tag(name):
    return f"{{{BPMN}}}{name}"


def _local(element):
    tag = element.tag
    return tag.split("}", 1)[1] if isinstance(tag, str) and tag.startswith(f"{{{BPMN}}}") else None


def _label(element):
    return element.get("name") or element.get("id")


def _definitions(element):
    """The local names of the event definitions directly inside ``element``."""
    return [_local(child)[:-len("EventDefinition")] for child in element
            if (_local(child) or "").endswith("EventDefinition")]


def prepare(root):
    """Read ``root`` (the parser's copy, changed in place) as SpiffWorkflow 3.2 runs it.

    :returns: problems; an ``error`` refuses the deploy
    """
    problems = []
    for check in (_links, _adhoc, _complex, _boundaries, _event_subprocesses, _signals, _messages,
                  _sequential_multi_instances):
        problems += check(root)
    return problems


def _links(root):
    found = []
    for scope in root.iter(*[_tag(s) for s in SCOPES]):
        catches, throws = defaultdict(list), []
        for node in scope:
            for link in node.findall(_tag("linkEventDefinition")):
                if _local(node) == "intermediateCatchEvent":
                    catches[link.get("name")].append(node)
                elif _local(node) == "intermediateThrowEvent":
                    throws.append((node, link.get("name")))
        for name, nodes in catches.items():
            if len(nodes) > 1:
                found.append(problem(nodes[1].get("id"), f"link '{name}' has {len(nodes)} catch events in "
                                     "this (sub-)process; a link goes to one: rename the others"))
        for throw, name in throws:
            targets = catches.get(name)
            if not targets:
                found.append(problem(throw.get("id"), f"link '{name}' has no catch event of that name in the "
                                     "same (sub-)process: add one, or connect the flow directly"))
                continue
            scope.append(scope.makeelement(_tag("sequenceFlow"), {
                "id": f"{throw.get('id')}__link__{targets[0].get('id')}",
                "sourceRef": throw.get("id"), "targetRef": targets[0].get("id")}))
    return found


def _adhoc(root):
    found = []
    for adhoc in root.iter(_tag("adHocSubProcess")):
        if adhoc.find(_tag("completionCondition")) is None:
            found.append(problem(adhoc.get("id"), "ad-hoc sub-process has no completion condition; "
                                 "SpiffWorkflow needs one to know when it is done: add one, e.g. "
                                 "done == True"))
        if (adhoc.get("ordering") or "").lower() == "sequential":
            found.append(problem(adhoc.get("id"), "ad-hoc sub-process is marked sequential; SpiffWorkflow "
                                 "runs its activities as if parallel (any of them may be done at any time)",
                                 "warning"))
    return found


def _complex(root):
    found = []
    for gateway in list(root.iter(_tag("complexGateway"))):
        found.append(problem(gateway.get("id"), "complex gateway: SpiffWorkflow has none; use an inclusive "
                             "gateway (a condition on each flow) or a parallel one"))
        gateway.tag = _tag("inclusiveGateway")
    return found


def _boundaries(root):
    found = []
    for event in list(root.iter(_tag("boundaryEvent"))):
        kinds = _definitions(event)
        if kinds and set(kinds) != {"compensate"}:
            continue
        what = "a compensation boundary event" if kinds else "a boundary event without an event"
        found.append(problem(event.get("id"), f"{what}: SpiffWorkflow does not run it; undo the work on a "
                             "path of its own (after an error boundary event, say), or give the event a "
                             "message, timer, signal, error, escalation or condition"))
        event.getparent().remove(event)
    return found


def _event_subprocesses(root):
    found = []
    for sub in list(root.iter(_tag("subProcess"))):
        if sub.get("triggeredByEvent") != "true":
            continue
        for start in sub.findall(_tag("startEvent")):
            kinds = set(_definitions(start))
            if kinds and not kinds & {"compensate", "conditional"}:
                continue  # runs; what runs otherwise than drawn is engine/unsupported.py's to warn
            why = {"compensate": "by compensation, which SpiffWorkflow does not run (it would start with "
                                 "every case)",
                   "conditional": "by a condition, which SpiffWorkflow never checks for an event "
                                  "sub-process"}
            reason = why.get(next(iter(kinds & set(why)), None),
                             "by no event (it would start with every case)")
            found.append(problem(start.get("id"), f"event sub-process '{_label(sub)}' is started {reason}; "
                                 "start it by a message, timer, signal, error or escalation"))
            if sub.getparent() is not None:
                sub.getparent().remove(sub)
            break
    return found


def _named(root, kind):
    """``{id: name}`` of the document's ``bpmn:signal`` or ``bpmn:message`` elements."""
    return {e.get("id"): e.get("name") or e.get("id") for e in root.iter(_tag(kind))}


def _refs(process, kind, elements):
    """``[(element, ref)]``: the ``kind`` events (``signal``, ``message``) of ``elements``
    (local names) inside ``process``; a send or receive task's own ``messageRef`` counts."""
    found = []
    for node in process.iter(*[_tag(e) for e in elements]):
        refs = [d.get(f"{kind}Ref") for d in node.findall(_tag(f"{kind}EventDefinition"))]
        if kind == "message" and node.get("messageRef"):
            refs.append(node.get("messageRef"))
        found += [(node, ref) for ref in refs if ref]
    return found


def _signals(root):
    names, found = _named(root, "signal"), []
    for process in root.iter(_tag("process")):
        throwing = ("intermediateThrowEvent", "endEvent")
        thrown = {names.get(ref, ref) for _, ref in _refs(process, "signal", throwing)}
        catching = ("startEvent", "intermediateCatchEvent", "boundaryEvent")
        for node, ref in _refs(process, "signal", catching):
            if names.get(ref, ref) not in thrown:
                found.append(problem(node.get("id"), f"waits for signal '{names.get(ref, ref)}', which "
                                     "nothing in this process throws; Tasklane passes a signal only from a "
                                     "throw in the same case, so it never comes", "warning"))
    return found


def _messages(root):
    """A message thrown where nothing catches it: not in its process, nor in a pool of a
    collaboration it runs with as one case (engine/collaborations.py)."""
    names, found = _named(root, "message"), []
    processes = {p.get("id"): p for p in root.iter(_tag("process"))}
    catching = ("startEvent", "intermediateCatchEvent", "boundaryEvent", "receiveTask")
    caught = {pid: {names.get(ref, ref) for _, ref in _refs(p, "message", catching)}
              for pid, p in processes.items()}
    executable = {pid for pid, p in processes.items() if p.get("isExecutable") == "true"}
    for collaboration in collaborations.talking(root, executable):
        together = set().union(*(caught.get(pid, set()) for pid in collaboration.processes))
        for pid in collaboration.processes:
            caught[pid] = together
    for pid, process in processes.items():
        for node, ref in _refs(process, "message", ("intermediateThrowEvent", "endEvent", "sendTask")):
            if names.get(ref, ref) not in caught[pid]:
                found.append(problem(node.get("id"), f"throws message '{names.get(ref, ref)}', which "
                                     "nothing in this process catches; Tasklane passes no message from one "
                                     "case to another (send it with POST "
                                     "/api/v1/instances/<id>/messages/<name>)",
                                     "warning"))
    return found


def _sequential_multi_instances(root):
    found = []
    for loop in root.iter(_tag("multiInstanceLoopCharacteristics")):
        node = loop.getparent()
        if loop.get("isSequential") != "true" or loop.find(_tag("inputDataItem")) is None:
            continue
        if loop.find(_tag("outputDataItem")) is None:
            item = loop.find(_tag("inputDataItem")).get("id")
            found.append(problem(node.get("id"), "sequential multi-instance without an output item: "
                                 f"SpiffWorkflow fails at its second instance ('{item}' already exists); "
                                 f"give it an output collection and item, or remove the item at its end "
                                 f"(del {item})", "warning"))
    return found
