"""Collaborations whose pools run together, as one case.

SpiffWorkflow runs a collaboration as one workflow (``BpmnParser.get_collaboration``):
each executable pool is a participant, started with the case (or, a pool with a message
start event, when a message for it is thrown), and a message thrown in one pool is caught
in another. Tasklane deploys such a collaboration as one process, keyed by the
collaboration's id, when its executable pools exchange messages (a message flow between
two of them); pools that do not talk stay processes of their own, as before.
"""
from dataclasses import dataclass

from .texts import BPMN


@dataclass(frozen=True)
class Collaboration:
    key: str
    name: str
    processes: tuple   # the ids of its executable pools' processes


def talking(root, executable):
    """The collaborations of a document whose executable pools exchange messages.

    :param root: the parsed document (``lxml`` root)
    :param executable: ids of its executable processes
    :returns: a list of :class:`Collaboration`
    """
    process_of = {}
    for process in root.iter(f"{{{BPMN}}}process"):
        for node in process.iter():
            if isinstance(node.tag, str) and node.get("id"):
                process_of[node.get("id")] = process.get("id")
    found = []
    for collaboration in root.iter(f"{{{BPMN}}}collaboration"):
        pools = {p.get("id"): p.get("processRef") for p in collaboration.iter(f"{{{BPMN}}}participant")
                 if p.get("processRef") in executable}
        ends = {**process_of, **pools}
        flows = [(ends.get(f.get("sourceRef")), ends.get(f.get("targetRef")))
                 for f in collaboration.iter(f"{{{BPMN}}}messageFlow")]
        members = set(pools.values())
        if any(source != target and {source, target} <= members for source, target in flows):
            found.append(Collaboration(collaboration.get("id"), collaboration.get("name") or "",
                                       tuple(dict.fromkeys(pools.values()))))
    return found
