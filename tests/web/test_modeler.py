"""The modeler's routes: access, loading, drafts, validate and deploy (issue 5)."""
import json
import re

import pytest
from flask import g

import engine
from engine import drafts
from engine.db import db
from engine.models import ProcessDefinition, ProcessVersion
from tests.conftest import ROOT

LEAD_XML = (ROOT / "bpmn" / "lead_handling.bpmn").read_text(encoding="utf-8")
HOSTILE = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;</bpmn:definitions>"""


def with_condition(xml, flow_id, condition):
    """``xml`` with the sequence flow ``flow_id`` given ``condition``."""
    pattern = re.compile(rf'(<bpmn:sequenceFlow id="{re.escape(flow_id)}"[^>]*?)\s*/>')
    replaced, count = pattern.subn(
        lambda m: f'{m.group(1)}><bpmn:conditionExpression>{condition}</bpmn:conditionExpression>'
                  '</bpmn:sequenceFlow>', xml)
    if count == 0:
        # the flow's own condition, after its names per language if it has them
        pattern = re.compile(rf'(<bpmn:sequenceFlow id="{re.escape(flow_id)}"[^>]*>\s*'
                             r'(?:<bpmn:extensionElements>.*?</bpmn:extensionElements>\s*)?)'
                             r'<bpmn:conditionExpression[^>]*>.*?</bpmn:conditionExpression>', re.S)
        replaced, count = pattern.subn(
            lambda m: f'{m.group(1)}<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>', xml)
    assert count == 1, flow_id
    return replaced


def token(client):
    g.pop("csrf_token", None)
    html = client.get("/profile").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def send(client, path, body):
    return client.post(path, data=body.encode("utf-8") if isinstance(body, str) else body,
                       headers={"X-CSRFToken": token(client), "Content-Type": "application/xml",
                                "Accept": "application/json"})


@pytest.fixture
def lead_deployed(app, users):
    from accounts import service

    engine.deploy(LEAD_XML.encode(), actor="owner", name="lead_handling.bpmn", roles=service.role_names())
    db.session.commit()


@pytest.mark.parametrize("username", ["sales1", "auditor"])
def test_only_process_owners_and_admins_open_the_modeler(sign_in, lead_deployed, username):
    client = sign_in(username)
    assert client.get("/processes/lead_handling/edit").status_code == 403
    assert client.get("/processes/drafts").status_code == 403
    assert send(client, "/processes/validate", LEAD_XML).status_code == 403
    assert send(client, "/processes/deploy", LEAD_XML).status_code == 403
    assert send(client, "/processes/lead_handling/draft", LEAD_XML).status_code == 403
    assert client.get("/forms").status_code == 403


def test_the_edit_page_carries_the_latest_version_xml(sign_in, lead_deployed):
    client = sign_in("owner")
    html = client.get("/processes/lead_handling/edit").get_data(as_text=True)
    config = json.loads(re.search(r'<script type="application/json" id="modeler-config">(.*?)</script>',
                                  html, re.S).group(1))
    assert config["xml"] == LEAD_XML
    assert "lead-call-outcome" in config["forms"] and "sales" in config["roles"]


def test_an_admin_may_open_the_modeler_too(sign_in, lead_deployed):
    assert sign_in("admin").get("/processes/lead_handling/edit").status_code == 200


def test_an_unknown_process_is_not_found(sign_in, users):
    assert sign_in("owner").get("/processes/nothing_here/edit").status_code == 404


def test_a_new_diagram_has_one_executable_process_with_a_start_event(sign_in, users):
    html = sign_in("owner").get("/processes/new/edit").get_data(as_text=True)
    config = json.loads(re.search(r'id="modeler-config">(.*?)</script>', html, re.S).group(1))
    assert 'isExecutable="true"' in config["xml"] and "<bpmn:startEvent" in config["xml"]
    assert engine.validate(config["xml"].encode()) == []


def test_a_saved_draft_is_what_the_editor_opens_next(sign_in, lead_deployed):
    client = sign_in("owner")
    edited = LEAD_XML.replace('name="Call the lead"', 'name="Call the lead now"')
    response = send(client, "/processes/lead_handling/draft", edited)
    assert response.status_code == 200 and response.json["based_on_version"] == 1
    draft = drafts.load("lead_handling")
    assert draft.updated_by == "owner" and draft.xml == edited
    html = client.get("/processes/lead_handling/edit").get_data(as_text=True)
    assert "Call the lead now" in html and "Draft by" in html
    assert "<code>lead_handling</code>" in client.get("/processes/drafts").get_data(as_text=True)
    send(client, "/processes/lead_handling/draft", LEAD_XML)
    assert db.session.query(drafts.ProcessDraft).count() == 1


def test_a_draft_needs_a_process_id_as_key_and_a_body(sign_in, users):
    client = sign_in("owner")
    assert send(client, "/processes/bad key!/draft", LEAD_XML).status_code == 422
    assert send(client, "/processes/ok_key/draft", "  ").status_code == 422


def test_validate_names_the_gateway_of_a_bad_condition(sign_in, lead_deployed):
    xml = with_condition(LEAD_XML, "f_no_need", "outcome ==")
    response = send(sign_in("owner"), "/processes/validate?name=lead_handling.bpmn", xml)
    assert response.status_code == 200
    assert response.json["valid"] is False
    elements = {p["element"] for p in response.json["problems"] if p["severity"] == "error"}
    assert "call_outcome" in elements


def test_validate_passes_the_shipped_diagram(sign_in, lead_deployed):
    response = send(sign_in("owner"), "/processes/validate", LEAD_XML)
    assert response.json["valid"] is True
    assert all(p["severity"] == "warning" for p in response.json["problems"])


@pytest.mark.parametrize("xml", [HOSTILE, XXE], ids=["billion-laughs", "xxe"])
def test_hostile_xml_is_refused_with_a_readable_message(sign_in, users, xml):
    client = sign_in("owner")
    response = send(client, "/processes/validate", xml)
    assert response.status_code == 200 and response.json["valid"] is False
    assert "DOCTYPE / ENTITY declarations are refused" in response.json["problems"][0]["message"]
    deployed = send(client, "/processes/deploy", xml)
    assert deployed.status_code == 422 and deployed.json["problems"]


def test_an_unsafe_script_is_refused_at_its_element(sign_in, lead_deployed):
    xml = LEAD_XML.replace("closed_at = now_iso()", "closed_at = __import__('os').getcwd()")
    client = sign_in("owner")
    problems = send(client, "/processes/validate", xml).json["problems"]
    assert any(p["element"] == "close_lead" and p["severity"] == "error" and "__import__" in p["message"]
               for p in problems)
    response = send(client, "/processes/deploy", xml)
    assert response.status_code == 422
    assert any(p["element"] == "close_lead" for p in response.json["problems"])
    assert db.session.query(ProcessVersion).count() == 1


def test_deploy_creates_version_2_and_deletes_the_draft(sign_in, lead_deployed):
    client = sign_in("owner")
    edited = LEAD_XML.replace('value="Call the new lead (call now)"', 'value="Ring the new lead"')
    send(client, "/processes/lead_handling/draft", edited)
    response = send(client, "/processes/deploy?name=lead_handling.bpmn", edited)
    assert response.status_code == 200, response.json
    assert response.json["versions"] == [{"key": "lead_handling", "version": 2, "created": True}]
    db.session.expire_all()
    assert drafts.load("lead_handling") is None
    definition = db.session.query(ProcessDefinition).filter_by(key="lead_handling").one()
    assert definition.latest_version == 2
    again = send(client, "/processes/deploy", edited)
    assert again.json["versions"][0]["created"] is False
