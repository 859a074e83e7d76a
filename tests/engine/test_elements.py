"""Every BPMN element of docs/runtime.md "Every BPMN element", as the table says: a minimal
diagram per row is validated, deployed, started and driven (tasks completed, messages sent,
timers fired), and ends as documented, or is refused with the documented message."""
from dataclasses import dataclass, field

import pytest

import engine
from engine.db import db
from engine.models import AuditEvent, HumanTask, Timer

from .helpers import fire_when_due, instance

DEFINITIONS = ('<bpmn:message id="m" name="go" /><bpmn:signal id="sg" name="ping" />'
               '<bpmn:error id="er" name="bad" errorCode="bad" />'
               '<bpmn:escalation id="esc" name="up" escalationCode="up" />')
TIMER = ('<bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration>'
         '</bpmn:timerEventDefinition>')
MESSAGE = '<bpmn:messageEventDefinition messageRef="m" />'
SIGNAL = '<bpmn:signalEventDefinition signalRef="sg" />'
ERROR = '<bpmn:errorEventDefinition errorRef="er" />'
ESCALATION = '<bpmn:escalationEventDefinition escalationRef="esc" />'
COMPENSATION = "<bpmn:compensateEventDefinition />"
LINK = '<bpmn:linkEventDefinition name="on" />'
CONDITION = ('<bpmn:conditionalEventDefinition><bpmn:condition>ready</bpmn:condition>'
             '</bpmn:conditionalEventDefinition>')


def flows(*pairs):
    return "".join(f'<bpmn:sequenceFlow id="{a}_{b}" sourceRef="{a}" targetRef="{b}" />' for a, b in pairs)


def conditional(source, target, condition):
    return (f'<bpmn:sequenceFlow id="{source}_{target}" sourceRef="{source}" targetRef="{target}">'
            f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>")


def el(kind, element, inner="", **attributes):
    """``<bpmn:kind id=element ...>inner</bpmn:kind>``"""
    extra = "".join(f' {k}="{v}"' for k, v in attributes.items())
    return f'<bpmn:{kind} id="{element}"{extra}>{inner}</bpmn:{kind}>'


def task(kind, element="x", inner="", **attributes):
    return element, el(kind, element, inner, **attributes)


def catch(inner, element="c"):
    return task("intermediateCatchEvent", element, inner)


def throw(inner, element="t"):
    return task("intermediateThrowEvent", element, inner)


def script(code, element="x", inner=""):
    return task("scriptTask", element, f"{inner}<bpmn:script>{code}</bpmn:script>")


def line(*elements, start="", end=""):
    """start -> each element -> end, along flows (``start``/``end``: their event definitions)."""
    ids = ["s", *[e[0] for e in elements], "e"]
    return (el("startEvent", "s", start) + "".join(e[1] for e in elements) + el("endEvent", "e", end)
            + flows(*zip(ids, ids[1:], strict=False)))


def sub(kind, inner_end, element="sp"):
    """A sub-process (or transaction) with a user task ``w`` and ``inner_end`` as ``x``."""
    return element, el(kind, element, el("startEvent", "ss") + el("userTask", "w") + inner_end
                       + flows(("ss", "w"), ("w", "x")))


def boundary(definition, attached="u", cancel=True):
    return (el("boundaryEvent", "b", definition, attachedToRef=attached, cancelActivity=str(cancel).lower())
            + el("userTask", "h") + el("endEvent", "e2") + flows(("b", "h"), ("h", "e2")))


def event_subprocess(definition, *, interrupting=True, handler=False):
    inner = (el("startEvent", "es", definition, isInterrupting=str(interrupting).lower())
             + (el("userTask", "h") + flows(("es", "h"), ("h", "ee")) if handler else flows(("es", "ee")))
             + el("endEvent", "ee"))
    return el("subProcess", "ev", inner, triggeredByEvent="true")


def multi_instance(sequential=False, output=True):
    refs = "<bpmn:loopDataInputRef>items</bpmn:loopDataInputRef>"
    refs += "<bpmn:loopDataOutputRef>outs</bpmn:loopDataOutputRef>" if output else ""
    items = '<bpmn:inputDataItem id="item" />' + ('<bpmn:outputDataItem id="out" />' if output else "")
    return (f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}">{refs}{items}'
            "</bpmn:multiInstanceLoopCharacteristics>")


