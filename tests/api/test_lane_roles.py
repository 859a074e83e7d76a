"""Lanes mapped to roles through the API (issue 14, "Lanes"): a deploy or a validation sends
``lane_roles``, the version keeps it and shows it, and the person given the mapped role
works the lane's task from the queue to the end."""
import io
import json
from urllib.parse import quote

import pytest

import engine
from engine.db import db
from engine.models import AuditEvent, ProcessVersion
from tests.api.conftest import TWO_LANES, error_of, open_tasks

FINANCE = TWO_LANES.replace('name="manager"', 'name="Finance Team"').replace("api_two_lanes", "api_finance")
MAPPED = {"Finance Team": "finance"}


@pytest.fixture
def finance(api):
    """The role ``finance``, added by the admin."""
    assert api("admin").post("/roles", json={"name": "finance", "title": "Finance"}).status_code == 201


def upload(caller, xml=FINANCE, lane_roles=MAPPED, path="/process-definitions", **extra):
    data = {"file": (io.BytesIO(xml.encode()), "finance.bpmn"), **extra}
    if lane_roles is not None:
        data["lane_roles"] = json.dumps(lane_roles)
    return caller.post(path, data=data, content_type="multipart/form-data")


def raw(caller, xml=FINANCE, lane_roles=MAPPED, path="/process-definitions"):
    query = f"?name=finance.bpmn&lane_roles={quote(json.dumps(lane_roles))}" if lane_roles else ""
    return caller.post(path + query, data=xml, content_type="application/xml")


def test_an_upload_with_lane_roles_deploys_and_the_version_shows_the_mapping(api, finance):
    response = upload(api("owner"))
    assert response.status_code == 201, response.get_data(as_text=True)
    [item] = response.get_json()["items"]
    assert (item["version"], item["lane_roles"]) == (1, MAPPED)
    assert api("auditor").get("/process-definitions/api_finance").get_json()["lane_roles"] == MAPPED
    listed = {d["key"]: d for d in api("owner").get("/process-definitions").get_json()["items"]}
    assert listed["api_finance"]["lane_roles"] == MAPPED


def test_a_raw_xml_body_takes_lane_roles_as_a_query_parameter(api, finance):
    response = raw(api("owner"))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["items"][0]["lane_roles"] == MAPPED


def test_a_version_without_a_mapping_shows_an_empty_one(api, two_lanes):
    body = api("owner").get("/process-definitions/api_two_lanes").get_json()
    assert body["lane_roles"] == {}


def test_a_lane_mapped_to_a_missing_role_is_a_422_naming_lane_and_role_and_nothing_is_stored(api):
    error = error_of(upload(api("owner")), 422)
    [problem] = [p for p in error["problems"] if p["element"] == "Finance Team"]
    assert "lane 'Finance Team' is mapped to the role 'finance', which does not exist" in problem["message"]
    assert db.session.query(ProcessVersion).count() == 0


@pytest.mark.parametrize("given", ["{", "[\"finance\"]", "\"finance\"", "{\"Finance Team\": 7}",
                                   "[" * 100_000], ids=["broken", "list", "string", "number", "deep"])
def test_lane_roles_that_are_not_an_object_of_names_are_a_422_naming_the_field(api, finance, given):
    response = api("owner").post("/process-definitions", data={
        "file": (io.BytesIO(FINANCE.encode()), "finance.bpmn"), "lane_roles": given},
        content_type="multipart/form-data")
    assert set(error_of(response, 422)["fields"]) == {"lane_roles"}
    assert db.session.query(ProcessVersion).count() == 0


def test_lane_roles_sent_both_as_a_field_and_a_parameter_are_refused(api, finance):
    response = upload(api("owner"), path="/process-definitions?lane_roles=" + quote(json.dumps(MAPPED)))
    assert error_of(response, 422)["fields"] == {"lane_roles": "Sent twice."}


def test_a_lane_name_too_long_to_be_a_lane_is_refused_as_a_problem(api, finance):
    error = error_of(upload(api("owner"), lane_roles={"x" * 256: "finance", **MAPPED}), 422)
    assert [p["element"] for p in error["problems"]] == ["lane_roles"]


def test_the_same_file_with_the_same_mapping_is_unchanged_and_with_another_a_new_version(api, finance):
    assert api("admin").post("/roles", json={"name": "accounting"}).status_code == 201
    assert upload(api("owner")).status_code == 201
    again = upload(api("owner"))
    assert again.status_code == 200 and again.get_json()["items"][0]["created"] is False
    other = upload(api("owner"), lane_roles={"Finance Team": "accounting"})
    assert other.status_code == 201
    assert other.get_json()["items"][0]["lane_roles"] == {"Finance Team": "accounting"}
    diff = api("owner").get("/process-definitions/api_finance/versions/1/diff/2").get_json()
    assert diff["same"] is False
    assert diff["lanes"] == [{"lane": "Finance Team", "before": "finance", "after": "accounting"}]


def test_validate_takes_the_mapping_and_warns_of_an_entry_for_a_lane_not_there(api, finance):
    without = upload(api("owner"), lane_roles=None, path="/process-definitions/validate").get_json()
    assert without["valid"] is False
    given = {**MAPPED, "Tester": "finance"}
    body = upload(api("owner"), lane_roles=given, path="/process-definitions/validate").get_json()
    assert body["valid"] is True
    assert {"element": "Tester", "severity": "warning",
            "message": "lane_roles maps the lane 'Tester' to 'finance', but the diagram has no lane of that "
                       "name; the entry is not kept"} in body["problems"]
    assert raw(api("owner"), path="/process-definitions/validate").get_json()["valid"] is True


def test_the_openapi_document_describes_lane_roles(api):
    document = api(None).get("/openapi.json").get_json()
    deploy = document["paths"]["/api/v1/process-definitions"]["post"]
    assert "lane_roles" in {p["name"] for p in deploy["parameters"]}
    upload_schema = deploy["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert "lane_roles" in upload_schema["properties"]
    schemas = document["components"]["schemas"]
    assert schemas["DeployedVersion"]["properties"]["lane_roles"]["type"] == "object"
    assert schemas["Definition"]["properties"]["lane_roles"]["type"] == "object"
    assert "/api/v1/users/{username}/roles" in document["paths"]


def test_the_person_given_the_mapped_role_works_the_lanes_task_and_others_cannot(api, finance, users):
    response = api("admin").open("PUT", "/users/sales2/roles", json={"roles": ["sales", "finance"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert upload(api("owner")).status_code == 201
    instance = engine.start("api_finance", actor="manager", data={"name": "Nguyễn Văn An"})
    engine.complete_task(open_tasks(instance.id)["call"].id, actor="sales1")
    approve = open_tasks(instance.id)["approve"]
    assert (approve.lane, approve.candidate_role) == ("Finance Team", "finance")
    queue = api("sales2").get("/tasks?tab=queue").get_json()["items"]
    assert approve.id in {t["id"] for t in queue}
    assert approve.id not in {t["id"] for t in api("sales1").get("/tasks?tab=queue").get_json()["items"]}
    error_of(api("sales1").post(f"/tasks/{approve.id}/complete", json={"data": {}}), 403)
    done = api("sales2").post(f"/tasks/{approve.id}/complete", json={"data": {}})
    assert done.status_code == 200, done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(instance), instance.id).status == "completed"
    event = db.session.query(AuditEvent).filter_by(stream="user:sales2", kind="roles_changed").one()
    assert (event.actor, event.data_before, event.data_after) == (
        "admin", {"roles": ["sales"]}, {"roles": ["finance", "sales"]})
