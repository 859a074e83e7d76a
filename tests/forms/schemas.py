"""Form definitions written by the tests: every field kind, and one in the shape
react-jsonschema-form / spiff-arena write."""

KINDS = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Every kind of field",
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "title": "Name", "minLength": 2, "maxLength": 20},
        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "age": {"type": "integer", "minimum": 18, "maximum": 99},
        "ratio": {"type": "number", "exclusiveMaximum": 1},
        "price_vnd": {"type": "number", "x-currency": "VND", "minimum": 0},
        "price_rub": {"type": "number", "minimum": 0},
        "birthday": {"type": "string", "format": "date"},
        "meeting_at": {"type": "string", "format": "date-time"},
        "color": {"type": "string", "enum": ["red", "green"], "enumNames": ["Red", "Green"]},
        "level": {"type": "integer", "oneOf": [{"const": 1, "title": "Low"}, {"const": 2, "title": "High"}]},
        "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]},
                 "uniqueItems": True, "maxItems": 2},
        "agree": {"type": "boolean", "title": "I agree"},
        "phone": {"type": "string", "format": "phone"},
        "mobile": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "secret": {"type": "string"},
        "notes": {"type": "string", "maxLength": 10},
        "contract": {"type": "string", "format": "data-url"},
        "photo": {"type": "string", "format": "data-url"},
    },
}

KINDS_UI = {
    "ui:order": ["name", "*", "notes"],
    "price_rub": {"ui:options": {"currency": "RUB"}},
    "mobile": {"ui:widget": "tel"},
    "secret": {"ui:widget": "password"},
    "notes": {"ui:widget": "textarea", "ui:options": {"rows": 5}, "ui:placeholder": "Anything else?"},
    "tags": {"ui:widget": "checkboxes"},
    "photo": {"ui:options": {"accept": ".png", "maxBytes": 1000}},
    "level": {"ui:widget": "radio"},
}

# The shape RJSF's playground and spiff-arena produce: definitions and $ref, enumNames,
# a nested object, checkboxes, anyOf consts, dependencies, arrays of objects.
RJSF = {
    "title": "A registration form",
    "description": "A simple form example.",
    "type": "object",
    "required": ["firstName", "address"],
    "definitions": {
        "address": {
            "type": "object",
            "required": ["city"],
            "properties": {
                "street": {"type": "string", "title": "Street"},
                "city": {"type": "string", "title": "City"},
            },
        },
        "gender": {"type": "string", "title": "Gender", "enum": ["m", "f", "x"],
                   "enumNames": ["Male", "Female", "Other"]},
    },
    "properties": {
        "firstName": {"type": "string", "title": "First name", "default": "Chuck"},
        "gender": {"$ref": "#/definitions/gender"},
        "address": {"$ref": "#/definitions/address", "title": "Address"},
        "hobbies": {
            "type": "array", "title": "Hobbies", "uniqueItems": True,
            "items": {"type": "string", "anyOf": [{"const": "run", "title": "Running"},
                                                  {"const": "read", "title": "Reading"}]},
        },
        "credit_card": {"type": "number", "title": "Credit card"},
        "children": {
            "type": "array", "title": "Children",
            "items": {"type": "object", "required": ["name"],
                      "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}},
        },
    },
    "dependencies": {
        "credit_card": {"properties": {"billing_address": {"type": "string", "title": "Billing address"}},
                        "required": ["billing_address"]},
    },
}

RJSF_UI = {
    "ui:order": ["firstName", "*"],
    "firstName": {"ui:autofocus": True, "ui:help": "As in your passport"},
    "hobbies": {"ui:widget": "checkboxes"},
    "gender": {"ui:widget": "radio"},
}
