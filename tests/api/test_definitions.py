"""Process definitions: listing by role, reading one, deploying (upload or raw XML), refusals."""
import io

import pytest

from engine.models import ProcessVersion
from tests.api.conftest import ROOT, TWO_LANES, error_of

LEAD_XML = (ROOT / "bpmn" / "lead_handling.bpmn").read_bytes()
HOSTILE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<x>&secret;</x></bpmn:definitions>
"""
BAD_SCRIPT = TWO_LANES.replace("api_two_lanes", "bad_script").replace(
    '<bpmn:userTask id="approve" name="Approve">',
    '<bpmn:scriptTask id="shell" name="Shell"><bpmn:incoming>f2</bpmn:incoming>'
    '<bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>os_system("rm -rf /")</bpmn:script></bpmn:scriptTask>'
    '<bpmn:userTask id="approve" name="Approve">',
).replace('targetRef="approve"', 'targetRef="shell"')


def upload(caller, data, filename="lead_handling.bpmn"):
    return caller.post("/process-definitions", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_a_process_owner_deploys_an_upload_as_version_1(api):
    response = upload(api("owner"), LEAD_XML)
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith("/api/v1/process-definitions/lead_handling")
    [item] = response.get_json()["items"]
    assert item["key"] == "lead_handling" and item["version"] == 1 and item["created"] is True
    assert item["deployed_by"] == "owner" and item["deployed_at"].endswith("+00:00")


def test_deploying_the_same_file_again_changes_nothing(api):
    owner = api("owner")
    upload(owner, LEAD_XML)
    again = upload(owner, LEAD_XML)
    assert again.status_code == 200 and "Location" not in again.headers
    assert again.get_json()["items"][0] == {**again.get_json()["items"][0], "version": 1, "created": False}


def test_an_admin_deploys_a_raw_xml_body(api):
    response = api("admin").post("/process-definitions?name=two_lanes.bpmn", data=TWO_LANES,
                                 content_type="application/xml")
    assert response.status_code == 201
    assert response.get_json()["items"][0]["key"] == "api_two_lanes"


@pytest.mark.parametrize("username", ["sales1", "manager", "auditor", "partner1"])
def test_only_process_owners_and_admins_may_deploy(api, username):
    error = error_of(upload(api(username), LEAD_XML), 403)
    assert error["code"] == "forbidden"


def test_deploying_needs_a_token(api):
    error_of(upload(api(None), LEAD_XML), 401)


def test_an_invalid_diagram_is_refused_naming_its_elements(api):
    error = error_of(upload(api("owner"), BAD_SCRIPT.encode(), "bad.bpmn"), 422)
    assert error["code"] == "invalid_bpmn"
    assert "shell" in error["fields"] and "os_system" in error["fields"]["shell"]
    assert {"element": "shell", "message": error["fields"]["shell"], "severity": "error"} in error["problems"]
    # moving the flow into the script task left "approve" and the end after it with no way in
    for element in ("approve", "end"):
        assert "can never be reached" in error["fields"][element]
    assert error["message"] == "The diagram was refused: 3 problems."


def test_a_diagram_with_an_unknown_lane_is_refused(api):
    xml = TWO_LANES.replace('name="manager"', 'name="astronaut"')
    error = error_of(upload(api("owner"), xml.encode()), 422)
    assert "astronaut" in error["fields"]


def test_a_hostile_diagram_with_a_doctype_is_refused(api, app):
    error = error_of(upload(api("owner"), HOSTILE, "evil.bpmn"), 422)
    assert error["problems"][0]["element"] == "evil.bpmn"
    assert "DOCTYPE" in error["problems"][0]["message"]
    assert "root:" not in str(error)
    from engine.db import db

    assert db.session.query(ProcessVersion).count() == 0


@pytest.mark.parametrize("kwargs", [
    lambda: {"json": {"file": "<xml/>"}},
    lambda: {"data": {"other": (io.BytesIO(b"x"), "x.bpmn")}, "content_type": "multipart/form-data"},
    lambda: {"data": b"", "content_type": "application/xml"},
], ids=["json", "another-field", "empty-xml"])
def test_a_request_without_a_bpmn_file_is_refused(api, kwargs):
    error = error_of(api("owner").post("/process-definitions", **kwargs()), 422)
    assert error["fields"]


def test_a_body_larger_than_the_limit_is_refused_with_413(api, app):
    app.config["TASKLANE_MAX_BPMN_BYTES"] = 1000
    response = api("owner").post("/process-definitions", data=b"<a/>" * 100_000,
                                 content_type="application/xml")
    error = error_of(response, 413)
    assert error["code"] == "too_large"


def test_staff_and_auditors_list_the_definitions_with_their_latest_version(api):
    upload(api("owner"), LEAD_XML)
    api("owner").post("/process-definitions", data=TWO_LANES, content_type="application/xml")
    for username in ("sales1", "auditor", "owner"):
        body = api(username).get("/process-definitions").get_json()
        assert [d["key"] for d in body["items"]] == ["api_two_lanes", "lead_handling"]
        assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 25
        assert body["items"][1]["latest_version"] == 1 and body["items"][1]["deployed_by"] == "owner"
    paged = api("sales1").get("/process-definitions?page=2&per_page=1").get_json()
    assert [d["key"] for d in paged["items"]] == ["lead_handling"] and paged["total"] == 2


@pytest.mark.parametrize("username", ["partner1", "customer1"])
def test_partners_and_customers_may_not_list_definitions(api, username):
    error_of(api(username).get("/process-definitions"), 403)


def test_listing_refuses_bad_paging_and_needs_a_token(api):
    error = error_of(api("sales1").get("/process-definitions?page=0&per_page=x&sort=key"), 422)
    assert set(error["fields"]) == {"page", "per_page", "sort"}
    error_of(api(None).get("/process-definitions"), 401)


def test_one_definition_is_read_by_key(api):
    upload(api("owner"), LEAD_XML)
    body = api("sales1").get("/process-definitions/lead_handling").get_json()
    assert body["key"] == "lead_handling" and body["latest_version"] == 1
    assert error_of(api("sales1").get("/process-definitions/nope"), 404)["code"] == "not_found"
    error_of(api("partner1").get("/process-definitions/lead_handling"), 403)
    error_of(api(None).get("/process-definitions/lead_handling"), 401)
