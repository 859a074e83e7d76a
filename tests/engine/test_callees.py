"""Callees and decisions an upload does not hold, taken from what is deployed
(engine/resolution.py): the new version stores their files and pins their versions."""
from pathlib import Path

import pytest

import engine
from engine import bundles
from engine.errors import DeployError
from engine.models import ProcessDefinition

from .helpers import complete

BPMN = Path(__file__).resolve().parents[1] / "bpmn"
CALLER = (BPMN / "bundle" / "caller.bpmn").read_bytes()
CHECK = (BPMN / "bundle" / "check.bpmn").read_bytes()
DISCOUNT = [(name, (BPMN / "dmn" / name).read_bytes()) for name in ("discount.bpmn", "discount.dmn")]


def deploy(*files):
    return engine.deploy(bundles.from_files(list(files)), actor="owner")


def shown(version):
    return sorted((f.name, f.kind) for f in version.files), version.pins


def test_a_callee_not_uploaded_is_the_latest_deployed_version_of_it_pinned(app):
    deploy(("check.bpmn", CHECK))
    (caller, created), = deploy(("caller.bpmn", CALLER))
    assert created and shown(caller) == ([("check.bpmn", "bpmn")], {"processes": {"bundle_check": 1}})
    case = engine.start("bundle_caller", actor="sales1")
    complete(case.id, "sign")
    assert engine.case_data(case.id)["checked_by"] == "v1"


def test_a_newer_callee_makes_the_same_caller_a_new_version_and_old_cases_keep_theirs(app):
    deploy(("check.bpmn", CHECK))
    (first, _), = deploy(("caller.bpmn", CALLER))
    (again, created), = deploy(("caller.bpmn", CALLER))
    assert (again.id, created) == (first.id, False)
    old_case = engine.start("bundle_caller", actor="sales1")
    deploy(("check.bpmn", CHECK.replace(b'"v1"', b'"v2"')))
    (second, created), = deploy(("caller.bpmn", CALLER))
    assert created and second.version == 2 and second.pins == {"processes": {"bundle_check": 2}}
    new_case = engine.start("bundle_caller", actor="sales1")
    for case in (old_case, new_case):
        complete(case.id, "sign")
    assert [engine.case_data(c.id)["checked_by"] for c in (old_case, new_case)] == ["v1", "v2"]


def test_a_callee_neither_uploaded_nor_deployed_is_refused_naming_the_call_activity(app):
    with pytest.raises(DeployError) as refused:
        deploy(("caller.bpmn", CALLER))
    assert refused.value.problems == [{
        "element": "call_check", "severity": "error",
        "message": "call activity 'call_check' calls process 'bundle_check', which is neither in the upload "
                   "nor deployed; upload the callee's file with this one, or deploy it first"}]
    assert engine.validate(bundles.single(CALLER, "caller.bpmn")) == refused.value.problems


def test_a_deployed_callee_brings_the_files_it_was_deployed_with(app):
    deploy(("caller.bpmn", CALLER), ("check.bpmn", CHECK))  # bundle_check only as bundle_caller's file
    (outer, _), = deploy(("outer.bpmn", (BPMN / "callees" / "outer.bpmn").read_bytes()))
    assert shown(outer) == ([("caller.bpmn", "bpmn"), ("check.bpmn", "bpmn")],
                            {"processes": {"bundle_caller": 1}})
    case = engine.start("callee_outer", actor="sales1")
    complete(case.id, "sign")
    assert engine.case_data(case.id)["checked_by"] == "v1"


def test_a_deployed_callee_brings_its_decision_table(app):
    deploy(*DISCOUNT)
    (priced, _), = deploy(("priced.bpmn", (BPMN / "callees" / "priced.bpmn").read_bytes()))
    assert shown(priced) == ([("discount.bpmn", "bpmn"), ("discount.dmn", "dmn")],
                             {"processes": {"dmn_discount": 1}})
    case = engine.start("callee_priced", actor="sales1", data={"tier": "silver", "amount": 100})
    assert engine.case_data(case.id)["price"] == 95.0


def test_a_decision_not_uploaded_comes_from_the_latest_deployed_versions_dmn_files(app):
    deploy(*DISCOUNT)
    (quote, _), = deploy(("quote.bpmn", (BPMN / "dmn" / "quote.bpmn").read_bytes()))
    assert shown(quote) == ([("discount.dmn", "dmn")],
                            {"decisions": {"discount_decision": {"process": "dmn_discount", "version": 1}}})
    case = engine.start("dmn_quote", actor="sales1", data={"tier": "gold", "amount": 10})
    complete(case.id, "review")
    assert engine.case_data(case.id)["discount"] == 0.1


def test_only_the_processes_that_call_what_was_taken_keep_it(app):
    deploy(("check.bpmn", CHECK))
    deployed = dict((v.definition.key, v) for v, _ in deploy(
        ("caller.bpmn", CALLER), ("route.bpmn", (BPMN / "dmn" / "route.bpmn").read_bytes()),
        ("route.dmn", (BPMN / "dmn" / "route.dmn").read_bytes())))
    assert shown(deployed["bundle_caller"]) == ([("check.bpmn", "bpmn"), ("route.bpmn", "bpmn"),
                                                 ("route.dmn", "dmn")], {"processes": {"bundle_check": 1}})
    assert shown(deployed["dmn_route"]) == ([("caller.bpmn", "bpmn"), ("route.dmn", "dmn")], None)


def test_a_taken_file_named_like_an_uploaded_one_is_renamed(app):
    engine.deploy(CHECK, actor="owner", name="diagram.bpmn")
    (caller, _), = engine.deploy(CALLER, actor="owner", name="diagram.bpmn")
    assert shown(caller) == ([("bundle_check.v1.diagram.bpmn", "bpmn")], {"processes": {"bundle_check": 1}})


def test_the_other_processes_of_a_taken_file_are_not_deployed_again(app):
    both = CHECK.replace(b"</bpmn:definitions>", b"""
  <bpmn:process id="bundle_other" isExecutable="true">
    <bpmn:startEvent id="o_start"><bpmn:outgoing>o1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:endEvent id="o_end"><bpmn:incoming>o1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="o1" sourceRef="o_start" targetRef="o_end" />
  </bpmn:process>
</bpmn:definitions>""")
    deployed = deploy(("check.bpmn", both))
    assert sorted(v.definition.key for v, _ in deployed) == ["bundle_check", "bundle_other"]
    assert [v.definition.key for v, _ in deploy(("caller.bpmn", CALLER))] == ["bundle_caller"]
    assert {d.key: d.latest_version for d in ProcessDefinition.query} == {
        "bundle_check": 1, "bundle_other": 1, "bundle_caller": 1}


def test_a_deployed_callee_brings_the_forms_it_names(app):
    form = (Path(__file__).resolve().parents[2] / "forms" / "definitions" / "contact-call.json").read_bytes()
    interview = (BPMN / "callees" / "interview.bpmn").read_bytes()
    deploy(("interview.bpmn", interview), ("contact-call.json", form), ("unused.json", b"{}"))
    caller = CALLER.replace(b'calledElement="bundle_check"', b'calledElement="callee_interview"')
    (version, _), = deploy(("caller.bpmn", caller))
    assert shown(version) == ([("contact-call.json", "json"), ("interview.bpmn", "bpmn")],
                              {"processes": {"callee_interview": 1}})
    clash = ("process 'callee_interview' version 1 was deployed with a file contact-call.json, and the "
             "upload holds another file of that name")
    with pytest.raises(DeployError, match=clash):
        deploy(("caller.bpmn", caller), ("contact-call.json", b"{}"))
