"""``GET /tasks/<id>``: the task's form (JSON Schema and UI schema) and the values it shows."""
import json

import engine
import forms
from accounts import service
from tests import spiff_arena
from tests.api.conftest import LEAD, error_of, open_tasks


def test_a_task_with_a_form_gives_its_schema_ui_schema_and_only_its_fields_values(api, lead):
    body = api("sales1").get(f"/tasks/{lead.id}").get_json()
    assert body["form"]["schema"] == forms.load(lead.form_key)
    assert body["form"]["ui_schema"] == forms.load_ui(lead.ui_form_key) != {}
    fields = set(body["form"]["schema"]["properties"])
    seen = engine.task_data(lead.id)
    assert body["data"] == {name: value for name, value in seen.items() if name in fields}
    # the lead's name and phone are the case's data, not this form's fields
    assert seen["name"] == LEAD["name"] and "name" not in body["data"] and "phone" not in body["data"]


def test_a_task_without_a_form_has_null_form_and_data(api, two_lanes):
    call = two_lanes()
    body = api("sales1").get(f"/tasks/{call.id}").get_json()
    assert body["form"] is None and body["data"] is None and body["id"] == call.id


def test_the_task_form_follows_the_task_visibility(api, two_lanes):
    call = two_lanes()
    assert api("auditor").get(f"/tasks/{call.id}").get_json()["form"] is None
    error_of(api("partner1").get(f"/tasks/{call.id}"), 403)
    error_of(api("customer1").get(f"/tasks/{call.id}"), 403)


def test_a_task_gives_the_form_its_case_version_was_deployed_with(api, users):
    """A spiff-arena model folder's form; a case on version 1 keeps it after version 2 changed it."""
    first = spiff_arena.deploy(roles=service.role_names())
    old_case = engine.start(spiff_arena.KEY, actor="manager")
    changed = spiff_arena.submit_schema(title="Expense claim", required=[
        "description", "amount", "category", "spent_on", "project"])
    changed["properties"] = {**changed["properties"], "project": {"type": "string", "title": "Project"}}
    spiff_arena.deploy(roles=service.role_names(), submit_expense_schema=changed)
    new_case = engine.start(spiff_arena.KEY, actor="manager")
    old_task, new_task = (open_tasks(case.id)["submit_expense"] for case in (old_case, new_case))
    old_form = api("sales1").get(f"/tasks/{old_task.id}").get_json()["form"]
    assert old_form["schema"] == spiff_arena.submit_schema() == forms.of_version(first.id).load(
        "submit-expense-schema")
    ui = json.loads((spiff_arena.MODEL / "submit-expense-uischema.json").read_text(encoding="utf-8"))
    assert old_form["ui_schema"] == ui
    assert api("sales1").get(f"/tasks/{new_task.id}").get_json()["form"]["schema"]["title"] == "Expense claim"
    # and each is completed by its own form: version 2 asks for a project, version 1 does not know one
    body = {"data": spiff_arena.EXPENSE}
    assert api("sales1").post(f"/tasks/{old_task.id}/complete", json=body).status_code == 200
    refused = error_of(api("sales1").post(f"/tasks/{new_task.id}/complete", json=body), 422)
    assert set(refused["fields"]) == {"project"}
