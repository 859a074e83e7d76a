"""Versions: a readable diff between two of them, and deploying an old one again."""
import json

import pytest

import engine
from engine import audit, bundles, versions
from engine.db import db
from engine.models import AuditEvent, ProcessDefinition, ProcessInstance
from tests import spiff_arena
from tests.conftest import deploy_file


@pytest.fixture
def two_versions(app):
    return deploy_file("versioned_v1.bpmn"), deploy_file("versioned_v2.bpmn")


def by_id(elements):
    return {e["id"]: e for e in elements}


def test_a_diff_lists_the_elements_added_removed_and_changed_by_their_bpmn_id(two_versions):
    diff = engine.version_diff(*two_versions)
    assert (diff.a, diff.b, diff.same) == (1, 2, False)
    assert by_id(diff.added) == {"approve": {"id": "approve", "type": "UserTask", "name": "Approve the deal",
                                             "process": "versioned"}}
    assert [(e["id"], e["name"]) for e in diff.removed] == [("review", "Review the call")]
    assert set(by_id(diff.changed)) == {"call", "close"}
    assert (diff.name_before, diff.name_after) == ("Call, review, close", "Call, approve, close")


def test_a_removed_element_names_the_one_in_its_place(two_versions):
    [review] = engine.version_diff(*two_versions).removed
    assert review["replaced_by"] == "approve"


def test_a_changed_element_says_what_changed_with_before_and_after(two_versions):
    changed = by_id(engine.version_diff(*two_versions).changed)
    call = {c["what"]: c for c in changed["call"]["changes"]}
    assert (call["name"]["before"], call["name"]["after"]) == ("Call the customer", "Call the customer today")
    assert call["property"] == {"what": "property", "detail": "priority", "before": None, "after": "high"}
    assert call["outgoing"]["before"] == "review" and call["outgoing"]["after"] == "approve"
    close = {c["what"]: c for c in changed["close"]["changes"]}
    assert (close["script"]["before"], close["script"]["after"]) == ("closed = 1", "closed = 2")
    assert close["incoming"]["after"] == "approve"


def test_the_diff_backwards_swaps_added_and_removed(two_versions):
    v1, v2 = two_versions
    back = engine.version_diff(v2, v1)
    assert [e["id"] for e in back.added] == ["review"] and [e["id"] for e in back.removed] == ["approve"]


def test_a_version_compared_with_itself_is_the_same(two_versions):
    diff = engine.version_diff(two_versions[0], two_versions[0])
    assert diff.same and diff.added == diff.removed == diff.changed == []


def test_an_old_version_deployed_again_becomes_the_latest_under_a_new_number(two_versions):
    v1, _v2 = two_versions
    v3, created = engine.redeploy(v1, actor="owner")
    assert created and v3.version == 3 and v3.sha256 == v1.sha256 and v3.deployed_by == "owner"
    assert db.session.query(ProcessDefinition).filter_by(key="versioned").one().latest_version == 3
    assert db.session.query(ProcessDefinition).one().name == "Call, review, close"
    event = (db.session.query(AuditEvent).filter_by(stream="definition:versioned")
             .order_by(AuditEvent.seq.desc()).first())
    assert event.kind == "version_deployed" and event.actor == "owner"
    assert event.details["from_version"] == 1 and event.details["version"] == 3
    assert audit.verify() == []
    started = engine.start("versioned", actor="manager")
    assert db.session.get(ProcessInstance, started.id).version_id == v3.id


def test_deploying_the_latest_version_again_changes_nothing(two_versions):
    _v1, v2 = two_versions
    again, created = engine.redeploy(v2, actor="owner")
    assert not created and again.id == v2.id
    assert db.session.query(ProcessDefinition).one().latest_version == 2


def edited_form(title):
    return json.dumps(spiff_arena.submit_schema(title=title)).encode()


def test_a_diff_lists_the_files_added_removed_and_changed_with_the_tasks_showing_them(app):
    (v1, _), = engine.deploy(bundles.from_files(spiff_arena.folder()), actor="owner")
    edited = spiff_arena.folder(submit_expense_schema=edited_form("Expense claim"),
                                test_expense_approval=None, notes=b"{}")
    (v2, _), = engine.deploy(bundles.from_files(edited), actor="owner")
    diff = engine.version_diff(v1, v2)
    assert (diff.same, diff.same_elements) == (False, True)
    assert (diff.added, diff.removed, diff.changed) == ([], [], [])
    assert diff.files == [
        {"name": "notes.json", "kind": "json", "change": "added", "used_by": []},
        {"name": "submit-expense-schema.json", "kind": "json", "change": "changed",
         "used_by": ["submit_expense"]},
        {"name": "test_expense_approval.json", "kind": "json", "change": "removed", "used_by": []},
    ]
    assert engine.version_diff(v2, v2).same


def test_a_version_bundled_again_is_unchanged_and_a_replaced_file_makes_a_new_version(app):
    (v1, _), = engine.deploy(bundles.from_files(spiff_arena.folder()), actor="owner")
    (same, created), = engine.deploy(versions.bundle_of(v1), actor="owner")
    assert (same.id, created) == (v1.id, False)
    edited = bundles.BundleFile("submit-expense-schema.json", "json", edited_form("Expense claim"))
    (v2, created), = engine.deploy(versions.bundle_of(v1, [edited]), actor="owner")
    assert created and v2.bpmn_xml == v1.bpmn_xml and v2.source_name == v1.source_name
    contents = {f.name: f.content for f in v2.files}
    assert json.loads(contents["submit-expense-schema.json"])["title"] == "Expense claim"
    assert {n: c for n, c in contents.items() if n != "submit-expense-schema.json"} == {
        f.name: f.content for f in v1.files if f.name != "submit-expense-schema.json"}


def test_the_deploy_preview_lists_the_changed_form_file(app):
    (v1, _), = engine.deploy(bundles.from_files(spiff_arena.folder()), actor="owner")
    edited = bundles.BundleFile("submit-expense-schema.json", "json", edited_form("Expense claim"))
    [preview], problems = engine.deploy_preview(versions.bundle_of(v1, [edited]))
    assert problems == [] and (preview.latest, preview.unchanged) == (1, False)
    assert preview.diff.same_elements
    assert [(f["name"], f["change"], f["used_by"]) for f in preview.diff.files] == [
        ("submit-expense-schema.json", "changed", ["submit_expense"])]
