"""Validate before deploy (issue 5): what a deploy refuses, what only warns, and the
validate call that reports both without storing anything."""
import pytest

import engine
from engine.db import db
from engine.errors import DeployError
from engine.models import ProcessDefinition
from tests.conftest import ROOT

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://t">
  <bpmn:process id="checked" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
"""
TAIL = "  </bpmn:process>\n</bpmn:definitions>\n"


def gateway_diagram(*conditions, default=False):
    """start -> gateway -> one end per condition (the first flow is the default if asked)."""
    flows, ends = [], []
    for n, condition in enumerate(conditions):
        body = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>" if condition else ""
        flows.append(f'<bpmn:sequenceFlow id="f{n + 1}" sourceRef="choose" targetRef="end{n}">{body}'
                     "</bpmn:sequenceFlow>")
        ends.append(f'<bpmn:endEvent id="end{n}"><bpmn:incoming>f{n + 1}</bpmn:incoming></bpmn:endEvent>')
    outgoing = "".join(f"<bpmn:outgoing>f{n + 1}</bpmn:outgoing>" for n in range(len(conditions)))
    default_attr = ' default="f1"' if default else ""
    return (HEAD + f'<bpmn:exclusiveGateway id="choose"{default_attr}><bpmn:incoming>f0</bpmn:incoming>'
            f"{outgoing}</bpmn:exclusiveGateway>" + "".join(ends) + "".join(flows)
            + '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="choose" />' + TAIL)


def timer_diagram(kind, expression):
    return (HEAD + f'<bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f0</bpmn:incoming>'
            f'<bpmn:outgoing>f1</bpmn:outgoing><bpmn:timerEventDefinition id="t">'
            f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}</bpmn:{kind}>'
            "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
            '<bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>'
            '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="wait" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="end" />' + TAIL)


def task_diagram(properties=""):
    return (HEAD + '<bpmn:userTask id="ask"><bpmn:extensionElements><spiffworkflow:properties>'
            f"{properties}</spiffworkflow:properties></bpmn:extensionElements>"
            "<bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>"
            '<bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>'
            '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="ask" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="ask" targetRef="end" />' + TAIL)


def form(name):
    return f'<spiffworkflow:property name="formJsonSchemaFilename" value="{name}" />'


def messages(xml):
    return [(p["element"], p["severity"]) for p in engine.validate(xml, name="checked.bpmn")]


@pytest.mark.parametrize("conditions, default", [
    (["x == 1", "x == 2"], True),
    (["x == 1", "not (x == 1)"], False),
    (["x &gt; 3", "not x &gt; 3"], False),
    (["x == 1", "True"], False),
])
def test_a_gateway_with_a_default_or_complementary_conditions_passes(app, conditions, default):
    assert messages(gateway_diagram(*conditions, default=default)) == []


def test_a_gateway_that_may_find_no_way_out_is_a_warning_and_deploys(app):
    """SpiffWorkflow runs it; a case whose data meets no condition gets an incident there."""
    xml = gateway_diagram("x == 1", "x == 2")
    [problem] = engine.validate(xml, name="checked.bpmn")
    assert (problem["element"], problem["severity"]) == ("choose", "warning")
    assert "default flow" in problem["message"]
    [(version, created)] = engine.deploy(xml, actor="owner", name="checked.bpmn")
    assert created


def test_a_gateway_whose_every_condition_is_false_is_refused(app):
    xml = gateway_diagram("False", "0")
    assert messages(xml) == [("choose", "error")]
    with pytest.raises(DeployError) as refused:
        engine.deploy(xml, actor="owner", name="checked.bpmn")
    assert "always false" in refused.value.problems[0]["message"]
    assert db.session.query(ProcessDefinition).count() == 0


@pytest.mark.parametrize("kind, expression, ok", [
    ("timeDuration", '"PT24H"', True),
    ("timeDuration", '"P1DT2H"', True),
    ("timeDuration", '"24 hours"', False),
    ("timeDate", '"2026-12-01T09:00:00+07:00"', True),
    ("timeDate", '"tomorrow"', False),
    ("timeCycle", '"R3/PT1H"', True),
    ("timeCycle", '"every hour"', False),
    ("timeDuration", "wait_for", True),              # known only when the case runs
])
def test_a_constant_timer_must_parse_as_its_kind(app, kind, expression, ok):
    found = messages(timer_diagram(kind, expression))
    assert found == ([] if ok else [("wait", "error")])


def test_the_timer_of_an_event_based_gateway_is_checked_as_any_timer(app):
    xml = (ROOT / "tests" / "bpmn" / "construct_event_gateway.bpmn").read_text()
    assert not [p for p in engine.validate(xml, name="gateway.bpmn") if p["severity"] == "error"]
    bad_constant = xml.replace('<bpmn:timeDuration>"P3D"</bpmn:timeDuration>',
                               '<bpmn:timeDuration>"three days"</bpmn:timeDuration>')
    bad_code = xml.replace('<bpmn:timeDuration>"P3D"</bpmn:timeDuration>',
                           "<bpmn:timeDuration>days(3</bpmn:timeDuration>")
    for bad in (bad_constant, bad_code):
        errors = [p for p in engine.validate(bad, name="gateway.bpmn") if p["severity"] == "error"]
        assert [p["element"] for p in errors] == ["await_answer"], errors
        assert "timer" in errors[0]["message"]


@pytest.mark.parametrize(("diagram", "warned"), [
    ("construct_link_events", set()),
    ("construct_event_subprocess_error", {"broken_start"}),
    ("construct_event_subprocess_escalation", {"notice_start", "abort_start"}),
    ("construct_event_subprocess_message", {"withdraw_start"}),
    ("construct_event_subprocess_timer", {"nudge_start", "expire_start"}),
    ("construct_script_pre_post", {"invoice"}),
    ("construct_conditional_event", {"large_enough"}),
    ("construct_event_gateway", set()),
])
def test_what_spiffworkflow_does_not_run_as_drawn_is_a_warning_that_deploys(app, diagram, warned):
    """engine/unsupported.py: each was seen on raw SpiffWorkflow 3.2 (tests/differential)."""
    xml = (ROOT / "tests" / "bpmn" / f"{diagram}.bpmn").read_bytes()
    problems = [p for p in engine.validate(xml, name=f"{diagram}.bpmn")
                if "SpiffWorkflow 3.2" in p["message"]]
    assert {p["element"] for p in problems} == warned
    assert {p["severity"] for p in problems} <= {"warning"}
    engine.deploy(xml, actor="owner", name=f"{diagram}.bpmn")


def test_compensation_is_a_warning_where_spiffworkflow_reads_it(app):
    """A compensation throw event is read as a none event and a compensation handler never
    runs; a compensation boundary event SpiffWorkflow's parser refuses outright."""
    compensated = (HEAD + '<bpmn:task id="book"><bpmn:incoming>f0</bpmn:incoming>'
                   "<bpmn:outgoing>f1</bpmn:outgoing></bpmn:task>"
                   '<bpmn:intermediateThrowEvent id="undo"><bpmn:incoming>f1</bpmn:incoming>'
                   '<bpmn:outgoing>f2</bpmn:outgoing><bpmn:compensateEventDefinition id="c" />'
                   "</bpmn:intermediateThrowEvent>"
                   '<bpmn:task id="cancel_booking" isForCompensation="true" />'
                   '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
                   '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="book" />'
                   '<bpmn:sequenceFlow id="f1" sourceRef="book" targetRef="undo" />'
                   '<bpmn:sequenceFlow id="f2" sourceRef="undo" targetRef="end" />' + TAIL)
    warned = {p["element"] for p in engine.validate(compensated, name="c.bpmn")
              if "compensation" in p["message"] and p["severity"] == "warning"}
    assert warned == {"undo", "cancel_booking"}
    boundary = compensated.replace('<bpmn:intermediateThrowEvent id="undo"><bpmn:incoming>f1</bpmn:incoming>'
                                   '<bpmn:outgoing>f2</bpmn:outgoing>', '<bpmn:boundaryEvent id="undo" '
                                   'attachedToRef="book"><bpmn:outgoing>f2</bpmn:outgoing>')
    boundary = boundary.replace("</bpmn:intermediateThrowEvent>", "</bpmn:boundaryEvent>")
    refused = [p["element"] for p in engine.validate(boundary, name="c.bpmn") if p["severity"] == "error"]
    assert "undo" in refused


