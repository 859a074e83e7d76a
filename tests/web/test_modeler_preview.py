"""The modeler's deploy confirmation: POST /processes/deploy/preview (issue 13)."""
import pytest

from engine.db import db
from engine.models import ProcessDefinition, ProcessVersion
from tests.web.test_modeler import HOSTILE, LEAD_XML, lead_deployed, send, with_condition  # noqa: F401

PREVIEW = "/processes/deploy/preview?name=lead_handling.bpmn"


def versions():
    return db.session.query(ProcessVersion).count()


@pytest.mark.parametrize("username", ["sales1", "auditor", "manager"])
def test_only_process_owners_and_admins_preview_a_deploy(sign_in, lead_deployed, username):  # noqa: F811
    assert send(sign_in(username), PREVIEW, LEAD_XML).status_code == 403


def test_a_changed_diagram_shows_what_changes_against_the_latest_version(sign_in, lead_deployed):  # noqa: F811
    edited = LEAD_XML.replace('name="Call the lead"', 'name="Call the lead at once"')
    response = send(sign_in("owner"), PREVIEW, edited)
    assert response.status_code == 200
    body = response.json
    assert (body["valid"], body["deployable"]) == (True, True)
    assert body["processes"] == [{"key": "lead_handling", "latest": 1, "new": False, "unchanged": False}]
    html = body["html"]
    assert 'data-deploy-state="changed"' in html and "Deploying makes version 2" in html
    assert "Call the lead at once" in html and "call_lead" in html and "User task" in html
    assert versions() == 1


def test_an_unchanged_diagram_has_nothing_to_deploy(sign_in, lead_deployed):  # noqa: F811
    body = send(sign_in("owner"), PREVIEW, LEAD_XML).json
    assert (body["deployable"], body["processes"][0]["unchanged"]) == (False, True)
    assert "there is nothing to deploy" in body["html"]


def test_a_new_process_says_so(sign_in, users):
    body = send(sign_in("owner"), PREVIEW, LEAD_XML).json
    assert body["processes"] == [{"key": "lead_handling", "latest": None, "new": True, "unchanged": False}]
    assert "This process is new" in body["html"] and body["deployable"] is True
    assert db.session.query(ProcessDefinition).count() == 0


def test_a_diagram_with_errors_lists_them_and_is_not_valid(sign_in, lead_deployed):  # noqa: F811
    xml = with_condition(LEAD_XML, "f_no_need", "outcome ==")
    body = send(sign_in("owner"), PREVIEW, xml).json
    assert body["valid"] is False
    assert "call_outcome" in {p["element"] for p in body["problems"] if p["severity"] == "error"}


@pytest.mark.parametrize("xml, status", [(HOSTILE, 200), ("  ", 422)], ids=["hostile", "empty"])
def test_unreadable_input_is_answered_clearly_and_stores_nothing(sign_in, users, xml, status):
    response = send(sign_in("owner"), PREVIEW, xml)
    assert response.status_code == status
    if status == 200:
        assert response.json["valid"] is False and response.json["problems"]
    assert versions() == 0


def test_the_preview_speaks_the_owner_language(sign_in, lead_deployed):  # noqa: F811
    from accounts.models import User

    db.session.query(User).filter_by(username="owner").one().locale = "vi"
    db.session.commit()
    edited = LEAD_XML.replace('name="Call the lead"', 'name="Gọi ngay"')
    html = send(sign_in("owner"), PREVIEW, edited).json["html"]
    assert "Triển khai sẽ tạo phiên bản 2" in html and "Công việc người dùng" in html
    assert "Xử lý khách hàng mới" in html and "Lead handling" not in html  # the process by its vi name
