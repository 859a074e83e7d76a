"""Decision tables (engine/decisions.py): a business rule task runs the DMN table deployed with
it under the restricted script engine, as raw SpiffWorkflow runs it; every DMN expression is
checked at deploy, and a version keeps the table it was deployed with."""
import re
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

import engine
from engine import bundles
from engine.decisions import DMN11, DMN12, DMN13
from engine.errors import DeployError, IncidentError

from .helpers import complete

FOLDER = Path(__file__).resolve().parents[1] / "bpmn" / "dmn"
DISCOUNT_DMN = (FOLDER / "discount.dmn").read_text()

CASES = {
    # hit policy UNIQUE (DMN 1.3): the first rule that matches
    "discount": ("dmn_discount", [{"tier": "gold", "amount": 1500}, {"tier": "gold", "amount": 999},
                                  {"tier": "silver", "amount": 5}, {"tier": "bronze", "amount": 80}]),
    # FIRST (DMN 1.2): rules overlap; ? ranges, nested output names
    "route": ("dmn_route", [{"loan": {"amount": amount}, "score": score} for amount, score in (
        (5, 100), (600000, 900), (20000, 700), (20000, 1000), (200, 500))]),
    # COLLECT (DMN 1.1): a list per output of every matching rule
    "documents": ("dmn_documents", [{"employment": "employed", "amount": 5},
                                    {"employment": "owner", "amount": 300000},
                                    {"employment": "retired", "amount": 1}]),
}


def pair(stem, **replaced):
    """The bundle of ``<stem>.bpmn`` and ``<stem>.dmn`` (``dmn=...`` replaces the DMN's text)."""
    files = [(f"{stem}.bpmn", (FOLDER / f"{stem}.bpmn").read_bytes()),
             (f"{stem}.dmn", replaced.get("dmn", (FOLDER / f"{stem}.dmn").read_text()).encode())]
    return bundles.from_files(files + [(name, text.encode()) for name, text in replaced.get("extra", [])])


