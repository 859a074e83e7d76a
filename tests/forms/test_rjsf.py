"""Forms written by other tools (react-jsonschema-form, spiff-arena) load, render and validate."""
import copy

import jsonschema
import pytest
from werkzeug.datastructures import MultiDict

import forms
from engine.errors import ValidationError
from tests.forms.schemas import RJSF, RJSF_UI

pytestmark = pytest.mark.usefixtures("babel")


@pytest.fixture
def rjsf(form_files):
    form_files("registration-uischema", RJSF_UI)
    return form_files("registration", RJSF), "registration-uischema"


def errors_of(form, **kwargs):
    with pytest.raises(ValidationError) as caught:
        forms.validate(*form, **kwargs)
    return caught.value.fields


def test_an_rjsf_schema_describes_refs_enum_names_nested_objects_and_checkboxes(rjsf):
    view = forms.describe(*rjsf)
    fields = {f.name: f for f in view.fields}
    assert (view.title, view.description) == ("A registration form", "A simple form example.")
    assert list(fields) == ["firstName", "gender", "address", "hobbies", "credit_card", "children",
                            "billing_address"]
    assert fields["firstName"].value == "Chuck" and fields["firstName"].help == "As in your passport"
    assert fields["gender"].widget == "radio"
    assert fields["gender"].options == [("m", "Male"), ("f", "Female"), ("x", "Other")]
    address = fields["address"]
    assert (address.widget, address.label, address.required) == ("fieldset", "Address", True)
    assert [(c.name, c.label, c.required) for c in address.children] == [
        ("address.street", "Street", False), ("address.city", "City", True)]
    assert fields["hobbies"].widget == "checkboxes"
    assert fields["hobbies"].options == [("run", "Running"), ("read", "Reading")]
    assert fields["children"].widget == "json" and fields["billing_address"].required is False


def test_an_rjsf_form_submission_becomes_nested_typed_data(rjsf):
    data = forms.validate(*rjsf, formdata=MultiDict([
        ("firstName", "Lan"), ("gender", "f"), ("address.city", "Hà Nội"), ("address.street", ""),
        ("hobbies", "read"), ("hobbies", "run"), ("children", '[{"name": "Minh", "age": 5}]')]))
    assert data == {"firstName": "Lan", "gender": "f", "address": {"city": "Hà Nội"},
                    "hobbies": ["read", "run"], "children": [{"name": "Minh", "age": 5}]}
    jsonschema.Draft7Validator(RJSF).validate(data)


def test_nested_errors_use_dotted_names(rjsf):
    assert errors_of(rjsf, formdata={"firstName": "Lan", "address.street": "Phố Huế"}) == {
        "address.city": "This field is required."}
    assert errors_of(rjsf, json={"firstName": "Lan", "address": "Hà Nội"}) == {
        "address": "Enter a valid value."}
    assert errors_of(rjsf, json={"firstName": "Lan"}) == {"address": "This field is required."}


def test_dependencies_require_the_dependent_field(rjsf):
    assert errors_of(rjsf, formdata={"firstName": "Lan", "address.city": "Huế", "credit_card": "4111"}) == {
        "billing_address": "This field is required."}


def test_arrays_of_objects_are_json_text_checked_against_the_item_schema(rjsf):
    base = {"firstName": "Lan", "address.city": "Huế"}
    assert errors_of(rjsf, formdata={**base, "children": "[{"}) == {"children": "Enter valid JSON."}
    assert errors_of(rjsf, formdata={**base, "children": '[{"age": 5}]'}) == {
        "children": "This field is required."}
    assert errors_of(rjsf, formdata={**base, "children": '[{"name": "Minh", "age": "five"}]'}) == {
        "children": "Enter a valid value."}


def test_open_objects_keep_unknown_json_keys_but_a_form_post_cannot_add_any(rjsf):
    body = {"firstName": "Lan", "address": {"city": "Huế", "ward": "Phú Hội"}, "source": "web"}
    assert forms.validate(*rjsf, json=body) == body
    assert forms.validate(*rjsf, formdata={"firstName": "Lan", "address.city": "Huế", "source": "web"}) == {
        "firstName": "Lan", "address": {"city": "Huế"}}


def test_a_2020_12_schema_with_defs_and_dependent_required_uses_its_own_validator(form_files):
    schema = copy.deepcopy(RJSF)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$defs"] = schema.pop("definitions")
    schema["properties"]["gender"] = {"$ref": "#/$defs/gender"}
    schema["properties"]["address"] = {"$ref": "#/$defs/address"}
    schema["properties"]["billing_address"] = {"type": "string"}
    del schema["dependencies"]
    schema["dependentRequired"] = {"credit_card": ["billing_address"]}
    jsonschema.Draft202012Validator.check_schema(schema)
    form = (form_files("registration-2020", schema), None)
    assert errors_of(form, json={"firstName": "Lan", "gender": "z", "address": {}, "credit_card": 1}) == {
        "gender": "Choose one of the listed options.", "address.city": "This field is required.",
        "billing_address": "This field is required."}
