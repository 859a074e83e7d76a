"""The form editor: the list, the editor page and the live preview in each language."""
import json
import re

import pytest
from flask import g

import forms

SCHEMA = {
    "type": "object", "title": "Call outcome", "required": ["outcome"],
    "properties": {"outcome": {"type": "string", "title": "Outcome", "enum": ["reached", "not_reached"]},
                   "notes": {"type": "string", "title": "Notes"}},
    "x-translations": {
        "vi": {"title": "Kết quả cuộc gọi", "properties": {"outcome": {"title": "Kết quả"},
                                                          "notes": {"title": "Ghi chú"}}},
        "ru": {"title": "Итог звонка", "description": "Что было в звонке",
               "properties": {"outcome": {"title": "Итог"}, "notes": {"title": "Заметки"}}},
    },
}


def preview(client, lang, schema, uischema="{}"):
    g.pop("csrf_token", None)
    html = client.get("/profile").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    response = client.post(f"/forms/preview?lang={lang}", data={"schema": schema, "uischema": uischema},
                           headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_form_list_names_every_form(sign_in):
    html = sign_in("owner").get("/forms").get_data(as_text=True)
    for key in forms.keys():
        assert f"{key}.json" in html


def test_the_editor_holds_the_form_and_its_ui_schema(sign_in):
    html = sign_in("owner").get("/forms/lead-call-outcome/edit").get_data(as_text=True)
    assert "lead-call-outcome-uischema.json" in html
    assert html.count('hx-post="/forms/preview?lang=') == 3


def test_an_unknown_form_is_not_found(sign_in):
    client = sign_in("owner")
    assert client.get("/forms/nope/edit").status_code == 404
    assert client.get("/forms/lead-call-outcome-uischema/edit").status_code == 404


@pytest.mark.parametrize(("lang", "title", "label"), [
    ("vi", "Kết quả cuộc gọi", "Ghi chú"), ("en", "Call outcome", "Notes"), ("ru", "Итог звонка", "Заметки")])
def test_the_preview_renders_the_edited_form_in_each_language(sign_in, lang, title, label):
    html = preview(sign_in("owner"), lang, json.dumps(SCHEMA))
    assert title in html and label in html
    assert 'name="outcome"' in html and "<fieldset disabled>" in html
    assert ("Что было в звонке" in html) == (lang == "ru")


def test_the_preview_follows_the_ui_schema(sign_in):
    ui = json.dumps({"notes": {"ui:widget": "textarea"}})
    html = preview(sign_in("owner"), "en", json.dumps(SCHEMA), ui)
    assert re.search(r'<textarea[^>]*name="notes"', html)


def test_the_preview_of_the_shipped_form_matches_its_file(sign_in):
    html = preview(sign_in("owner"), "vi", forms.path("lead-call-outcome").read_text(encoding="utf-8"),
                   forms.path("lead-call-outcome-uischema").read_text(encoding="utf-8"))
    assert 'name="outcome"' in html and "data-preview-error" not in html


def test_invalid_json_is_shown_with_its_line(sign_in):
    html = preview(sign_in("owner"), "en", '{"type": "object",\n "properties": }')
    assert "data-preview-error" in html and "not valid JSON" in html and "line 2" in html


def test_an_invalid_json_schema_is_explained(sign_in):
    html = preview(sign_in("owner"), "en", json.dumps({"type": "object", "properties": {"a": {"type": 5}}}))
    assert "data-preview-error" in html and "not a valid JSON Schema" in html


def test_a_json_array_is_not_a_form(sign_in):
    html = preview(sign_in("owner"), "en", "[1, 2]")
    assert "must be a JSON object" in html


@pytest.mark.parametrize("username", ["sales1", "auditor", "manager"])
def test_only_process_owners_and_admins_edit_forms(sign_in, username):
    client = sign_in(username)
    assert client.get("/forms").status_code == 403
    assert client.get("/forms/lead-call-outcome/edit").status_code == 403
