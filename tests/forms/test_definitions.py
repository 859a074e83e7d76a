"""Form files: keys, UI schemas, references."""
import pytest

import forms
from engine.errors import NotFoundError
from forms import definitions


def test_keys_lists_every_form_but_not_the_ui_schemas():
    keys = forms.keys()
    assert {"contact-call", "lead-call-outcome"} <= set(keys) and keys == sorted(keys)
    assert not any(key.endswith("-uischema") for key in keys) and all(forms.exists(key) for key in keys)


def test_load_ui_is_an_empty_dict_when_the_task_names_no_ui_schema():
    assert forms.load_ui(None) == {} and forms.load_ui("") == {}
    ui = forms.load_ui("lead-call-outcome-uischema")
    assert ui["outcome"] == {"ui:widget": "radio", "ui:autofocus": True}


@pytest.mark.parametrize("key", ["../setup", "definitions/lead-call-outcome", ".hidden", "", None, "missing"])
def test_names_that_are_paths_or_missing_are_not_forms(key):
    assert not forms.exists(key)
    with pytest.raises(NotFoundError):
        forms.load(key)


def test_a_missing_ui_schema_is_not_found():
    with pytest.raises(NotFoundError):
        forms.load_ui("no-such-uischema")


def test_local_references_resolve_and_words_beside_them_win():
    root = {"definitions": {"a": {"type": "string", "title": "A"}},
            "$defs": {"b/c": {"$ref": "#/definitions/a"}}}
    resolved = definitions.resolve(root, {"$ref": "#/$defs/b~1c", "title": "Mine"})
    assert resolved == {"type": "string", "title": "Mine"}
    with pytest.raises(NotFoundError):
        definitions.resolve(root, {"$ref": "#/definitions/none"})
    with pytest.raises(NotFoundError):
        definitions.resolve(root, {"$ref": "https://example.com/schema.json"})
    loop = {"definitions": {"a": {"$ref": "#/definitions/a"}}}
    with pytest.raises(NotFoundError):
        definitions.resolve(loop, {"$ref": "#/definitions/a"})