def loop(condition):
    return (f"<bpmn:standardLoopCharacteristics><bpmn:loopCondition>{condition}</bpmn:loopCondition>"
            "</bpmn:standardLoopCharacteristics>")


USER = task("userTask", "u")
SPLIT = '<bpmn:startEvent id="s" /><bpmn:parallelGateway id="p" />'
ADHOC = el("userTask", "a1") + el("userTask", "a2")
IO = ('<bpmn:ioSpecification><bpmn:dataInput id="amount" /><bpmn:dataOutput id="fee" /><bpmn:inputSet>'
      "<bpmn:dataInputRefs>amount</bpmn:dataInputRefs></bpmn:inputSet><bpmn:outputSet><bpmn:dataOutputRefs>"
      "fee</bpmn:dataOutputRefs></bpmn:outputSet></bpmn:ioSpecification>")
CALLED = ('<bpmn:process id="called" isExecutable="true">' + el("startEvent", "cs") + script("z = 5", "cw")[1]
          + el("endEvent", "ce") + flows(("cs", "cw"), ("cw", "ce")) + "</bpmn:process>")
UNKNOWN_OPERATOR = ('<bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="crm/lookup">'
                    "<spiffworkflow:parameters /></spiffworkflow:serviceTaskOperator>"
                    "</bpmn:extensionElements>")


@dataclass
class Row:
    """One row of the table: ``body`` of process ``elements`` and what becomes of its case."""

    name: str
    body: str
    data: dict = field(default_factory=dict)
    steps: tuple = ()
    status: str = "completed"
    open: tuple = ()
    passed: tuple = ()          # elements the case's audit trail names, in order
    warnings: tuple = ()        # a substring per warning, in order
    refused: tuple = None       # (element, substring of the error)
    incident: str = None        # substring of the case's incident
    extra: str = ""             # process-level elements before the process (a called process)


