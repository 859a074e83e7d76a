"""A form whose choices come from the task data (spiff-arena's ``options_from_task_data_var:``),
shared by the forms, page and API tests, with the diagram that uses it (tests/bpmn/dynamic_options.bpmn)."""
import json

from forms import definitions

FORM_KEY = "test-dynamic-options"
SCHEMA = {
    "title": "Offer a product",
    "type": "object",
    "required": ["cross_sell_product_id"],
    "properties": {
        "cross_sell_product_id": {"type": "string", "title": "Product",
                                  "anyOf": ["options_from_task_data_var:product_options"]},
        "term_months": {"type": "integer", "title": "Term", "oneOf": ["options_from_task_data_var:terms"]},
        "channels": {"type": "array", "title": "Channels", "uniqueItems": True,
                     "items": {"type": "string", "anyOf": ["options_from_task_data_var:channels"]}},
    },
}
DATA = {
    "product_options": [{"value": "card-gold", "label": "Gold card"},
                        {"value": "loan-home", "label": "Home loan"}],
    "terms": [6, 12],
    "channels": ["phone", "zalo"],
}


def use_form(folder, monkeypatch):
    """Make :data:`SCHEMA` the only form definition, as ``<folder>/test-dynamic-options.json``."""
    monkeypatch.setattr(definitions, "FORMS_DIR", folder)
    (folder / f"{FORM_KEY}.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    return FORM_KEY
