"""forms.Source: a version's own form files first, then the shipped definitions; every
reader (describe, validate, reading) goes through it."""
import json

import pytest

import forms
from engine.errors import NotFoundError, ValidationError
from forms import reading

SCHEMA = {"type": "object", "title": "Expense", "required": ["amount"],
          "properties": {"amount": {"type": "integer", "title": "Amount", "minimum": 1},
                         "kind": {"type": "string", "title": "Kind",
                                  "oneOf": [{"const": "taxi", "title": "Taxi"},
                                            {"const": "meal", "title": "Meal"}]}}}
UI = {"ui:order": ["kind", "amount"]}


def source(**files):
    return forms.Source({name.replace("_", "-") + ".json": json.dumps(value)
                         for name, value in files.items()})


@pytest.mark.parametrize("named", ["expense-schema", "expense-schema.json"])
def test_a_form_is_found_among_the_version_files_named_with_or_without_json(named):
    versioned = source(expense_schema=SCHEMA)
    assert versioned.origin(named) == "version" and versioned.exists(named)
    assert versioned.deployed_name(named) == "expense-schema.json"
    assert versioned.load(named) == SCHEMA


def test_the_version_file_wins_over_the_shipped_form_of_the_same_name():
    mine = {**SCHEMA, "title": "Mine"}
    versioned = source(lead_call_outcome=mine)
    assert versioned.load("lead-call-outcome")["title"] == "Mine"
    assert forms.load("lead-call-outcome")["title"] != "Mine"
    assert forms.SHIPPED.origin("lead-call-outcome") == "shipped"


def test_a_form_the_version_lacks_is_read_from_the_shipped_definitions():
    versioned = source(expense_schema=SCHEMA)
    assert versioned.origin("lead-call-outcome") == "shipped"
    assert versioned.load("lead-call-outcome") == forms.load("lead-call-outcome")
    assert versioned.text("lead-call-outcome") == forms.path("lead-call-outcome").read_text(encoding="utf-8")
    assert versioned.origin("nowhere") is None and not versioned.exists("nowhere")
    with pytest.raises(NotFoundError):
        versioned.load("nowhere")


@pytest.mark.parametrize("key", ["../expense-schema", "a/expense-schema", ".expense-schema", "", None])
def test_names_that_are_paths_are_never_looked_up(key):
    assert not source(expense_schema=SCHEMA).exists(key)


def test_a_version_file_that_is_not_a_json_object_is_not_found_rather_than_crashing():
    versioned = forms.Source({"broken.json": "{not json", "list.json": "[1, 2]"})
    for key in ("broken", "list"):
        with pytest.raises(NotFoundError, match=f"'{key}.json' is not a JSON object"):
            versioned.load(key)


def test_load_gives_a_fresh_copy_each_time():
    versioned = source(expense_schema=SCHEMA)
    versioned.load("expense-schema")["title"] = "changed"
    assert versioned.load("expense-schema")["title"] == "Expense"


def test_describe_and_validate_read_the_form_and_ui_schema_from_the_source(babel):
    versioned = source(expense_schema=SCHEMA, expense_uischema=UI)
    view = forms.describe("expense-schema", "expense-uischema", source=versioned)
    assert view.title == "Expense" and [f.name for f in view.fields] == ["kind", "amount"]
    data = forms.validate("expense-schema", "expense-uischema", json={"amount": 3, "kind": "taxi"},
                          source=versioned)
    assert data == {"amount": 3, "kind": "taxi"}
    with pytest.raises(ValidationError) as refused:
        forms.validate("expense-schema", None, json={"amount": 0}, source=versioned)
    assert set(refused.value.fields) == {"amount"}


def test_without_a_source_the_shipped_form_is_read(babel):
    with pytest.raises(NotFoundError):
        forms.describe("expense-schema")


def test_the_case_data_labels_come_from_the_version_form(babel):
    labels = reading.form_labels([("expense-schema", None)], source=source(expense_schema=SCHEMA))
    assert labels["kind"].title == "Kind" and labels["kind"].options == {"taxi": "Taxi", "meal": "Meal"}
    assert reading.form_labels([("expense-schema", None)]) == {}
