"""Tasks: the inbox tabs and filters, claim / unclaim / assign / complete, by role, with every refusal."""
import pytest

import engine
from engine.db import db
from engine.models import HumanTask, Outbox
from engine.types import utcnow
from tests.api.conftest import error_of, open_tasks


def ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [t["id"] for t in response.get_json()["items"]]


def reloaded(task):
    db.session.expire_all()
    return db.session.get(HumanTask, task.id)


# --- the inbox ---

def test_a_rep_sees_the_sales_queue_in_their_language_but_not_the_managers(api, approval, two_lanes):
    call = two_lanes()
    response = api("sales1").get("/tasks?tab=queue")
    assert ids(response) == [call.id]
    body = response.get_json()
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 25
    assert body["items"][0]["title"] == "Gọi khách hàng" and body["items"][0]["subject"] == "Nguyễn Văn An"
    assert set(ids(api("manager").get("/tasks?tab=queue"))) == {approval.id, call.id}
    assert ids(api("partner1").get("/tasks?tab=queue")) == []


def test_mine_and_done_follow_claims_and_completions(api, two_lanes):
    call = two_lanes()
    rep = api("sales1")
    assert ids(rep.get("/tasks")) == []
    rep.post(f"/tasks/{call.id}/claim")
    assert ids(rep.get("/tasks")) == [call.id] and ids(rep.get("/tasks?tab=queue")) == []
    rep.post(f"/tasks/{call.id}/complete", json={"data": {}})
    assert ids(rep.get("/tasks?tab=done")) == [call.id] and ids(rep.get("/tasks")) == []


def test_only_managers_open_the_all_tab(api, approval, two_lanes):
    call = two_lanes()
    assert set(ids(api("manager").get("/tasks?tab=all"))) == {approval.id, call.id}
    assert set(ids(api("admin").get("/tasks?tab=all&assignee=-"))) == {approval.id, call.id}
    error = error_of(api("sales2").get("/tasks?tab=all"), 403)
    assert error["message"] == "Only managers see every task."  # sales2 reads English


def test_the_inbox_filters_by_process_search_and_due(api, lead, two_lanes):
    call = two_lanes()
    rep = api("sales1")  # the lead's owner: its task opens in their own tab (issue 13)
    assert ids(rep.get("/tasks?tab=mine&process=lead_handling")) == [lead.id]
    assert ids(rep.get("/tasks?tab=mine&q=tran thi mai")) == [lead.id]
    assert ids(rep.get("/tasks?tab=mine&q=912345678")) == [lead.id]
    assert ids(rep.get("/tasks?tab=queue&due=none")) == [call.id]
    # due now: today in any reader's zone (its own 15 minutes would be tomorrow late in the evening)
    db.session.query(HumanTask).filter_by(id=lead.id).update({"due_at": utcnow()})
    db.session.commit()
    assert ids(rep.get("/tasks?tab=mine&due=today")) == [lead.id]
    assert ids(rep.get("/tasks?tab=queue&process=lead_handling")) == []
    everyone = api("manager")
    second, first = (everyone.get(f"/tasks?tab=all&per_page=1{more}") for more in ("&page=2", ""))
    assert ids(second) != ids(first)


@pytest.mark.parametrize(("query", "fields"), [
    ("tab=everything", {"tab"}),
    ("due=tomorrow&per_page=500", {"due", "per_page"}),
    ("page=first", {"page"}),
    ("sort=due", {"sort"}),
])
def test_bad_inbox_parameters_are_422_naming_them(api, query, fields):
    assert set(error_of(api("sales1").get(f"/tasks?{query}"), 422)["fields"]) == fields


def test_the_inbox_needs_a_token(api):
    error_of(api(None).get("/tasks"), 401)


def test_a_task_is_read_by_whoever_may_see_it(api, two_lanes):
    call = two_lanes()
    assert api("sales2").get(f"/tasks/{call.id}").get_json()["id"] == call.id
    assert api("auditor").get(f"/tasks/{call.id}").status_code == 200
    error_of(api("partner1").get(f"/tasks/{call.id}"), 403)
    error_of(api("sales1").get("/tasks/no-such-task"), 404)
    error_of(api(None).get(f"/tasks/{call.id}"), 401)


# --- claim and unclaim ---

