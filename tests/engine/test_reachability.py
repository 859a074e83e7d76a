"""Validation refuses a diagram whose elements cannot run: unreachable elements and
dangling flows are errors, a loop with no way out a warning (engine/reachability.py)."""
from pathlib import Path

import pytest
from lxml import etree

import engine
from engine import reachability
from engine.errors import DeployError

ROOT = Path(__file__).resolve().parents[2]
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="' + BPMN
        + '" id="d" targetNamespace="http://t"><bpmn:process id="p" isExecutable="true">')
TAIL = "</bpmn:process></bpmn:definitions>"


def problems(body):
    return reachability.check(etree.fromstring((HEAD + body + TAIL).encode()), {"p"})


def errors(found):
    return {p["element"] for p in found if p["severity"] == "error"}


def _without_gateway(xml, gateway):
    """``xml`` with ``gateway`` deleted as the modeler deletes it: with its flows."""
    root = etree.fromstring(xml.encode())
    node = root.find(f".//{{{BPMN}}}*[@id='{gateway}']")
    flows = [f for f in root.iter(f"{{{BPMN}}}sequenceFlow")
             if gateway in (f.get("sourceRef"), f.get("targetRef"))]
    for element in [node, *flows]:
        element.getparent().remove(element)
    ids = {f.get("id") for f in flows}
    for ref in list(root.iter(f"{{{BPMN}}}incoming")) + list(root.iter(f"{{{BPMN}}}outgoing")):
        if ref.text in ids:
            ref.getparent().remove(ref)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_deleting_the_main_gateway_of_lead_handling_is_refused_naming_what_cannot_run(app):
    xml = (ROOT / "bpmn" / "lead_handling.bpmn").read_text(encoding="utf-8")
    broken = _without_gateway(xml, "call_outcome")
    found = engine.validate(broken)
    unreachable = {p["element"] for p in found if "can never be reached" in p["message"]}
    assert {"closed_on_first_call", "contact_result"} <= unreachable and len(unreachable) >= 10
    with pytest.raises(DeployError) as refused:
        engine.deploy(broken, actor="owner", name="lead_handling.bpmn")
    assert "closed_on_first_call" in refused.value.fields


def test_a_dangling_flow_is_an_error_naming_the_flow():
    found = problems('<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>'
                     '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e"/>'
                     '<bpmn:sequenceFlow id="f2" sourceRef="s" targetRef="gone"/>')
    assert errors(found) == {"f2"} and "'gone'" in found[0]["message"]


def test_an_element_no_flow_leads_to_is_an_error_and_a_loop_without_exit_a_warning():
    found = problems('<bpmn:startEvent id="s"/><bpmn:userTask id="t"/><bpmn:endEvent id="e"/>'
                     '<bpmn:userTask id="orphan"/>'
                     '<bpmn:userTask id="a"/><bpmn:userTask id="b"/>'
                     '<bpmn:exclusiveGateway id="g" default="f_e"/>'
                     '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g"/>'
                     '<bpmn:sequenceFlow id="f_e" sourceRef="g" targetRef="e"/>'
                     '<bpmn:sequenceFlow id="f_a" sourceRef="g" targetRef="a"/>'
                     '<bpmn:sequenceFlow id="f_ab" sourceRef="a" targetRef="b"/>'
                     '<bpmn:sequenceFlow id="f_ba" sourceRef="b" targetRef="a"/>')
    assert errors(found) == {"orphan", "t"}
    assert {p["element"] for p in found if p["severity"] == "warning"} == {"a", "b"}


def test_what_starts_on_its_own_is_not_unreachable():
    found = problems(
        '<bpmn:startEvent id="s"/><bpmn:userTask id="t"/><bpmn:endEvent id="e"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>'
        # a boundary timer and its path
        '<bpmn:boundaryEvent id="late" attachedToRef="t"><bpmn:timerEventDefinition/></bpmn:boundaryEvent>'
        '<bpmn:userTask id="chase"/><bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="chase"/>'
        # a link throw and its catch
        '<bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="L"/>'
        '</bpmn:intermediateThrowEvent>'
        '<bpmn:sequenceFlow id="f4" sourceRef="chase" targetRef="go"/>'
        '<bpmn:intermediateCatchEvent id="arrive"><bpmn:linkEventDefinition name="L"/>'
        '</bpmn:intermediateCatchEvent>'
        '<bpmn:endEvent id="e2"/><bpmn:sequenceFlow id="f5" sourceRef="arrive" targetRef="e2"/>'
        # a compensation handler and an event sub-process
        '<bpmn:task id="undo" isForCompensation="true"/>'
        '<bpmn:subProcess id="on_note" triggeredByEvent="true">'
        '<bpmn:startEvent id="ns"><bpmn:messageEventDefinition/></bpmn:startEvent><bpmn:task id="read"/>'
        '<bpmn:sequenceFlow id="g1" sourceRef="ns" targetRef="read"/></bpmn:subProcess>')
    assert found == []


def test_a_process_without_a_start_event_starts_where_no_flow_leads():
    found = problems('<bpmn:task id="a"/><bpmn:task id="b"/>'
                     '<bpmn:sequenceFlow id="f" sourceRef="a" targetRef="b"/>')
    assert found == []


def test_inside_a_sub_process_its_own_start_counts():
    found = problems('<bpmn:startEvent id="s"/><bpmn:subProcess id="sub">'
                     '<bpmn:startEvent id="ss"/><bpmn:task id="in"/><bpmn:task id="lost"/>'
                     '<bpmn:sequenceFlow id="g" sourceRef="ss" targetRef="in"/></bpmn:subProcess>'
                     '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="sub"/>')
    assert errors(found) == {"lost"}


DIAGRAMS = sorted([*(ROOT / "bpmn").glob("*.bpmn"), *(ROOT / "tests" / "bpmn").glob("*.bpmn")])


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_every_diagram_shipped_or_tested_here_has_no_such_error(path):
    root = etree.parse(str(path)).getroot()
    keys = {p.get("id") for p in root.iter(f"{{{BPMN}}}process")}
    assert errors(reachability.check(root, keys)) == set()


def test_a_process_marked_not_executable_is_named_with_what_to_do(app):
    xml = (ROOT / "tests" / "bpmn" / "call_loop.bpmn").read_text(encoding="utf-8")
    xml = xml.replace('isExecutable="true"', 'isExecutable="false"')
    with pytest.raises(DeployError) as refused:
        engine.deploy(xml, actor="owner", name="x.bpmn")
    [problem] = refused.value.problems
    assert problem["element"] == "call_loop" and 'isExecutable="true"' in problem["message"]
