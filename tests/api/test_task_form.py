"""``GET /tasks/<id>``: the task's form (JSON Schema and UI schema) and the values it shows."""
import engine
import forms
from tests.api.conftest import LEAD, error_of


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