def test_claiming_makes_the_rep_the_assignee_and_is_audited(api, two_lanes):
    call = two_lanes()
    response = api("sales1").post(f"/tasks/{call.id}/claim")
    assert response.status_code == 200 and response.get_json()["assignee"] == "sales1"
    assert response.get_json()["claimed_at"].endswith("+00:00")
    assert api("sales1").post(f"/tasks/{call.id}/claim").status_code == 200  # again: nothing changes
    history = api("sales1").get(f"/instances/{call.instance_id}/history").get_json()["items"]
    assert [e["actor"] for e in history if e["kind"] == "task_claimed"] == ["sales1"]


def test_claiming_a_task_someone_else_holds_is_409_naming_them(api, two_lanes):
    call = two_lanes()
    api("sales1").post(f"/tasks/{call.id}/claim")
    for username in ("sales2", "manager"):
        error = error_of(api(username).post(f"/tasks/{call.id}/claim"), 409)
        assert error["winner"] == "sales1" and "sales1" in error["message"]
    assert reloaded(call).assignee == "sales1"


def test_a_task_of_another_team_cannot_be_claimed(api, approval):
    for username in ("sales1", "partner1", "auditor", "owner"):
        error_of(api(username).post(f"/tasks/{approval.id}/claim"), 403)
    assert reloaded(approval).assignee is None


def test_claiming_a_completed_task_is_409_and_an_unknown_one_404(api, two_lanes):
    call = two_lanes()
    engine.complete_task(call.id, actor="sales2")
    assert error_of(api("sales1").post(f"/tasks/{call.id}/claim"), 409)["winner"] == "sales2"
    error_of(api("sales1").post("/tasks/nope/claim"), 404)
    error_of(api(None).post(f"/tasks/{call.id}/claim"), 401)


def test_the_assignee_unclaims_and_others_may_not_unless_managers(api, two_lanes):
    call = two_lanes()
    api("sales1").post(f"/tasks/{call.id}/claim")
    error = error_of(api("sales2").post(f"/tasks/{call.id}/unclaim"), 403)
    assert error["fields"] == {"assignee": "sales1"}
    response = api("sales1").post(f"/tasks/{call.id}/unclaim")
    assert response.status_code == 200 and response.get_json()["assignee"] is None
    api("sales2").post(f"/tasks/{call.id}/claim")
    assert api("manager").post(f"/tasks/{call.id}/unclaim").get_json()["assignee"] is None
    error_of(api("partner1").post(f"/tasks/{call.id}/unclaim"), 403)
    error_of(api("sales1").post("/tasks/nope/unclaim"), 404)
    error_of(api(None).post(f"/tasks/{call.id}/unclaim"), 401)


# --- assign ---

def test_a_manager_assigns_a_task_and_the_assignee_is_told(api, two_lanes):
    call = two_lanes()
    response = api("manager").post(f"/tasks/{call.id}/assign", json={"username": "sales2"})
    assert response.status_code == 200 and response.get_json()["assignee"] == "sales2"
    bell = db.session.query(Outbox).filter_by(channel="in_app", recipient="sales2").one()
    assert bell.kind == "task_assigned" and bell.link == f"/tasks/{call.id}"
    back = api("manager").post(f"/tasks/{call.id}/assign", json={"username": None})
    assert back.get_json()["assignee"] is None


@pytest.mark.parametrize("username", ["sales1", "auditor", "owner", "partner1"])
def test_only_managers_assign(api, two_lanes, username):
    call = two_lanes()
    error_of(api(username).post(f"/tasks/{call.id}/assign", json={"username": "sales1"}), 403)
    assert reloaded(call).assignee is None


def test_a_task_is_only_given_to_an_active_user_of_its_team(api, users, approval, two_lanes):
    call = two_lanes()
    manager = api("manager")
    for username, task in (("partner1", call), ("nobody", call), ("sales1", approval)):
        error = error_of(manager.post(f"/tasks/{task.id}/assign", json={"username": username}), 422)
        assert set(error["fields"]) == {"username"}
    users["sales2"].active = False
    db.session.commit()
    error_of(manager.post(f"/tasks/{call.id}/assign", json={"username": "sales2"}), 422)
    assert manager.post(f"/tasks/{approval.id}/assign", json={"username": "admin"}).status_code == 200


