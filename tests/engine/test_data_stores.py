"""Data stores and data objects drawn for documentation (issue 14): the diagram deploys
and runs as it would without them, with a warning naming each shape; the stored XML
stays as the owner drew it; a data object that is a process variable keeps its meaning."""
import pytest
from lxml import etree

import engine
from engine import drawn_data
from engine.db import db
from engine.errors import ScriptError
from engine.models import ProcessVersion
from tests.conftest import BPMN

from .helpers import complete, data, instance, open_tasks

DOCUMENTATION = "is drawn for documentation only; Tasklane keeps no data in it"


def validated(name):
    """The problems of a test diagram, but a user task's missing form (forms/diagram_check.py)."""
    return [(p["element"], p["severity"], p["message"]) for p in
            engine.validate((BPMN / name).read_bytes(), name=name) if "has no form" not in p["message"]]


def test_a_data_store_drawn_in_camunda_modeler_without_a_definition_is_a_warning(app):
    assert validated("data_store_camunda.bpmn") == [
        ("DataStoreReference_0crm123", "warning", f"data store 'CRM database' {DOCUMENTATION}")]


def test_a_case_of_a_diagram_with_a_documentation_data_store_runs_to_its_end(deploy):
    version = deploy("data_store_camunda.bpmn")
    started = engine.start("check_customer", actor="sales1")
    assert list(open_tasks(started.id)) == ["Activity_call"]
    complete(started.id, "Activity_call", {"reached": True})
    assert instance(started.id).status == "completed"
    assert data(started.id) == {"known": True, "reached": True}
    stored = db.session.query(ProcessVersion.bpmn_xml).filter_by(id=version.id).scalar()
    assert stored == (BPMN / "data_store_camunda.bpmn").read_text(encoding="utf-8")


def test_a_data_store_of_a_type_nothing_implements_is_a_warning_per_shape_and_runs(deploy):
    assert validated("data_store_unknown_type.bpmn") == [
        ("ledger_ref_in_file", "warning", f"data store 'Ledger' {DOCUMENTATION}"),
        ("ledger_ref", "warning", f"data store 'General ledger' {DOCUMENTATION}"),
        ("archive", "warning", f"data store 'Paper archive' {DOCUMENTATION}"),
    ]
    deploy("data_store_unknown_type.bpmn")
    started = engine.start("book_payment", actor="sales1", data={"amount": 120})
    assert instance(started.id).status == "completed"
    assert data(started.id)["booked"] == 120


def test_a_data_object_reference_to_no_data_object_is_documentation_but_a_data_object_is_a_variable(deploy):
    assert validated("data_object_documentation.bpmn") == [
        ("signed_copy", "warning", f"data object 'Signed copy (paper)' {DOCUMENTATION}")]
    deploy("data_object_documentation.bpmn")
    started = engine.start("sign_contract", actor="sales1", data={"amount": 5})
    assert instance(started.id).status == "completed"
    assert data(started.id)["signed"] == 5


def document(process_body, before=""):
    return (f'<bpmn:definitions xmlns:bpmn="{drawn_data.BPMN}" id="d" targetNamespace="http://t">{before}'
            f'<bpmn:process id="p" isExecutable="true">{process_body}</bpmn:process></bpmn:definitions>')


def test_a_data_store_of_a_registered_type_keeps_its_associations():
    xml = document('<bpmn:task id="t"><bpmn:dataOutputAssociation id="a"><bpmn:targetRef>r</bpmn:targetRef>'
                   '</bpmn:dataOutputAssociation></bpmn:task>'
                   '<bpmn:dataStoreReference id="r" dataStoreRef="s" />',
                   before='<bpmn:dataStore id="s" name="JSONDataStore" />')
    root = etree.fromstring(xml)
    assert drawn_data.prepare(root, {"JSONDataStore"}) == []
    assert etree.tostring(root).decode() == etree.tostring(etree.fromstring(xml)).decode()
    assert [p["element"] for p in drawn_data.prepare(etree.fromstring(xml), set())] == ["r"]


def test_a_task_drawn_to_write_a_data_object_it_never_sets_is_a_warning_and_an_incident(deploy):
    """SpiffWorkflow copies the variable named by the data object's id out of the task: a
    data object drawn in Camunda Modeler for documentation stops every case there."""
    xml = (BPMN / "data_object_documentation.bpmn").read_text().replace(
        'contract = {"amount": amount}', "drafted = True")
    [_signed_copy, unset] = engine.validate(xml, name="doc.bpmn")
    assert (unset["element"], unset["severity"]) == ("draft", "warning")
    assert "nothing in it sets the variable 'contract'" in unset["message"]
    engine.deploy(xml, actor="owner", name="doc.bpmn")
    with pytest.raises(ScriptError, match="'contract' not exist in the task"):
        engine.start("sign_contract", actor="sales1", data={"amount": 5})


def test_a_data_object_declared_out_of_spiffworkflows_reach_is_refused_not_a_hung_parser(app):
    """SpiffWorkflow 3.2 looks for it forever (node_parser._resolve_data_object_ref)."""
    [problem] = validated("data_object_out_of_reach.bpmn")
    assert (problem[0], problem[1]) == ("far", "error")
    assert "declare the data object in 'Inner' or 'Outer'" in problem[2]