def test_a_user_task_form_must_exist_and_a_task_without_one_is_only_warned_about(app):
    assert messages(task_diagram(form("lead-call-outcome.json"))) == []
    assert messages(task_diagram()) == [("ask", "warning")]
    assert messages(task_diagram(form("no-such-form.json"))) == [("ask", "error")]
    engine.deploy(task_diagram(), actor="owner", name="checked.bpmn")          # a warning deploys


def test_a_bad_due_time_is_an_error_at_the_task(app):
    due = '<spiffworkflow:property name="dueIn" value="&quot;soon&quot;" />'
    assert messages(task_diagram(form("lead-call-outcome.json") + due)) == [("ask", "error")]


def test_validate_reports_unreadable_and_hostile_files_instead_of_raising(app):
    hostile = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
               "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>&x;"
               "</bpmn:definitions>")
    [problem] = engine.validate(hostile, name="evil.bpmn")
    assert problem["severity"] == "error" and problem["element"] == "evil.bpmn"
    assert engine.validate("not xml at all", name="junk.bpmn")[0]["severity"] == "error"


def test_the_shipped_diagrams_have_no_problem(app):
    from accounts.service import ensure_roles, role_names
    from tasklane.setup import shipped_source

    ensure_roles()
    shipped = sorted((ROOT / "bpmn").glob("*.bpmn"))
    # Named, so that the test fails rather than checks nothing if the folder moves or empties.
    assert {"lead_handling.bpmn", "loan_referral.bpmn", "prospect_pipeline.bpmn"} <= {p.name for p in shipped}
    for path in shipped:
        assert engine.validate(shipped_source(path), name=path.name, roles=role_names()) == [], path.name


