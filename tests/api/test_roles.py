"""Roles (issue 14, "Lanes"): staff list them, an admin adds one, and a diagram whose lane
names the new role ("Finance Team") deploys and queues its task for that role."""
import pytest

import engine
from engine.db import db
from engine.models import AuditEvent
from tests.api.conftest import TWO_LANES, error_of, open_tasks

FINANCE = TWO_LANES.replace('name="manager"', 'name="Finance Team"').replace("api_two_lanes", "api_finance")


def deploy(api, xml):
    return api("owner").post("/process-definitions", data=xml, content_type="application/xml")


def test_staff_and_auditors_list_the_built_in_roles_with_names_in_their_language(api):
    body = api("sales1").get("/roles").get_json()   # sales1 reads Vietnamese
    roles = {item["name"]: item for item in body["items"]}
    assert roles["manager"] == {"name": "manager", "title": "Quản lý", "built_in": True}
    assert api("auditor").get("/roles").status_code == 200


@pytest.mark.parametrize("who", ["partner1", "customer1"])
def test_outsiders_may_not_list_roles(api, who):
    error_of(api(who).get("/roles"), 403)


def test_an_admin_adds_a_role_that_is_listed_and_audited(api):
    response = api("admin").post("/roles", json={"name": "finance_team", "title": "Finance team"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json() == {"name": "finance_team", "title": "Finance team", "built_in": False}
    listed = {item["name"]: item for item in api("owner").get("/roles").get_json()["items"]}
    assert listed["finance_team"]["title"] == "Finance team"
    event = db.session.query(AuditEvent).filter_by(stream="role:finance_team").one()
    assert (event.kind, event.actor) == ("role_created", "admin")


def test_a_role_without_a_title_is_shown_by_its_key(api):
    assert api("admin").post("/roles", json={"name": "tester"}).get_json()["title"] == "tester"


@pytest.mark.parametrize("who", ["owner", "manager", "sales1", "auditor", "partner1"])
def test_only_an_admin_may_add_a_role(api, who):
    error_of(api(who).post("/roles", json={"name": "finance_team"}), 403)
    assert "finance_team" not in {item["name"] for item in api("admin").get("/roles").get_json()["items"]}


@pytest.mark.parametrize("name", ["Finance Team", "finance-team", "1st_line", "", "kế_toán", "x" * 81, 7])
def test_a_bad_key_is_a_422_naming_the_field_and_nothing_is_stored(api, name):
    before = api("admin").get("/roles").get_json()["items"]
    error = error_of(api("admin").post("/roles", json={"name": name}), 422)
    assert set(error["fields"]) == {"name"}
    assert api("admin").get("/roles").get_json()["items"] == before


def test_a_taken_key_is_a_422_in_the_callers_language(api, users):
    error = error_of(api("admin").post("/roles", json={"name": "manager"}), 422)
    assert error["fields"] == {"name": "A role named manager already exists."}
    users["admin"].locale = "ru"
    db.session.commit()
    error = error_of(api("admin").post("/roles", json={"name": "manager"}), 422)
    assert error["fields"]["name"] == "Роль manager уже есть."


def test_a_too_long_title_and_unknown_fields_are_refused(api):
    error = error_of(api("admin").post("/roles", json={"name": "finance_team", "title": "x" * 256}), 422)
    assert set(error["fields"]) == {"title"}
    error = error_of(api("admin").post("/roles", json={"name": "finance_team", "colour": "red"}), 422)
    assert set(error["fields"]) == {"colour"}


def test_a_lane_naming_no_role_is_refused_with_how_to_add_the_role(api):
    error = error_of(deploy(api, FINANCE), 422)
    assert {"element": "Finance Team", "severity": "error",
            "message": "lane 'Finance Team' matches no role; map it to a role at deploy (lane_roles), an "
                       "admin creates the role 'finance_team' on /admin/roles (or POST /api/v1/roles), or "
                       "rename the lane"} in error["problems"]


def test_a_lane_that_cannot_name_a_role_is_told_to_be_renamed(api):
    xml = TWO_LANES.replace('name="manager"', 'name="Kế toán"').replace("api_two_lanes", "api_accounting")
    error = error_of(deploy(api, xml), 422)
    message = next(p["message"] for p in error["problems"] if p["element"] == "Kế toán")
    assert "cannot be one" in message and "rename the lane" in message and "/admin/roles" not in message


def test_after_the_admin_adds_the_role_the_finance_team_lane_deploys_and_queues_its_task(api):
    assert api("admin").post("/roles", json={"name": "finance_team"}).status_code == 201
    response = deploy(api, FINANCE)
    assert response.status_code == 201, response.get_data(as_text=True)
    instance = engine.start("api_finance", actor="manager", data={"name": "Nguyễn Văn An"})
    engine.complete_task(open_tasks(instance.id)["call"].id, actor="sales1")
    approve = open_tasks(instance.id)["approve"]
    assert (approve.lane, approve.candidate_role) == ("Finance Team", "finance_team")
