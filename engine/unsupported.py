"""What SpiffWorkflow 3.2 reads without running it as BPMN says: a warning before deploy.

Tasklane runs a diagram as raw SpiffWorkflow runs it (the differential test holds it to
that), so these deploy; the warning tells the process owner what will happen instead.
Each was seen on raw SpiffWorkflow (``tests/bpmn/construct_*.bpmn``, docs/runtime.md
"Differential test"). The parsed spec no longer shows them (a compensation event is a
none event once parsed), so they are read from the document. Link events, which
SpiffWorkflow 3.2 would stop at, Tasklane reads as flows (engine/bpmn_support.py).
"""
from .checks import problem
from .texts import BPMN

SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
ACTIVITIES = ("task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
              "businessRuleTask", "callActivity", "subProcess", "transaction")
COMPENSATION = ("compensation is not run by SpiffWorkflow 3.2: a compensation event is read as a none event "
                "and a compensation handler never runs")
CODED_START = ("SpiffWorkflow 3.2 reads no {kind} definition on a start event: this event sub-process starts "
               "with every case, as if its start were a none start")
INTERRUPTING = ("SpiffWorkflow 3.2 does not interrupt: when this event sub-process starts, the rest of the "
                "case keeps running (draw it non-interrupting, or end the other paths yourself)")
TIMER_START = ("SpiffWorkflow 3.2 starts a timer event sub-process with the case and keeps the case open "
               "until its timer has fired, even when everything else has ended")
SCRIPT_TASK_SCRIPTS = ("SpiffWorkflow 3.2 runs no pre- or post-script on a script task; put that code in the "
                       "script itself")
CONDITION = ("SpiffWorkflow 3.2 evaluates this condition once, when the event is reached: if it is false "
             "then, the case waits here for good")


def _has(node, *tags):
    return any(node.find(f"{{{BPMN}}}{tag}") is not None for tag in tags)


def check(root):
    """Warnings for the elements of ``root`` (the parsed document) SpiffWorkflow 3.2 will
    not run as drawn: ``[{"element", "message", "severity": "warning"}]``."""
    found = []
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag.endswith("}compensateEventDefinition") or node.get("isForCompensation") == "true":
            element = node.getparent() if node.tag.endswith("EventDefinition") else node
            found.append((element, COMPENSATION))
    for node in root.iter(f"{{{BPMN}}}intermediateCatchEvent", f"{{{BPMN}}}boundaryEvent"):
        if _has(node, "conditionalEventDefinition"):
            found.append((node, CONDITION))
    for node in root.iter(f"{{{BPMN}}}scriptTask"):
        if node.find(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}preScript") is not None or \
                node.find(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}postScript") is not None:
            found.append((node, SCRIPT_TASK_SCRIPTS))
    found.extend(_event_subprocess_starts(root))
    return [problem(node.get("id"), message, "warning") for node, message in found]


def _event_subprocess_starts(root):
    for subprocess in root.iter(f"{{{BPMN}}}subProcess"):
        if subprocess.get("triggeredByEvent") != "true":
            continue
        for start in subprocess.findall(f"{{{BPMN}}}startEvent"):
            coded = [kind for kind in ("error", "escalation") if _has(start, f"{kind}EventDefinition")]
            if coded:
                yield start, CODED_START.format(kind=coded[0])
                continue
            if start.get("isInterrupting", "true") == "true":
                yield start, INTERRUPTING
            if _has(start, "timerEventDefinition"):
                yield start, TIMER_START
