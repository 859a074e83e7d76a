"""The API of versions: a diff, deploying an old version again, moving running cases."""
import pytest

import engine
from engine.db import db
from engine.models import AuditEvent, ProcessInstance
from tests import spiff_arena
from tests.api.conftest import error_of, open_tasks
from tests.conftest import BPMN


@pytest.fixture
def versioned(users):
    """Versions 1 and 2 of ``versioned``: case ``at_call`` can move, ``at_review`` cannot."""
    for name in ("versioned_v1.bpmn",):
        engine.deploy((BPMN / name).read_bytes(), actor="owner", name=name, roles=None)
    at_call = engine.start("versioned", actor="manager").id
    at_review = engine.start("versioned", actor="manager").id
    engine.complete_task(open_tasks(at_review)["call"].id, actor="sales1")
    engine.deploy((BPMN / "versioned_v2.bpmn").read_bytes(), actor="owner", name="versioned_v2.bpmn",
                  roles=None)
    return at_call, at_review


def version_of(instance_id):
    db.session.expire_all()
    return db.session.get(ProcessInstance, instance_id).version.version


def test_the_diff_of_two_versions_lists_added_removed_and_changed_elements(api, versioned):
    response = api("auditor").get("/process-definitions/versioned/versions/1/diff/2")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["from_version"], body["to_version"], body["same"]) == (1, 2, False)
    assert [e["id"] for e in body["added"]] == ["approve"]
    assert [(e["id"], e["replaced_by"]) for e in body["removed"]] == [("review", "approve")]
    changes = {e["id"]: {c["what"] for c in e["changes"]} for e in body["changed"]}
    assert changes == {"call": {"name", "outgoing", "property"}, "close": {"incoming", "script"}}


def test_a_diff_with_an_unknown_version_is_404(api, versioned):
    error_of(api("owner").get("/process-definitions/versioned/versions/1/diff/7"), 404)


def test_partners_may_not_read_a_diff(api, versioned):
    error_of(api("partner1").get("/process-definitions/versioned/versions/1/diff/2"), 403)


def test_a_process_owner_deploys_an_old_version_again(api, versioned):
    response = api("owner").post("/process-definitions/versioned/versions/1/redeploy")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["version"] == 3 and response.get_json()["created"] is True
    assert response.headers["Location"].endswith("/api/v1/process-definitions/versioned")
    again = api("owner").post("/process-definitions/versioned/versions/3/redeploy")
    assert again.status_code == 200 and again.get_json()["version"] == 3


@pytest.mark.parametrize("username", ["sales1", "manager", "auditor"])
def test_only_process_owners_and_admins_redeploy_and_migrate(api, versioned, username):
    caller = api(username)
    error_of(caller.post("/process-definitions/versioned/versions/1/redeploy"), 403)
    error_of(caller.post("/process-definitions/versioned/migrations",
                         json={"from_version": 1, "to_version": 2}), 403)


def test_a_dry_run_reports_each_case_and_moves_nothing(api, versioned):
    at_call, at_review = versioned
    response = api("owner").post("/process-definitions/versioned/migrations",
                                 json={"from_version": 1, "to_version": 2})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["dry_run"] is True
    items = {i["instance_id"]: i for i in body["items"]}
    assert items[at_call]["status"] == "movable"
    assert items[at_review]["status"] == "refused"
    assert items[at_review]["reasons"][0]["code"] == "task_missing"
    assert items[at_review]["reasons"][0]["element"] == "review"
    assert version_of(at_call) == 1


def test_a_migration_moves_the_good_cases_and_reports_the_bad_one(api, versioned):
    at_call, at_review = versioned
    response = api("admin").post("/process-definitions/versioned/migrations",
                                 json={"from_version": 1, "to_version": 2, "dry_run": False})
    assert response.status_code == 200, response.get_json()
    statuses = {i["instance_id"]: i["status"] for i in response.get_json()["items"]}
    assert statuses == {at_call: "migrated", at_review: "refused"}
    assert (version_of(at_call), version_of(at_review)) == (2, 1)
    assert db.session.query(AuditEvent).filter_by(kind="instance_migrated").count() == 1


def test_a_migration_of_chosen_cases_reports_one_already_moved(api, versioned):
    at_call, _ = versioned
    owner = api("owner")
    body = {"from_version": 1, "to_version": 2, "dry_run": False, "instance_ids": [at_call]}
    assert owner.post("/process-definitions/versioned/migrations", json=body).get_json()["items"][0][
        "status"] == "migrated"
    [again] = owner.post("/process-definitions/versioned/migrations", json=body).get_json()["items"]
    assert again["status"] == "refused" and again["reasons"][0]["code"] == "already_there"


def test_a_migration_refuses_bad_bodies(api, versioned):
    owner = api("owner")
    error = error_of(owner.post("/process-definitions/versioned/migrations",
                                json={"from_version": 2, "to_version": 2}), 422)
    assert "to_version" in error["fields"]
    error = error_of(owner.post("/process-definitions/versioned/migrations", json={"to_version": 2,
                                                                                    "surprise": 1}), 422)
    assert {"from_version", "surprise"} <= set(error["fields"])
    error_of(owner.post("/process-definitions/versioned/migrations", json={"from_version": 1,
                                                                           "to_version": 5}), 404)


def test_the_diff_lists_a_form_changed_without_a_change_to_the_diagram(api, users):
    spiff_arena.deploy()
    spiff_arena.deploy(submit_expense_schema=spiff_arena.submit_schema(title="Expense claim"))
    body = api("auditor").get(f"/process-definitions/{spiff_arena.KEY}/versions/1/diff/2").get_json()
    assert (body["same"], body["added"], body["removed"], body["changed"]) == (False, [], [], [])
    assert body["files"] == [{"name": "submit-expense-schema.json", "kind": "json", "change": "changed",
                              "used_by": ["submit_expense"]}]