def raw_spiffworkflow(stem, key, data):
    """What SpiffWorkflow alone leaves: its parser, workflow and unrestricted script engine."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(FOLDER / f"{stem}.bpmn"))
    parser.add_dmn_file(str(FOLDER / f"{stem}.dmn"))
    workflow = BpmnWorkflow(parser.get_spec(key), parser.get_subprocess_specs(key),
                            script_engine=PythonScriptEngine())
    workflow.task_tree.data.update(data)
    workflow.do_engine_steps()
    assert workflow.is_completed()
    return workflow.data


@pytest.mark.parametrize("stem", sorted(CASES))
def test_each_hit_policy_ends_with_the_data_raw_spiffworkflow_ends_with(app, stem):
    key, inputs = CASES[stem]
    engine.deploy(pair(stem), actor="owner")
    for data in inputs:
        case = engine.start(key, actor="sales1", data=data)
        assert case.status == "completed"
        assert engine.case_data(case.id) == raw_spiffworkflow(stem, key, data), data


def test_the_results_land_in_the_task_data_as_spiffworkflow_puts_them(app):
    engine.deploy(pair("route"), actor="owner")
    engine.deploy(pair("documents"), actor="owner")
    routed = engine.start("dmn_route", actor="sales1", data={"loan": {"amount": 20000}, "score": 1000})
    assert engine.case_data(routed.id)["route"] == {"team": "underwriting", "level": 2}
    collected = engine.start("dmn_documents", actor="sales1", data={"employment": "owner", "amount": 300000})
    found = engine.case_data(collected.id)
    assert found["documents"] == ["identity card", "tax returns", "collateral valuation"]
    assert (found["days"], found["days_needed"]) == ([1, 10, 19], 19)


@pytest.mark.parametrize("namespace", [DMN11, DMN12, DMN13])
@pytest.mark.parametrize("prefix", ["", "semantic:"])
def test_dmn_1_1_to_1_3_each_parse_with_or_without_a_prefix(app, namespace, prefix):
    text = DISCOUNT_DMN.replace(DMN13, namespace)
    if prefix:  # every element of the DMN namespace written with a prefix, as Trisotech writes it
        text = text.replace('xmlns="', f'xmlns:{prefix[:-1]}="')
        text = re.sub(r"<(/?)(?=[A-Za-z])", rf"<\1{prefix}", text)
    (version, created), = engine.deploy(pair("discount", dmn=text), actor="owner")
    assert created and [f.kind for f in version.files] == ["dmn"]
    case = engine.start("dmn_discount", actor="sales1", data={"tier": "gold", "amount": 2000})
    assert engine.case_data(case.id)["price"] == 1700.0


@pytest.mark.parametrize("change, message", [
    ('hitPolicy="RULE ORDER"', "decision 'discount_decision' in discount.dmn has hit policy RULE ORDER"),
    ('hitPolicy="PRIORITY"', "has hit policy PRIORITY, which SpiffWorkflow 3.2 does not run as written"),
    ('hitPolicy="COLLECT" aggregation="SUM"', "has hit policy COLLECT SUM"),
])
def test_a_hit_policy_spiffworkflow_would_run_as_another_is_refused(app, change, message):
    text = DISCOUNT_DMN.replace('hitPolicy="UNIQUE"', change)
    with pytest.raises(DeployError, match=message) as refused:
        engine.deploy(pair("discount", dmn=text), actor="owner")
    assert refused.value.problems[0]["element"] == "discount.dmn"


@pytest.mark.parametrize("old, new, message", [
    ("<text>&gt;= 1000</text>", "<text>&gt;= (1000</text>",
     "decision 'discount_decision' rule 1 input 'Order amount': input entry '>= \\(1000' does not compile"),
    ("<text>0.1</text>", "<text>lookup_rate(tier)</text>",
     "decision 'discount_decision' rule 2 output 'discount': output entry calls unknown function\\(s\\): "
     "lookup_rate"),
    ('<text>"silver"</text>', "<text>tier.__class__</text>",
     "decision 'discount_decision' rule 3 input 'Customer tier': input entry 'tier.__class__' does not "
     'compile: .*"__class__" is an invalid attribute name'),
    ('<text>? not in ("gold", "silver")</text>', '<text>not in ("gold", "silver")</text>',
     "decision 'discount_decision' rule 4 input 'Customer tier': 'not in \\(\"gold\", \"silver\"\\)' is read "
     "as 'tiernot in"),
    ("<text>amount</text>", "<text>amount +</text>",
     "decision 'discount_decision' input 'Order amount': input expression does not compile"),
    ("<text>amount</text></inputExpression>", "</inputExpression>",
     "decision 'discount_decision' input 'Order amount': has no input expression"),
])
def test_every_dmn_expression_is_checked_at_deploy_naming_the_decision_rule_and_column(
        app, old, new, message):
    assert old in DISCOUNT_DMN
    with pytest.raises(DeployError) as refused:
        engine.deploy(pair("discount", dmn=DISCOUNT_DMN.replace(old, new, 1)), actor="owner")
    assert any(re.search(message, p["message"]) for p in refused.value.problems), \
        refused.value.problems
    assert engine.validate(pair("discount", dmn=DISCOUNT_DMN.replace(old, new, 1))) == [
        {"severity": "error", **p} for p in refused.value.problems]


def test_a_known_helper_may_be_called_from_a_dmn_output_entry(app):
    engine.register_helper("rate_of", lambda tier: {"gold": 0.3}.get(tier, 0))
    text = DISCOUNT_DMN.replace("<text>0.15</text>", "<text>rate_of(tier)</text>")
    engine.deploy(pair("discount", dmn=text), actor="owner")
    case = engine.start("dmn_discount", actor="sales1", data={"tier": "gold", "amount": 1000})
    assert engine.case_data(case.id)["discount"] == 0.3


def test_dmn_expressions_run_within_the_sandbox_limits(app):
    text = DISCOUNT_DMN.replace('<text>"gold"</text>', "<text>tier * 10**9</text>", 1)
    engine.deploy(pair("discount", dmn=text), actor="owner")
    with pytest.raises(IncidentError, match=r"decide_discount: Error evaluating expression '\(tier\) == "
                                            r"\(tier \* 10\*\*9\)'.*\(repetition would make"):
        engine.start("dmn_discount", actor="sales1", data={"tier": "gold", "amount": 1000})


@pytest.mark.parametrize("dmn, message", [
    ("<definitions", "discount.dmn is not well-formed XML"),
    ('<?xml version="1.0"?><definitions xmlns="http://example.com/not-dmn" id="d" name="x" namespace="n"/>',
     "discount.dmn is not a DMN 1.1, 1.2 or 1.3 document"),
    (DISCOUNT_DMN.replace('<rule id="discount_silver">', '<rule id="discount_silver"><colour/>'),
     "discount.dmn is not valid DMN 1.3: line"),
    (DISCOUNT_DMN.replace("</definitions>", '<decision id="other" name="Other"><decisionTable id="t2">'
                                             '<input id="i2"><inputExpression id="x2"><text>a</text>'
                                             '</inputExpression></input><output id="o2" name="b"/>'
                                             "</decisionTable></decision></definitions>"),
     "discount.dmn holds 2 decisions; SpiffWorkflow runs one decision per DMN file"),
    (f'<?xml version="1.0"?><definitions xmlns="{DMN13}" id="d" name="x" namespace="n">'
     '<decision id="discount_decision" name="Discount"><literalExpression><text>0.1</text>'
     "</literalExpression></decision></definitions>",
     "decision 'discount_decision' in discount.dmn has no decision table"),
    (DISCOUNT_DMN.replace('<decision id="discount_decision"', "<decision"),
     "the decision of discount.dmn has no id"),
    (DISCOUNT_DMN.replace('<input id="input_tier" label="Customer tier">',
                          '<input label="Customer tier">'),
     "discount.dmn could not be read as a decision table"),
])
def test_a_dmn_file_that_cannot_be_run_is_refused_naming_the_file(app, dmn, message):
    with pytest.raises(DeployError, match=message) as refused:
        engine.deploy(pair("discount", dmn=dmn), actor="owner")
    assert refused.value.problems[0]["element"] == "discount.dmn"
    assert engine.validate(pair("discount", dmn=dmn))[0]["element"] == "discount.dmn"


def test_one_decision_in_two_dmn_files_is_refused_naming_both(app):
    with pytest.raises(DeployError, match="decision 'discount_decision' is in both discount.dmn and copy.dmn"
                                          "; a decision id may come once"):
        engine.deploy(pair("discount", extra=[("copy.dmn", DISCOUNT_DMN)]), actor="owner")


def test_a_business_rule_task_naming_no_deployed_or_uploaded_decision_is_refused_naming_both(app):
    bpmn = (FOLDER / "discount.bpmn").read_bytes()
    with pytest.raises(DeployError) as refused:
        engine.deploy(bundles.single(bpmn, "discount.bpmn"), actor="owner")
    assert refused.value.problems == [{
        "element": "decide_discount",
        "message": "business rule task 'decide_discount' calls decision 'discount_decision', which no DMN "
                   "file of the upload holds and no deployed process was deployed with; upload its .dmn "
                   "file with this one", "severity": "error"}]


def test_camundas_decision_ref_is_refused_with_what_to_write_instead(app):
    bpmn = (FOLDER / "discount.bpmn").read_text().replace(
        "<bpmn:extensionElements><spiffworkflow:calledDecisionId>discount_decision"
        "</spiffworkflow:calledDecisionId></bpmn:extensionElements>", "").replace(
        '<bpmn:businessRuleTask id="decide_discount"',
        '<bpmn:businessRuleTask xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'camunda:decisionRef="discount_decision" id="decide_discount"')
    with pytest.raises(DeployError, match="names decision 'discount_decision' with camunda:decisionRef, "
                                          "which SpiffWorkflow does not read; name it with "
                                          "spiffworkflow:calledDecisionId"):
        engine.deploy(bundles.from_files([("discount.bpmn", bpmn.encode()),
                                          ("discount.dmn", DISCOUNT_DMN.encode())]), actor="owner")


def test_a_case_keeps_the_decision_table_of_its_version(app):
    quote = (FOLDER / "quote.bpmn").read_bytes()
    engine.deploy(bundles.from_files([("quote.bpmn", quote), ("discount.dmn", DISCOUNT_DMN.encode())]),
                  actor="owner")
    old_case = engine.start("dmn_quote", actor="sales1", data={"tier": "gold", "amount": 2000})
    changed = DISCOUNT_DMN.replace("<text>0.15</text>", "<text>0.25</text>")
    bundle = bundles.from_files([("quote.bpmn", quote), ("discount.dmn", changed.encode())])
    (v2, created), = engine.deploy(bundle, actor="owner")
    assert created and v2.version == 2
    new_case = engine.start("dmn_quote", actor="sales1", data={"tier": "gold", "amount": 2000})
    for case in (old_case, new_case):
        complete(case.id, "review")
    assert engine.case_data(old_case.id)["discount"] == 0.15
    assert engine.case_data(new_case.id)["discount"] == 0.25


def test_a_changed_decision_table_shows_in_the_version_diff(app):
    (v1, _), = engine.deploy(pair("discount"), actor="owner")
    changed = DISCOUNT_DMN.replace("<text>0.15</text>", "<text>0.2</text>").replace(
        'hitPolicy="UNIQUE"', 'hitPolicy="FIRST"')
    (v2, _), = engine.deploy(pair("discount", dmn=changed), actor="owner")
    diff = engine.version_diff(v1, v2)
    (element,) = diff.changed
    assert element["id"] == "decide_discount"
    assert element["changes"] == [
        {"what": "decision", "detail": "hit policy", "before": "UNIQUE", "after": "FIRST"},
        {"what": "decision", "detail": "rule 1", "before": '"gold" | >= 1000 -> 0.15, "gold, large order"',
         "after": '"gold" | >= 1000 -> 0.2, "gold, large order"'}]