NO_SIGNAL = "waits for signal 'ping', which nothing in this process throws"
NO_CATCHER = "throws message 'go', which nothing in this process catches"
COMPENSATED = "compensation is not run by SpiffWorkflow 3.2"
CHECKED_ONCE = "SpiffWorkflow 3.2 evaluates this condition once, when the event is reached"
ROWS = [
    # start events
    Row("start none", line()),
    Row("start message", line(task("userTask"), start=MESSAGE),
        steps=(("message", "go"),), status="running", open=("x",)),
    Row("start timer started by hand", line(task("userTask"), start=TIMER), status="running", open=("x",)),
    Row("start signal", line(start=SIGNAL), status="running", warnings=(NO_SIGNAL,)),
    Row("start conditional true", line(start=CONDITION), data={"ready": True}),
    Row("start conditional false", line(start=CONDITION), data={"ready": False},
        steps=(("repair", {"ready": True}),)),
    Row("start multiple", line(start=MESSAGE + TIMER), steps=(("message", "go"),)),
    # end events
    Row("end message caught in the case", SPLIT + el("intermediateCatchEvent", "c", MESSAGE)
        + el("endEvent", "e1") + el("endEvent", "e", MESSAGE)
        + flows(("s", "p"), ("p", "c"), ("c", "e1"), ("p", "e")), passed=("e", "c")),
    Row("end message to nobody", line(end=MESSAGE), warnings=(NO_CATCHER,)),
    Row("end error caught by a boundary event", line(sub("subProcess", el("endEvent", "x", ERROR)))
        + boundary(ERROR, "sp"),
        steps=(("complete", "w"),), status="running", open=("h",), passed=("x", "b")),
    Row("end error nobody catches", line(sub("subProcess", el("endEvent", "x", ERROR))),
        steps=(("complete", "w"),)),
    Row("end escalation caught, not interrupting", line(sub("subProcess", el("endEvent", "x", ESCALATION)))
        + boundary(ESCALATION, "sp", cancel=False),
        steps=(("complete", "w"),), status="running", open=("h",), passed=("x", "sp", "b", "e")),
    Row("end terminate", SPLIT + el("userTask", "u")
        + el("endEvent", "t", "<bpmn:terminateEventDefinition />") + el("endEvent", "e")
        + flows(("s", "p"), ("p", "u"), ("p", "t"), ("u", "e")), passed=("t",)),
    Row("end cancel and cancel boundary of a transaction",
        line(sub("transaction", el("endEvent", "x", "<bpmn:cancelEventDefinition />")))
        + boundary("<bpmn:cancelEventDefinition />", "sp"),
        steps=(("complete", "w"),), status="running", open=("h",)),
    Row("end compensation", line(end=COMPENSATION), warnings=(COMPENSATED,)),
    # intermediate catch events
    Row("catch message", line(catch(MESSAGE)), steps=(("message", "go"),)),
    Row("catch timer", line(catch(TIMER)), steps=(("fire", "c"),)),
    Row("catch signal thrown in the case", SPLIT + el("intermediateCatchEvent", "c", SIGNAL)
        + el("userTask", "u") + el("intermediateThrowEvent", "t", SIGNAL) + el("parallelGateway", "j")
        + el("endEvent", "e")
        + flows(("s", "p"), ("p", "c"), ("p", "u"), ("u", "t"), ("c", "j"), ("t", "j"), ("j", "e")),
        steps=(("complete", "u"),), passed=("t", "c")),
    Row("catch signal nothing throws", line(catch(SIGNAL)), status="running", warnings=(NO_SIGNAL,)),
    Row("catch conditional true", line(catch(CONDITION)), data={"ready": True}, warnings=(CHECKED_ONCE,)),
    Row("catch conditional false", line(catch(CONDITION)), warnings=(CHECKED_ONCE,),
        data={"ready": False}, status="running", incident="c: the case stopped here"),
    Row("catch conditional false, corrected and retried", line(catch(CONDITION)), warnings=(CHECKED_ONCE,),
        data={"ready": False}, steps=(("repair", {"ready": True}),)),
    Row("link", el("startEvent", "s") + el("intermediateThrowEvent", "t", LINK)
        + el("intermediateCatchEvent", "c", LINK) + el("endEvent", "e")
        + flows(("s", "t"), ("c", "e")), passed=("t", "c", "e")),
    Row("link without its catch", el("startEvent", "s")
        + el("intermediateThrowEvent", "t", LINK) + flows(("s", "t")),
        refused=("t", "link 'on' has no catch event of that name")),
    Row("catch multiple, its timer fires", line(catch(MESSAGE + TIMER)), steps=(("fire", "c"),)),
    # intermediate throw events
    Row("throw none", line(throw(""))),
    Row("throw escalation nobody catches", line(throw(ESCALATION))),
    Row("throw compensation", line(throw(COMPENSATION)), warnings=(COMPENSATED,)),
    # boundary events
    Row("boundary message", line(USER) + boundary(MESSAGE),
        steps=(("message", "go"),), status="running", open=("h",)),
    Row("boundary message not interrupting", line(USER) + boundary(MESSAGE, cancel=False),
        steps=(("message", "go"),), status="running", open=("h", "u")),
    Row("boundary timer", line(USER) + boundary(TIMER),
        steps=(("fire", "b"),), status="running", open=("h",)),
    Row("boundary conditional", line(USER) + boundary(CONDITION), data={"ready": True}, status="running",
        open=("h",), warnings=(CHECKED_ONCE,)),
    Row("boundary compensation", line(USER) + boundary(COMPENSATION),
        refused=("b", "a compensation boundary event: SpiffWorkflow does not run it")),
    # activities
    Row("task", line(task("task")), steps=(("complete", "x"),)),
    Row("user task", line(task("userTask")), steps=(("complete", "x"),)),
    Row("manual task", line(task("manualTask")), steps=(("complete", "x"),)),
    Row("script task", line(script("y = 2")), passed=("x",)),
    Row("service task of an unknown operator", line(task("serviceTask", inner=UNKNOWN_OPERATOR)),
        refused=("x", "service task calls operator 'crm/lookup', which is not registered here")),
    Row("send task", line(task("sendTask", messageRef="m")), warnings=(NO_CATCHER,)),
    Row("receive task", line(task("receiveTask", messageRef="m")), steps=(("message", "go"),)),
    Row("business rule task", line(task("businessRuleTask")),
        refused=("x", "names no decision; set spiffworkflow:calledDecisionId")),
    Row("call activity", line(task("callActivity", calledElement="called"), USER), extra=CALLED,
        status="running", open=("u",), passed=("cs", "cw", "x")),
    Row("call activity of another file", line(task("callActivity", calledElement="elsewhere")),
        refused=("x", "calls process 'elsewhere', which is neither in the upload nor deployed")),
    Row("sub-process", line(sub("subProcess", el("endEvent", "x"))), steps=(("complete", "w"),)),
    Row("transaction", line(sub("transaction", el("endEvent", "x"))), steps=(("complete", "w"),)),
    Row("event sub-process started by a message", line(USER) + event_subprocess(MESSAGE),
        steps=(("message", "go"),), status="running", open=("u",), passed=("es", "ee"),
        warnings=("SpiffWorkflow 3.2 does not interrupt",)),
    Row("event sub-process not interrupting", line(USER) + event_subprocess(MESSAGE, interrupting=False,
                                                                            handler=True),
        steps=(("message", "go"),), status="running", open=("u", "h")),
    Row("event sub-process started by compensation", line() + event_subprocess(COMPENSATION),
        refused=("es", "event sub-process 'ev' is started by compensation")),
    Row("event sub-process started by a condition", line() + event_subprocess(CONDITION),
        refused=("es", "event sub-process 'ev' is started by a condition")),
    Row("ad-hoc sub-process", line(task("adHocSubProcess", inner=ADHOC + "<bpmn:completionCondition>done"
                                        "</bpmn:completionCondition>")),
        data={"done": False},
        steps=(("complete", "a1", {"done": False}), ("complete", "a2", {"done": True}))),
    Row("ad-hoc sub-process without a completion condition", line(task("adHocSubProcess", inner=ADHOC)),
        refused=("x", "ad-hoc sub-process has no completion condition")),
    # loops and multi-instance
    Row("multi-instance parallel", line(script("out = item * 10", inner=multi_instance())),
        data={"items": [1, 2]}),
    Row("multi-instance sequential without an output item",
        line(script("n = item\ndel item", inner=multi_instance(sequential=True, output=False))),
        data={"items": [1, 2]}, warnings=("sequential multi-instance without an output item",)),
    Row("standard loop", line(script("count = count + 1", inner=loop("count &lt; 3"))), data={"count": 0}),
    Row("loop condition calling an unknown function", line(script("n = 1", inner=loop("secret()"))),
        refused=("x", "loop condition calls unknown function(s): secret")),
    # gateways
    Row("exclusive gateway", el("startEvent", "s") + el("exclusiveGateway", "g", default="g_b")
        + el("userTask", "a") + el("userTask", "b") + el("endEvent", "e") + el("endEvent", "e2")
        + flows(("s", "g"), ("g", "b"), ("a", "e"), ("b", "e2")) + conditional("g", "a", "x &gt; 1"),
        data={"x": 2}, status="running", open=("a",)),
    Row("inclusive gateway", el("startEvent", "s") + el("inclusiveGateway", "g") + script("a = 1", "a")[1]
        + script("b = 1", "b")[1] + el("inclusiveGateway", "j") + el("endEvent", "e")
        + flows(("s", "g"), ("a", "j"), ("b", "j"), ("j", "e"))
        + conditional("g", "a", "x &gt; 1") + conditional("g", "b", "x &gt; 5"),
        data={"x": 2}, passed=("g", "a", "j", "e")),
    Row("parallel gateway", el("startEvent", "s") + el("parallelGateway", "g") + el("userTask", "a")
        + el("userTask", "b") + el("parallelGateway", "j") + el("endEvent", "e")
        + flows(("s", "g"), ("g", "a"), ("g", "b"), ("a", "j"), ("b", "j"), ("j", "e")),
        steps=(("complete", "a"), ("complete", "b"))),
    Row("event-based gateway, the timer first", el("startEvent", "s") + el("eventBasedGateway", "g")
        + el("intermediateCatchEvent", "cm", MESSAGE) + el("intermediateCatchEvent", "ct", TIMER)
        + el("userTask", "a") + el("userTask", "b") + el("endEvent", "e") + el("endEvent", "e2")
        + flows(("s", "g"), ("g", "cm"), ("g", "ct"), ("cm", "a"), ("ct", "b"), ("a", "e"), ("b", "e2")),
        steps=(("fire", "g"),), status="running", open=("b",)),
    Row("complex gateway", line(task("complexGateway", "g")),
        refused=("g", "complex gateway: SpiffWorkflow has none")),
    # data
    Row("data object", '<bpmn:dataObject id="note" />' + line(
        script('note = "ok"', "w", '<bpmn:dataOutputAssociation id="o"><bpmn:targetRef>ref</bpmn:targetRef>'
                                   "</bpmn:dataOutputAssociation>"),
        script("read = note", "r", '<bpmn:property id="pr" name="__targetRef_placeholder" />'
                                   '<bpmn:dataInputAssociation id="i"><bpmn:sourceRef>ref</bpmn:sourceRef>'
                                   "<bpmn:targetRef>pr</bpmn:targetRef></bpmn:dataInputAssociation>"))
        + '<bpmn:dataObjectReference id="ref" dataObjectRef="note" />'),
    Row("data inputs and outputs", line(script("fee = amount / 10", inner=IO)),
        data={"amount": 100, "other": 1}),
    Row("data store", line(script("y = 1", inner='<bpmn:dataOutputAssociation id="o"><bpmn:targetRef>crm'
                                                 "</bpmn:targetRef></bpmn:dataOutputAssociation>"))
        + '<bpmn:dataStoreReference id="crm" name="CRM" />',
        warnings=("data store 'CRM' is drawn for documentation only",)),
    # artifacts
    Row("text annotation and group", line(USER)
        + '<bpmn:textAnnotation id="ta"><bpmn:text>Within two hours</bpmn:text></bpmn:textAnnotation>'
          '<bpmn:association id="as" sourceRef="u" targetRef="ta" /><bpmn:group id="gr" />',
        steps=(("complete", "u"),)),
]
DATA_AFTER = {"multi-instance parallel": {"outs": [10, 20]}, "standard loop": {"count": 3},
              "data inputs and outputs": {"fee": 10.0, "other": "missing"}, "data object": {"read": "ok"},
              "ad-hoc sub-process": {"done": True}}