BPMN_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
             'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t">')


def test_message_ref_on_a_start_event_as_spiff_arena_writes_it_is_accepted(app):
    """The BPMN schema does not allow it; spiff-arena's models write it and SpiffWorkflow runs them."""
    for definition in ('<bpmn:messageEventDefinition messageRef="m"/>', ""):
        xml = (BPMN_HEAD + '<bpmn:message id="m" name="go"/>'
               '<bpmn:process id="by_message" isExecutable="true">'
               f'<bpmn:startEvent id="s" messageRef="m">{definition}</bpmn:startEvent>'
               '<bpmn:endEvent id="e"/>'
               '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e"/></bpmn:process></bpmn:definitions>')
        assert engine.validate(xml.encode()) == [], definition


def test_a_parser_error_names_no_python_object():
    from engine.specs import readable

    element = "<Element {http://www.omg.org/spec/BPMN/20100524/MODEL}targetRef at 0x7f5e6e1b6400>"
    message = f"Cannot resolve dataOutputAssociation {element}. "
    assert readable(message) == "Cannot resolve dataOutputAssociation bpmn:targetRef."
    assert readable("<engine.Foo object at 0xdeadbeef> failed") == "<engine.Foo> failed"


def test_a_check_marked_with_context_sees_the_files_deployed_with_the_diagram(app):
    from engine import bundles
    from engine.checks import problem, with_context

    seen, plain = [], []

    @with_context
    def sees_files(task_spec, context):
        if task_spec.name == "ask":
            seen.append(sorted(f.name for f in context.files))
            if context.file("ask.json") is None:
                return [problem("ask", "ask.json is not deployed with the diagram")]
        return []

    engine.register_check(sees_files)
    engine.register_check(lambda task_spec: plain.append(task_spec.name) or [])
    xml = task_diagram(form("lead-call-outcome.json")).encode()
    alone = engine.validate(xml, name="checked.bpmn")
    together = engine.validate(bundles.from_files([("checked.bpmn", xml), ("ask.json", b"{}")]))
    assert [p["message"] for p in alone] == ["ask.json is not deployed with the diagram"] and together == []
    assert seen == [[], ["ask.json"]] and plain.count("ask") == 2