@pytest.mark.parametrize("body", [{}, {"username": 7}, {"username": ""}, {"username": "sales1", "why": "x"}])
def test_a_bad_assign_body_is_422(api, two_lanes, body):
    call = two_lanes()
    error = error_of(api("manager").post(f"/tasks/{call.id}/assign", json=body), 422)
    assert error["fields"]


def test_assigning_refuses_completed_and_unknown_tasks_and_missing_tokens(api, two_lanes):
    call = two_lanes()
    engine.complete_task(call.id, actor="sales1")
    assert error_of(api("manager").post(f"/tasks/{call.id}/assign", json={"username": "sales2"}),
                    409)["winner"] == "sales1"
    error_of(api("manager").post("/tasks/nope/assign", json={"username": "sales2"}), 404)
    error_of(api(None).post(f"/tasks/{call.id}/assign", json={"username": "sales2"}), 401)


# --- complete ---

def test_anyone_of_the_team_completes_an_unassigned_task(api, two_lanes):
    call = two_lanes()
    response = api("sales2").post(f"/tasks/{call.id}/complete", json={"data": {"note": "called"}})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["task"]["state"] == "completed" and body["task"]["completed_by"] == "sales2"
    assert [t["element_id"] for t in body["instance"]["open_tasks"]] == ["approve"]


def test_completing_twice_is_409_naming_who_completed_it(api, two_lanes):
    call = two_lanes()
    api("sales1").post(f"/tasks/{call.id}/claim")
    assert api("sales1").post(f"/tasks/{call.id}/complete", json={}).status_code == 200
    for username in ("sales1", "sales2"):
        error = error_of(api(username).post(f"/tasks/{call.id}/complete", json={}), 409)
        assert error["winner"] == "sales1" and "sales1" in error["message"]


def test_a_task_held_by_someone_else_is_403_naming_them(api, two_lanes):
    call = two_lanes()
    api("sales1").post(f"/tasks/{call.id}/claim")
    error = error_of(api("sales2").post(f"/tasks/{call.id}/complete", json={}), 403)
    assert error["fields"] == {"assignee": "sales1"} and "sales1" in error["message"]
    assert reloaded(call).state == "open"


def test_a_task_of_another_team_cannot_be_completed(api, approval):
    for username in ("sales1", "partner1", "auditor"):
        error_of(api(username).post(f"/tasks/{approval.id}/complete", json={}), 403)
    assert reloaded(approval).state == "open"
    error_of(api("sales1").post("/tasks/nope/complete", json={}), 404)
    error_of(api(None).post(f"/tasks/{approval.id}/complete", json={}), 401)


@pytest.mark.parametrize("kwargs", [
    {"data": "outcome=reached", "content_type": "application/x-www-form-urlencoded"},
    {"data": "[1, 2", "content_type": "application/json"},
    {"json": "just a string"},
    {"json": {"data": ["not", "an", "object"]}},
    {"json": {"data": {}, "comment": "extra"}},
])
def test_a_bad_completion_body_is_422_and_nothing_changes(api, two_lanes, kwargs):
    call = two_lanes()
    error_of(api("sales1").post(f"/tasks/{call.id}/complete", **kwargs), 422)
    assert reloaded(call).state == "open"


def test_the_form_of_the_task_checks_the_data(api, lead):
    rep = api("sales1")
    error = error_of(rep.post(f"/tasks/{lead.id}/complete", json={"data": {"outcome": "not_reached"}}), 422)
    assert set(error["fields"]) == {"callback_at"}
    error = error_of(rep.post(f"/tasks/{lead.id}/complete", json={"data": {"outcome": "maybe", "x": 1}}), 422)
    assert {"outcome", "x"} <= set(error["fields"])
    assert reloaded(lead).state == "open"


def test_valid_form_data_completes_the_task_with_clean_values(api, lead):
    response = api("sales1").post(f"/tasks/{lead.id}/complete",
                                  json={"data": {"outcome": "wrong_number", "notes": "  Số ảo "}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["instance"]["status"] == "completed"
    assert open_tasks(lead.instance_id) == {}
    history = api("sales1").get(f"/instances/{lead.instance_id}/history").get_json()["items"]
    [done] = [e for e in history if e["kind"] == "task_completed"]
    assert done["data_after"]["outcome"] == "wrong_number" and done["actor"] == "sales1"