def document(row):
    return ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" '
            f'targetNamespace="http://t">{DEFINITIONS}{row.extra}'
            f'<bpmn:process id="elements" isExecutable="true">{row.body}</bpmn:process></bpmn:definitions>')


def drive(case_id, step):
    kind, name, *data = step
    if kind == "complete":
        db.session.expire_all()
        row = (db.session.query(HumanTask).filter_by(instance_id=case_id, element_id=name, state="open")
               .first())
        engine.complete_task(row.id, actor="manager", data=data[0] if data else {})
    elif kind == "message":
        engine.send_message(case_id, name, actor="manager", payload={})
    elif kind == "fire":
        db.session.expire_all()
        fire_when_due(db.session.query(Timer).filter_by(instance_id=case_id, element_id=name,
                                                        state="pending").one())
    elif kind == "repair":
        engine.correct_data(case_id, actor="owner", lock_version=instance(case_id).lock_version, values=name)
        engine.retry(case_id, actor="owner", lock_version=instance(case_id).lock_version)


def passed(case_id):
    db.session.expire_all()
    return [e.element_id for e in db.session.query(AuditEvent).filter_by(instance_id=case_id)
            .order_by(AuditEvent.seq) if e.element_id]


def in_order(wanted, found):
    rest = iter(found)
    return all(any(item == seen for seen in rest) for item in wanted)


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_each_element_runs_or_is_refused_as_the_table_says(app, row):
    xml = document(row)
    problems = [p for p in engine.validate(xml, name="p.bpmn") if "has no form" not in p["message"]]
    if row.refused:
        element, message = row.refused
        assert any(p["severity"] == "error" and p["element"] == element and message in p["message"]
                   for p in problems), problems
        return
    assert [p["severity"] for p in problems] == ["warning"] * len(row.warnings), problems
    assert all(w in p["message"] for w, p in zip(row.warnings, problems, strict=True)), problems
    engine.deploy(xml, actor="owner", name="p.bpmn")
    case = engine.start("elements", actor="manager", data=row.data).id
    for step in row.steps:
        drive(case, step)
    found = instance(case)
    assert found.status == row.status, (found.status, found.error)
    if row.incident:
        assert row.incident in (found.error or "")
    else:
        assert found.error is None
    db.session.expire_all()
    opened = db.session.query(HumanTask.element_id).filter_by(instance_id=case, state="open")
    assert sorted(element for (element,) in opened) == sorted(row.open)
    assert in_order(row.passed, passed(case)), passed(case)
    for key, value in DATA_AFTER.get(row.name, {}).items():
        assert engine.case_data(case).get(key, "missing") == value


