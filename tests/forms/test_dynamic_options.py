"""Choices from the task data: spiff-arena's ``"anyOf": ["options_from_task_data_var:NAME"]``."""
import copy

import jsonschema
import pytest
from werkzeug.datastructures import MultiDict

import forms
from engine.errors import ValidationError
from forms import definitions
from tests.forms.dynamic import DATA, SCHEMA, use_form

pytestmark = pytest.mark.usefixtures("babel")
NO_CHOICES = "This field has no choices to pick from; tell the process owner."


@pytest.fixture
def key(tmp_path, monkeypatch):
    return use_form(tmp_path, monkeypatch)


def fields(view):
    return {f.name: f for f in view.fields}


def refused(**kwargs):
    with pytest.raises(ValidationError) as caught:
        forms.validate(**kwargs)
    assert caught.value.status == 422
    return caught.value.fields


def test_value_and_label_objects_become_the_options_of_a_select(key):
    product = fields(forms.describe(key, task_data=DATA))["cross_sell_product_id"]
    assert product.widget == "select"
    assert product.options == [("card-gold", "Gold card"), ("loan-home", "Home loan")]


def test_plain_strings_and_numbers_are_their_own_labels(key):
    view = fields(forms.describe(key, task_data=DATA))
    assert view["term_months"].widget == "select"
    assert view["term_months"].options == [("6", "6"), ("12", "12")]
    assert view["channels"].widget == "multiselect"
    assert view["channels"].options == [("phone", "phone"), ("zalo", "zalo")]


def test_a_label_that_is_not_text_is_shown_as_text_and_a_missing_label_shows_the_value(key):
    data = {**DATA, "product_options": [{"value": "card-gold", "label": 7}, {"value": "loan-home"}]}
    product = fields(forms.describe(key, task_data=data))["cross_sell_product_id"]
    assert product.options == [("card-gold", "7"), ("loan-home", "loan-home")]


def test_a_chosen_option_is_stored_with_its_json_type(key):
    sent = MultiDict([("cross_sell_product_id", "loan-home"), ("term_months", "12"),
                      ("channels", "zalo"), ("channels", "phone")])
    data = forms.validate(key, formdata=sent, task_data=DATA)
    assert data == {"cross_sell_product_id": "loan-home", "term_months": 12, "channels": ["zalo", "phone"]}
    body = {"cross_sell_product_id": "card-gold", "term_months": 6}
    assert forms.validate(key, json=body, task_data=DATA) == body


def test_a_value_not_among_the_options_is_refused(key):
    sent = {"cross_sell_product_id": "car-loan", "term_months": "24", "channels": "fax"}
    assert refused(form_key=key, formdata=sent, task_data=DATA) == {
        "cross_sell_product_id": "Choose one of the listed options.",
        "term_months": "Choose one of the listed options.",
        "channels": "Choose one of the listed options.",
    }
    assert refused(form_key=key, json={"cross_sell_product_id": "car-loan"}, task_data=DATA) == {
        "cross_sell_product_id": "Choose one of the listed options."}
    assert refused(form_key=key, json={"cross_sell_product_id": "card-gold", "term_months": "6"},
                   task_data=DATA) == {"term_months": "Choose one of the listed options."}


@pytest.mark.parametrize("task_data", [
    None, {}, {"product_options": None}, {"product_options": "card-gold"},
    {"product_options": {"value": "card-gold"}}, {"product_options": [{"label": "Gold card"}]},
    {"product_options": [{"value": "card-gold", "label": "Gold"}, True]},
    {"product_options": [{"value": None, "label": "Nothing"}]}, {"product_options": []},
], ids=["no data", "missing", "null", "text", "object", "no value", "boolean item", "null value", "empty"])
def test_a_missing_or_malformed_variable_leaves_no_choices_and_refuses_any_value(key, task_data):
    product = fields(forms.describe(key, task_data=task_data))["cross_sell_product_id"]
    assert product.widget == "select" and product.options == []
    assert refused(form_key=key, formdata={"cross_sell_product_id": "card-gold"},
                   task_data=task_data) == {"cross_sell_product_id": NO_CHOICES}
    assert refused(form_key=key, json={"cross_sell_product_id": "card-gold"},
                   task_data=task_data) == {"cross_sell_product_id": NO_CHOICES}
    assert refused(form_key=key, formdata={}, task_data=task_data) == {
        "cross_sell_product_id": "This field is required."}


def test_resolving_the_choices_does_not_change_the_loaded_schema(key, monkeypatch):
    cached = definitions.load(key)
    monkeypatch.setattr(definitions, "load", lambda form_key: cached)  # as a cache would hand it out
    forms.describe(key, task_data=DATA)
    forms.validate(key, json={"cross_sell_product_id": "card-gold"}, task_data=DATA)
    assert cached == SCHEMA
    marker = cached["properties"]["cross_sell_product_id"]["anyOf"]
    assert marker == ["options_from_task_data_var:product_options"]


def test_choices_are_also_resolved_inside_definitions_reached_by_ref():
    schema = {"type": "object", "definitions": {"product": {"type": "string", "anyOf": [
        "options_from_task_data_var:product_options"]}},
        "properties": {"product": {"$ref": "#/definitions/product", "title": "Product"}}}
    original = copy.deepcopy(schema)
    [product] = forms.describe_schema(schema, task_data=DATA).fields
    assert product.widget == "select" and dict(product.options)["loan-home"] == "Home loan"
    assert schema == original


def test_the_preview_accepts_the_marker_and_names_the_variable(babel):
    view = fields(forms.describe_schema(SCHEMA, {"cross_sell_product_id": {"ui:help": "What fits best."}}))
    product = view["cross_sell_product_id"]
    assert product.widget == "select" and product.options == []
    assert product.help == ("What fits best. "
                            "The choices of this field come from the task data variable product_options.")
    assert view["channels"].help.endswith("task data variable channels.")
    assert fields(forms.describe_schema(SCHEMA, task_data=DATA))["term_months"].options == [
        ("6", "6"), ("12", "12")]


def test_an_unresolved_marker_is_not_a_valid_json_schema_so_resolving_is_what_lets_it_through():
    with pytest.raises(jsonschema.SchemaError):
        jsonschema.Draft7Validator.check_schema(SCHEMA)
    with pytest.raises(jsonschema.SchemaError):
        forms.describe_schema({"type": "object", "properties": {
            "product": {"type": "string", "anyOf": ["options_from_task_data_var:"]}}})

