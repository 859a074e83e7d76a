"""POST /api/v1/process-definitions/validate: a deploy's checks, reported, nothing stored."""
from engine.db import db
from engine.models import ProcessDefinition
from tests.api.conftest import error_of
from tests.engine.test_checks import gateway_diagram, task_diagram


def validate(api, user, xml, name="checked.bpmn"):
    return api(user).post(f"/process-definitions/validate?name={name}", data=xml,
                          content_type="application/xml")


def test_errors_and_warnings_come_back_with_their_elements_and_nothing_is_deployed(api):
    body = validate(api, "owner", gateway_diagram("False", "False")).get_json()
    assert body["valid"] is False
    assert [(p["element"], p["severity"]) for p in body["problems"]] == [("choose", "error")]
    maybe = validate(api, "owner", gateway_diagram("x == 1", "x == 2")).get_json()
    assert maybe["valid"] is True and [p["severity"] for p in maybe["problems"]] == ["warning"]
    warned = validate(api, "owner", task_diagram()).get_json()
    assert warned["valid"] is True and warned["problems"][0]["severity"] == "warning"
    assert db.session.query(ProcessDefinition).count() == 0


def test_an_unsafe_script_is_named_in_words(api):
    xml = gateway_diagram('__import__("os").system("id")', "True")
    body = validate(api, "admin", xml.replace('"', "&quot;", 0)).get_json()
    assert body["valid"] is False and "__import__" in body["problems"][0]["message"]


def test_only_process_owners_and_admins_validate(api):
    for user in ("sales1", "auditor", "manager"):
        assert error_of(validate(api, user, task_diagram()), 403)["code"] == "forbidden"
    assert error_of(api("owner").post("/process-definitions/validate"), 422)