COLLABORATION = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t">'
    '<bpmn:message id="m" name="go" /><bpmn:collaboration id="col"><bpmn:participant id="customer" />'
    '<bpmn:participant id="bank_pool" processRef="bank" />'
    '<bpmn:participant id="branch_pool" processRef="branch" />'
    '<bpmn:messageFlow id="asks" sourceRef="customer" targetRef="c" messageRef="m" />'
    '<bpmn:messageFlow id="tells" sourceRef="bt" targetRef="c" messageRef="m" /></bpmn:collaboration>'
    '<bpmn:process id="bank" isExecutable="true"><bpmn:laneSet id="ls"><bpmn:lane id="l" name="sales">'
    "<bpmn:flowNodeRef>u</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>" + line(catch(MESSAGE), USER)
    + '</bpmn:process><bpmn:process id="branch" isExecutable="true">' + el("startEvent", "bs")
    + el("intermediateThrowEvent", "bt", MESSAGE) + el("endEvent", "be") + flows(("bs", "bt"), ("bt", "be"))
    + "</bpmn:process></bpmn:definitions>")


def test_pools_that_exchange_messages_run_as_one_case(app):
    """A collaboration whose executable pools exchange messages deploys as one process, keyed
    by the collaboration (engine/collaborations.py): the branch's throw reaches the bank's
    catch in the same case. A pool without a process (the customer) is drawn only; a lane
    names the role of its tasks."""
    problems = engine.validate(COLLABORATION, name="collaboration.bpmn")
    assert [(p["element"], p["severity"]) for p in problems if "has no form" not in p["message"]] == []
    deployed = engine.deploy(COLLABORATION, actor="owner", name="collaboration.bpmn")
    assert sorted(version.definition.key for version, _ in deployed) == ["col"]
    case = engine.start("col", actor="manager").id
    db.session.expire_all()
    [row] = db.session.query(HumanTask).filter_by(instance_id=case, state="open").all()
    assert (row.element_id, row.candidate_role) == ("u", "sales")
    assert {"bt", "c"} <= set(passed(case))
