"""The form editor deploys a form with its processes (issue 14): the forms of the deployed
processes, an upload, the review of the deploy and the deploy itself, each chosen process
a new version with the form as edited, while running cases keep the form they started on."""
import io
import json
import re

import pytest

import engine
import forms
from accounts import service
from engine.db import db
from engine.models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance, ProcessVersion
from tests import spiff_arena
from tests.spiff_arena import KEY, SUBMIT
from tests.web.conftest import post

FORM = "submit-expense-schema"


@pytest.fixture
def model(users):
    """The spiff-arena model folder deployed as version 1, with one case at its submit task."""
    version = spiff_arena.deploy(roles=service.role_names())
    case = engine.start(KEY, actor="manager")
    return version, case


def edited(**properties):
    """The submit form with a field ``project`` (or ``properties``) added."""
    schema = spiff_arena.submit_schema()
    schema["properties"] = {**schema["properties"], **(properties or {"project": {
        "type": "string", "title": "Project"}})}
    return json.dumps(schema, indent=2, ensure_ascii=False)


def ui_text():
    return (spiff_arena.MODEL / "submit-expense-uischema.json").read_text(encoding="utf-8")


def fields(schema=None, ui=None, processes=(KEY,), **extra):
    return {"schema": edited() if schema is None else schema, "uischema": ui_text() if ui is None else ui,
            "ui_key": "submit-expense-uischema", "origin": "version", "origin_process": KEY,
            "process": list(processes), **extra}


def versions():
    db.session.expire_all()
    return db.session.query(ProcessVersion).join(ProcessDefinition).filter(ProcessDefinition.key == KEY) \
        .order_by(ProcessVersion.version).all()


def task_page(client, case):
    task = db.session.query(HumanTask).filter_by(instance_id=case.id, state="open").one()
    return client.get(f"/tasks/{task.id}").get_data(as_text=True)


def test_the_form_list_names_each_process_form_and_where_it_is_read_from(model, sign_in):
    html = sign_in("owner").get("/forms").get_data(as_text=True)
    row = re.search(rf'<tr data-process="{KEY}" data-form="{FORM}">.*?</tr>', html, re.S).group(0)
    assert "submit-expense-schema.json" in row and f"/forms/{FORM}/edit?process={KEY}" in row
    assert 'data-form="review-expense-schema"' in html


def test_the_editor_opens_the_form_of_the_latest_version_with_the_process_chosen(model, sign_in):
    html = sign_in("owner").get(f"/forms/{FORM}/edit?process={KEY}").get_data(as_text=True)
    assert "submit-expense-uischema.json" in html and "&#34;x-translations&#34;" in html
    assert re.search(rf'<input[^>]*name="process" value="{KEY}"[^>]*checked', html)
    assert 'data-origin="version"' in html


def test_a_process_that_does_not_name_the_form_is_not_an_editor_of_it(model, sign_in):
    assert sign_in("owner").get(f"/forms/{FORM}/edit?process=two_lanes").status_code == 404


def test_the_review_shows_the_changed_form_file_and_offers_the_deploy(model, sign_in):
    response = post(sign_in("owner"), f"/forms/{FORM}/deploy/preview", fields())
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'data-review-process="{KEY}"' in html
    assert 'data-file="submit-expense-schema.json" data-file-change="changed"' in html
    assert "submit_expense" in html and f'name="based_on-{KEY}" value="1"' in html
    assert "data-deploy" in html and "data-severity" not in html
    assert len(versions()) == 1


def test_the_review_of_an_unchanged_form_has_nothing_to_deploy(model, sign_in):
    same = (spiff_arena.MODEL / SUBMIT).read_text(encoding="utf-8")
    html = post(sign_in("owner"), f"/forms/{FORM}/deploy/preview", fields(schema=same)).get_data(as_text=True)
    assert "data-not-deployable" in html and "data-deploy>" not in html


def test_deploying_makes_a_version_with_the_form_and_running_cases_keep_theirs(model, sign_in):
    first, old_case = model
    client = sign_in("owner")
    response = post(client, f"/forms/{FORM}/deploy", fields(**{f"based_on-{KEY}": "1"}))
    assert response.status_code == 302 and response.headers["Location"] == f"/forms/{FORM}/edit?process={KEY}"
    v1, v2 = versions()
    assert (v2.version, v2.deployed_by, v2.bpmn_xml) == (2, "owner", v1.bpmn_xml)
    assert json.loads(forms.of_version(v2.id).text(FORM))["properties"]["project"]["title"] == "Project"
    assert {f.name: f.sha256 for f in v2.files if f.name != SUBMIT} == {
        f.name: f.sha256 for f in v1.files if f.name != SUBMIT}
    event = db.session.query(AuditEvent).filter_by(kind="version_deployed").order_by(
        AuditEvent.id.desc()).first()
    assert (event.actor, event.details["version"], SUBMIT in event.details["files"]) == ("owner", 2, True)
    new_case = engine.start(KEY, actor="manager")
    worker = sign_in("sales1")
    assert 'name="project"' not in task_page(worker, old_case)
    assert 'name="project"' in task_page(worker, new_case)


