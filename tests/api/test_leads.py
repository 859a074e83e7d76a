import io

import pytest

import engine
from accounts import service
from crm.models import Customer
from engine.db import db
from engine.models import HumanTask, ProcessInstance
from tests.api.conftest import error_of
from tests.conftest import ROOT

LEAD = {"name": "Nguyễn Thị Lan", "phone": "0162 123 4567", "source": "website"}


@pytest.fixture
def deployed(users):
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles=service.role_names())


def test_creating_a_lead_needs_a_token(api, deployed):
    error = error_of(api(None).post("/leads", json=LEAD), 401)
    assert error["code"] == "unauthorized"


@pytest.mark.parametrize("username", ["owner", "auditor", "partner1", "customer1"])
def test_only_sales_managers_and_admins_create_leads(api, deployed, username):
    assert error_of(api(username).post("/leads", json=LEAD), 403)["code"] == "forbidden"
    assert error_of(api(username).post("/leads/import", data={}), 403)["code"] == "forbidden"
    assert db.session.query(Customer).count() == 0


def test_a_lead_is_created_with_its_case_and_the_location_of_the_case(api, deployed):
    response = api("sales1").post("/leads", json={**LEAD, "owner": "sales2", "classification": "urgent"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["customer"]["phone"] == "+84321234567" and body["customer"]["owner"] == "sales2"
    assert body["customer"]["status"] == "new" and body["customer"]["classification"] == "urgent"
    assert body["instance"]["process"] == "lead_handling" and body["duplicates"] == []
    assert [t["element_id"] for t in body["instance"]["open_tasks"]] == ["call_lead"]
    assert response.headers["Location"].endswith(f"/api/v1/instances/{body['instance']['id']}")


def test_a_known_phone_is_stored_again_and_listed_as_a_duplicate(api, deployed):
    first = api("manager").post("/leads", json=LEAD).get_json()
    second = api("manager").post("/leads", json={**LEAD, "phone": "+84321234567"})
    assert second.status_code == 201
    assert [d["id"] for d in second.get_json()["duplicates"]] == [first["customer"]["id"]]
    assert first["customer"]["owner"] in ("sales1", "sales2")  # round robin among the sales reps


def test_invalid_fields_answer_422_with_a_message_each_and_store_nothing(api, deployed):
    error = error_of(api("sales1").post("/leads", json={"name": "An", "phone": "123", "email": "x",
                                                        "owner": "auditor", "nickname": "A"}), 422)
    assert set(error["fields"]) == {"nickname"}
    error = error_of(api("sales1").post("/leads", json={"name": "An", "phone": "123", "email": "x",
                                                        "owner": "auditor"}), 422)
    assert set(error["fields"]) == {"phone", "email", "owner"}
    assert error_of(api("sales2").post("/leads", json={"phone": "0912345678"}), 422)["fields"] == {
        "name": "This field is required."}
    assert db.session.query(Customer).count() == 0


def test_messages_come_in_the_callers_language(api, deployed):
    error = error_of(api("sales1").post("/leads", json={"name": "An", "phone": "123"}), 422)
    assert error["fields"]["phone"] != "Enter a valid phone number."  # sales1 reads Vietnamese


def test_an_import_reports_each_row(api, deployed):
    csv = "Họ tên;SĐT;Nguồn\nLan;0162 123 4567;zalo\n;0912345678;\nBình;abc;\n".encode()
    response = api("sales1").post("/leads/import", data={"file": (io.BytesIO(csv), "leads.csv")},
                                  content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert len(report["imported"]) == 1 and report["duplicates"] == []
    rejected = [(r["row_number"], set(r["errors"])) for r in report["rejected"]]
    assert rejected == [(3, {"name"}), (4, {"phone"})]


def test_an_import_without_a_file_or_with_a_wrong_file_is_refused(api, deployed):
    assert set(error_of(api("sales1").post("/leads/import", data={}), 422)["fields"]) == {"file"}
    response = api("sales1").post("/leads/import", data={"file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")},
                                  content_type="multipart/form-data")
    assert set(error_of(response, 422)["fields"]) == {"file"}


def _owners_of(response):
    assert response.status_code == 201, response.get_json()
    return response.get_json()["customer"]["owner"]


def test_leads_posted_without_owner_go_to_the_sales_reps_in_turn_never_to_a_manager(api, deployed):
    owners = [_owners_of(api(poster).post("/leads", json={**LEAD, "phone": f"09012345{n:02d}"}))
              for n, poster in enumerate(["manager", "admin"] * 4)]
    assert owners == ["sales1", "sales2"] * 4  # manager holds sales too, but oversees


def test_a_lead_a_rep_posts_without_owner_is_theirs_and_its_call_task_is_assigned_to_them(api, deployed):
    body = api("sales2").post("/leads", json=LEAD).get_json()
    assert body["customer"]["owner"] == "sales2"
    [task] = db.session.query(HumanTask).filter_by(instance_id=body["instance"]["id"], state="open").all()
    assert task.assignee == "sales2"


def test_an_import_by_a_manager_spreads_rows_without_owner_over_the_reps(api, deployed):
    csv = "name,phone\nLan,0901234501\nBình,0901234502\nChâu,0901234503\n".encode()
    response = api("manager").post("/leads/import", data={"file": (io.BytesIO(csv), "leads.csv")},
                                   content_type="multipart/form-data")
    ids = response.get_json()["imported"]
    owners = [db.session.get(Customer, i).owner for i in ids]
    assert owners == ["sales1", "sales2", "sales1"]


def test_without_an_active_rep_a_lead_without_owner_is_refused_with_a_message(api, deployed, users):
    for name in ("sales1", "sales2"):
        users[name].active = False
    db.session.commit()
    error = error_of(api("manager").post("/leads", json=LEAD), 422)
    assert error["fields"]["owner"].startswith("No active sales rep can take the lead in turn")
    assert db.session.query(Customer).count() == 0 and db.session.query(ProcessInstance).count() == 0


def test_the_task_queue_is_newest_first_by_default_and_ordered_by_due_time_on_request(api, deployed):
    from processes.leads.entry import create_lead

    older, newer = (create_lead({"name": name, "phone": phone}, actor="manager", source="website").instance.id
                    for name, phone in (("Lan", "0901234561"), ("Bình", "0901234562")))

    def queue(**args):
        response = api("sales1").get("/tasks", query_string={"tab": "queue", **args})
        assert response.status_code == 200, response.get_json()
        return [task["instance_id"] for task in response.get_json()["items"]]

    assert queue() == queue(order="newest") == [newer, older]
    assert queue(order="due") == [older, newer]
    assert set(error_of(api("sales1").get("/tasks", query_string={"order": "oldest"}), 422)["fields"]) == {
        "order"}


def test_task_rows_of_a_lead_case_carry_the_leads_age_and_source_as_the_team_queue_shows_them(
        api, deployed, two_lanes):
    from datetime import timedelta

    from engine.types import utcnow
    from processes.leads.entry import create_lead

    case = create_lead({"name": "Lan", "phone": "0901234561", "owner": "sales1"}, actor="manager",
                       source="facebook").instance.id
    customer = db.session.query(Customer).filter_by(instance_id=case).one()
    customer.created_at = came_in = utcnow() - timedelta(hours=3)
    db.session.commit()
    other = two_lanes().instance_id
    response = api("manager").get("/tasks", query_string={"tab": "all"})
    assert response.status_code == 200, response.get_json()
    rows = {row["instance_id"]: row for row in response.get_json()["items"]}
    lead = rows[case]["lead"]
    assert lead["source"] == "facebook" and lead["source_label"] == "Facebook"
    assert lead["came_in_at"].startswith(came_in.isoformat(timespec="seconds")[:19])
    assert 3 * 3600 <= lead["age_seconds"] < 3 * 3600 + 60
    assert rows[other]["lead"] is None
    one = api("sales1").get(f"/tasks/{rows[case]['id']}").get_json()["lead"]
    assert (one["came_in_at"], one["source"]) == (lead["came_in_at"], "facebook")
    assert api("manager").get(f"/tasks/{rows[other]['id']}").get_json()["lead"] is None
