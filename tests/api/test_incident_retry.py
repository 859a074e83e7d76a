"""Repairing a case with an incident over the API (issue 14): a script divides by a
variable that is 0, the case gets an incident; its process owner corrects the variable
and retries; the case goes on to its end. Failures answer 4xx, never 500."""
import pytest

import engine
from engine.db import db
from engine.errors import ScriptError
from engine.models import AuditEvent, ProcessInstance
from tests.api.conftest import error_of, open_tasks
from tests.conftest import deploy_file
from tests.engine.helpers import fire_when_due, pending_timers


@pytest.fixture
def failed(users):
    """A case whose month-end timer fired into ``share = total / parts`` with ``parts`` 0."""
    deploy_file("divide.bpmn")
    case = engine.start("divide", actor="sales1", data={"total": 900, "parts": 0, "by_hand": False})
    with pytest.raises(ScriptError):
        fire_when_due(pending_timers(case.id)["month_end"])
    return case.id


def read(api, case_id, who="owner"):
    response = api(who).get(f"/instances/{case_id}/data")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def patch(api, case_id, body, who="owner"):
    return api(who).open("PATCH", f"/instances/{case_id}/data", json=body)


def kinds(case_id):
    db.session.expire_all()
    return [e.kind for e in db.session.query(AuditEvent).filter_by(instance_id=case_id)
            .order_by(AuditEvent.seq)]


def test_an_incident_corrected_and_retried_over_the_api_goes_on_to_the_end(api, failed):
    listed = api("owner").get("/instances?incident=true").get_json()["items"]
    assert [row["id"] for row in listed] == [failed]
    seen = read(api, failed)
    assert seen["data"]["parts"] == 0 and "a division by zero" in seen["error"]

    response = patch(api, failed, {"set": {"parts": 3}, "reason": "three people",
                                   "lock_version": seen["lock_version"]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["changed"], body["before"], body["after"]) == (True, {"parts": 0}, {"parts": 3})
    assert "a division by zero" in body["instance"]["error"]   # a correction does not clear it

    response = api("owner").post(f"/instances/{failed}/retry",
                                 json={"lock_version": body["instance"]["lock_version"]})
    assert response.status_code == 200, response.get_json()
    retried = response.get_json()
    assert retried["error"] is None and [t["element_id"] for t in retried["open_tasks"]] == ["review"]
    assert api("owner").get("/instances?incident=true").get_json()["items"] == []

    review = open_tasks(failed)["review"]
    assert api("sales1").post(f"/tasks/{review.id}/complete", json={"data": {}}).status_code == 200
    assert db.session.get(ProcessInstance, failed).status == "completed"
    trail = kinds(failed)
    assert trail.index("incident") < trail.index("data_corrected") < trail.index("incident_retried")
    assert trail[-1] == "instance_completed"


def test_a_retry_that_fails_again_answers_422_and_records_the_incident_again(api, failed):
    version = read(api, failed)["lock_version"]
    error = error_of(api("admin").post(f"/instances/{failed}/retry", json={"lock_version": version}), 422)
    assert error["code"] == "script_error" and "share" in error["fields"]
    assert error["message"].startswith("The retry failed: share: a division by zero")
    assert kinds(failed).count("incident") == 2 and "incident_retried" not in kinds(failed)


def test_the_second_of_two_retries_on_the_same_lock_version_is_refused(api, failed):
    version = read(api, failed)["lock_version"]
    assert patch(api, failed, {"set": {"parts": 2}, "lock_version": version}).status_code == 200
    version = read(api, failed)["lock_version"]
    assert api("owner").post(f"/instances/{failed}/retry", json={"lock_version": version}).status_code == 200
    error = error_of(api("admin").post(f"/instances/{failed}/retry", json={"lock_version": version}), 409)
    assert error["winner"] == "owner" and "changed since you opened it" in error["message"]
    assert kinds(failed).count("incident_retried") == 1


def test_a_retry_of_a_case_without_an_incident_is_refused(api, users):
    deploy_file("divide.bpmn")
    case = engine.start("divide", actor="sales1", data={"total": 9, "parts": 3, "by_hand": True}).id
    version = read(api, case)["lock_version"]
    error = error_of(api("owner").post(f"/instances/{case}/retry", json={"lock_version": version}), 409)
    assert error["message"] == "This case has no incident to retry."


@pytest.mark.parametrize("body, field", [
    ({"set": {"2fast": 1}}, "2fast"),
    ({"set": {"for": 1}}, "for"),
    ({"unset": ["nothing_here"]}, "nothing_here"),
    ({"set": {"parts": 1}, "lock_version": None}, "lock_version"),
    ({"set": {"parts": 1}, "colour": "red"}, "colour"),
])
def test_a_correction_that_cannot_be_stored_answers_422_naming_the_field_and_changes_nothing(
        api, failed, body, field):
    before = (db.session.get(ProcessInstance, failed).state, kinds(failed))
    body = {"lock_version": read(api, failed)["lock_version"], **body}
    error = error_of(patch(api, failed, body), 422)
    assert field in error["fields"]
    db.session.expire_all()
    assert (db.session.get(ProcessInstance, failed).state, kinds(failed)) == before


def test_a_correction_on_an_old_lock_version_answers_409_naming_who_changed_the_case(api, failed):
    old = read(api, failed)["lock_version"]
    assert patch(api, failed, {"set": {"parts": 5}, "lock_version": old}, who="admin").status_code == 200
    error = error_of(patch(api, failed, {"set": {"parts": 6}, "lock_version": old}), 409)
    assert error["winner"] == "admin" and error["code"] == "conflict"
    assert read(api, failed)["data"]["parts"] == 5


@pytest.mark.parametrize("who", ["sales1", "manager", "auditor", "partner1"])
def test_only_process_owners_and_admins_read_correct_and_retry_a_case(api, failed, who):
    version = read(api, failed)["lock_version"]
    assert api(who).get(f"/instances/{failed}/data").status_code == 403
    assert patch(api, failed, {"set": {"parts": 1}, "lock_version": version}, who=who).status_code == 403
    assert api(who).post(f"/instances/{failed}/retry", json={"lock_version": version}).status_code == 403
    assert "data_corrected" not in kinds(failed)
