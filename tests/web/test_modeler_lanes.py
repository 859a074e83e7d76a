"""Lanes mapped to roles in the modeler and on the pages (issue 14, "Lanes"): the deploy dialog
offers a role per lane named after none, the mapping travels with validate, preview and
deploy, opening a deployed process preselects it, and lanes and tasks show the role's name."""
import json
import re
from urllib.parse import quote

import pytest

import engine
from accounts import roles, service
from accounts.models import User
from engine.db import db
from engine.models import ProcessVersion
from tests.api.conftest import TWO_LANES
from tests.engine.helpers import open_tasks
from tests.web.conftest import post
from tests.web.test_modeler import send

FINANCE = TWO_LANES.replace('name="manager"', 'name="Finance Team"').replace("api_two_lanes", "web_finance")
MAPPED = {"Finance Team": "finance"}


def lanes(mapping):
    return f"&lane_roles={quote(json.dumps(mapping))}" if mapping else ""


def preview(client, mapping=None, xml=FINANCE):
    return send(client, "/processes/deploy/preview?name=finance.bpmn" + lanes(mapping), xml).json


@pytest.fixture
def finance(app, users):
    roles.create("finance", "Tài chính", actor="admin")
    db.session.commit()


@pytest.fixture
def deployed(finance):
    """Version 1 of web_finance, its lane "Finance Team" mapped to finance; a case at its task."""
    engine.deploy(FINANCE.encode(), actor="owner", name="finance.bpmn", roles=service.role_names(),
                  lane_roles=MAPPED)
    case = engine.start("web_finance", actor="manager", data={"name": "Nguyễn Văn An"})
    engine.complete_task(open_tasks(case.id)["call"].id, actor="sales1")
    return case.id


def select_of(html, lane):
    return re.search(rf'<select[^>]*data-lane-role="{re.escape(lane)}".*?</select>', html, re.S).group(0)


def test_a_lane_named_after_no_role_opens_the_dialog_with_a_role_to_choose(sign_in, finance):
    body = preview(sign_in("owner"))
    assert (body["valid"], body["lanes_only"]) == (False, True)
    html = body["html"]
    assert "data-lane-mapping" in html and "data-roles-link" not in html
    choice = select_of(html, "Finance Team")
    assert 'value="finance"' in choice and "Tài chính" in choice and 'value="manager"' in choice
    assert "selected" not in choice and "is-invalid" in choice
    assert 'data-lane-role="sales"' not in html   # named after its role: nothing to choose
    assert "data-roles-link" in preview(sign_in("admin"))["html"]


def test_the_chosen_role_makes_the_diagram_valid_and_is_shown_chosen(sign_in, finance):
    body = preview(sign_in("owner"), MAPPED)
    assert (body["valid"], body["deployable"], body["lanes_only"]) == (True, True, False)
    assert re.search(r'<option value="finance" selected>', select_of(body["html"], "Finance Team"))


def test_a_role_that_does_not_exist_is_shown_as_missing(sign_in, finance):
    body = preview(sign_in("owner"), {"Finance Team": "treasury"})
    assert (body["valid"], body["lanes_only"]) == (False, True)
    assert "The role treasury does not exist." in body["html"]


def test_another_error_than_a_lane_keeps_the_dialog_closed(sign_in, finance):
    xml = FINANCE.replace('<bpmn:userTask id="approve" name="Approve">', '<bpmn:userTask id="approve" '
                          'name="Approve"><bpmn:extensionElements><spiffworkflow:properties>'
                          '<spiffworkflow:property name="dueIn" value="PT(" /></spiffworkflow:properties>'
                          '</bpmn:extensionElements>')
    body = preview(sign_in("owner"), xml=xml)
    assert (body["valid"], body["lanes_only"]) == (False, False)
    assert {"Finance Team", "approve"} <= {p["element"] for p in body["problems"] if p["severity"] == "error"}


def test_validate_and_deploy_take_the_mapping_and_the_version_keeps_it(sign_in, finance):
    owner = sign_in("owner")
    problems = send(owner, "/processes/validate?name=finance.bpmn", FINANCE).json["problems"]
    assert "Finance Team" in {p["element"] for p in problems if p["severity"] == "error"}
    assert send(owner, "/processes/validate?name=finance.bpmn" + lanes(MAPPED), FINANCE).json["valid"]
    refused = send(owner, "/processes/deploy?name=finance.bpmn", FINANCE)
    assert refused.status_code == 422 and db.session.query(ProcessVersion).count() == 0
    response = send(owner, "/processes/deploy?name=finance.bpmn" + lanes(MAPPED), FINANCE)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["versions"] == [{"key": "web_finance", "version": 1, "created": True}]
    assert db.session.query(ProcessVersion).one().lane_roles == MAPPED


def test_bad_lane_roles_from_the_modeler_are_a_422_and_nothing_is_stored(sign_in, finance):
    response = send(sign_in("owner"), "/processes/deploy?name=finance.bpmn&lane_roles=%7B", FINANCE)
    assert response.status_code == 422
    assert db.session.query(ProcessVersion).count() == 0


def test_opening_a_deployed_process_preselects_its_mapping(sign_in, deployed):
    html = sign_in("owner").get("/processes/web_finance/edit").get_data(as_text=True)
    config = json.loads(re.search(r'id="modeler-config">(.*?)</script>', html, re.S).group(1))
    assert config["laneRoles"] == MAPPED and config["roleTitles"]["finance"] == "Tài chính"
    assert "modeler_lanes.js" in html
    body = preview(sign_in("owner"), config["laneRoles"])
    assert (body["valid"], body["deployable"]) == (True, False)   # the same diagram, mapped alike


def test_the_preview_of_a_new_mapping_names_the_lane_whose_role_changes(sign_in, deployed):
    roles.create("accounting", "Kế toán", actor="admin")
    db.session.commit()
    body = preview(sign_in("owner"), {"Finance Team": "accounting"})
    assert body["deployable"] is True
    assert 'data-diff-lane="Finance Team"' in body["html"] and "Kế toán" in body["html"]


def test_the_task_of_the_lane_is_in_the_finance_persons_queue_named_after_the_role(sign_in, deployed):
    person = sign_in("admin")
    sales2 = db.session.query(User).filter_by(username="sales2").one()
    assert post(person, f"/admin/users/{sales2.id}/roles", {"roles": ["sales", "finance"]}).status_code == 303
    approve = open_tasks(deployed)["approve"]
    client = sign_in("sales2")
    queue = client.get("/inbox?tab=queue").get_data(as_text=True)
    assert approve.id in queue and "Tài chính" in queue
    assert approve.id not in sign_in("sales1").get("/inbox?tab=queue").get_data(as_text=True)
    page = client.get(f"/tasks/{approve.id}").get_data(as_text=True)
    assert "Tài chính" in page


def test_the_case_diagram_and_the_versions_show_the_lane_by_its_roles_name(sign_in, deployed):
    state = sign_in("auditor").get(f"/cases/{deployed}/diagram.json").get_json()
    assert 'name="Tài chính"' in state["xml"] and 'name="Finance Team"' not in state["xml"]
    html = sign_in("auditor").get("/processes/web_finance").get_data(as_text=True)
    assert re.search(r"data-lane-roles>\s*<div>Finance Team → Tài chính</div>", html)