def test_the_version_diff_page_says_the_form_changed(model, sign_in):
    client = sign_in("owner")
    post(client, f"/forms/{FORM}/deploy", fields())
    html = client.get(f"/processes/{KEY}/diff?a=1&b=2").get_data(as_text=True)
    assert 'data-file="submit-expense-schema.json" data-file-change="changed"' in html
    assert "tl-diff-no-elements" in html


def test_a_process_deployed_again_after_the_review_is_a_conflict_keeping_the_edits(model, sign_in):
    spiff_arena.deploy(actor="admin", notes=b"{}")
    response = post(sign_in("owner"), f"/forms/{FORM}/deploy", fields(**{f"based_on-{KEY}": "1"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "data-deploy-error" in html and "admin" in html
    assert "&#34;project&#34;" in html and len(versions()) == 2


@pytest.mark.parametrize("changes, message", [
    ({"schema": '{"title": "Expense",'}, "The schema is not valid JSON"),
    ({"uischema": "[]"}, "The UI schema must be a JSON object."),
    ({"process": []}, "Choose at least one process to deploy the form with."),
    ({"process": ["nope"]}, "These processes are not deployed: nope"),
])
def test_input_the_deploy_cannot_use_is_refused_with_the_reason_and_nothing_changes(model, sign_in, changes,
                                                                                    message):
    response = post(sign_in("owner"), f"/forms/{FORM}/deploy", {**fields(), **changes})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert len(versions()) == 1


def test_a_form_the_deploy_check_refuses_is_not_deployed_and_the_problem_names_the_file(model, sign_in):
    bad = edited(amount={"type": "int", "title": "Amount"})
    response = post(sign_in("owner"), f"/forms/{FORM}/deploy", fields(schema=bad))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "data-deploy-error" in html
    assert "form &#39;submit-expense-schema.json&#39; is not a valid JSON Schema" in html
    assert len(versions()) == 1
    review = post(sign_in("owner"), f"/forms/{FORM}/deploy/preview", fields(schema=bad))
    review = review.get_data(as_text=True)
    assert 'data-severity="error"' in review and "data-deploy>" not in review


def test_a_shipped_form_deployed_with_a_process_becomes_that_version_s_own(lead, sign_in):
    key = "lead-call-outcome"
    schema = forms.load(key)
    schema["properties"]["edited_note"] = {"type": "string", "title": "Edited note"}
    text = json.dumps(schema)
    client = sign_in("owner")
    html = client.get(f"/forms/{key}/edit").get_data(as_text=True)
    assert 'data-origin="shipped"' in html
    assert re.search(r'name="process" value="lead_handling"[^>]*checked', html)
    response = post(client, f"/forms/{key}/deploy", {
        "schema": text, "uischema": forms.path(f"{key}-uischema").read_text(encoding="utf-8"),
        "ui_key": f"{key}-uischema", "origin": "shipped", "process": ["lead_handling"]})
    assert response.status_code == 302
    latest = db.session.query(ProcessVersion).join(ProcessDefinition).filter(
        ProcessDefinition.key == "lead_handling").order_by(ProcessVersion.version.desc()).first()
    source = forms.of_version(latest.id)
    assert {f.name for f in latest.files} == {f"{key}.json", f"{key}-uischema.json"}
    assert "edited_note" in source.load(key)["properties"]
    assert "edited_note" not in forms.load(key)["properties"]
    old_case = db.session.get(ProcessInstance, lead.instance_id)
    new_case = engine.start("lead_handling", actor="manager", data={
        "name": "Lê Văn Nam", "phone": "+84912345679", "source": "website", "owner": "sales1"})
    assert 'name="edited_note"' not in task_page(sign_in("sales1"), old_case)
    assert 'name="edited_note"' in task_page(sign_in("sales1"), new_case)


def test_an_uploaded_form_opens_in_the_editor_with_the_process_that_names_it(model, sign_in):
    client = sign_in("owner")
    response = post(client, "/forms/upload", {
        "schema": (io.BytesIO(edited().encode()), "submit-expense-schema.json"),
        "uischema": (io.BytesIO(b'{"ui:order": ["project", "*"]}'), "submit-expense-uischema.json")},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-origin="upload"' in html
    assert "&#34;project&#34;" in html and "ui:order" in html
    assert re.search(rf'name="process" value="{KEY}"[^>]*checked', html)
    assert len(versions()) == 1


@pytest.mark.parametrize("upload, message", [
    ({}, "Choose the form&#39;s JSON Schema file."),
    ({"schema": (io.BytesIO(b"{}"), "form.txt")}, "must be a .json file"),
    ({"schema": (io.BytesIO(b"[1]"), "form.json")}, "The schema must be a JSON object."),
    ({"schema": (io.BytesIO(b"\xff\xfe"), "form.json")}, "is not UTF-8 text"),
])
def test_an_upload_that_is_no_form_is_refused_on_the_list_with_the_reason(model, sign_in, upload, message):
    response = post(sign_in("owner"), "/forms/upload", upload, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "data-upload-error" in html and message in html


@pytest.mark.parametrize("path", [f"/forms/{FORM}/deploy", f"/forms/{FORM}/deploy/preview", "/forms/upload"])
def test_only_process_owners_and_admins_deploy_forms(model, sign_in, path):
    assert post(sign_in("sales1"), path, fields()).status_code == 403
    assert len(versions()) == 1
