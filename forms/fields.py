"""The fields of a form: one tree built from the JSON Schema and its UI schema.

``describe`` renders this tree and ``validate`` coerces input along it, so both agree
on what a field is. Each field has a *value type* (what the data holds, which decides
coercion) and a *widget* (how the browser shows it).
"""
import json
from dataclasses import dataclass, field

from . import definitions, dynamic_options

MAX_DEPTH = 6
DEFAULT_WIDGET = {
    "text": "text", "email": "email", "phone": "phone", "integer": "number", "number": "number",
    "money": "money", "boolean": "checkbox", "date": "date", "datetime": "datetime",
    "choice": "select", "multichoice": "multiselect", "file": "file", "files": "file",
    "object": "fieldset", "json": "json",
}
# ui:widget -> widget, per value type; anything else keeps the default widget.
UI_WIDGETS = {
    "text": {"textarea": "textarea", "password": "password"},
    "choice": {"radio": "radio", "select": "select"},
    "boolean": {"radio": "radio", "select": "select", "checkbox": "checkbox"},
    "multichoice": {"checkboxes": "checkboxes", "select": "multiselect"},
}
# (JSON Schema formats, ui:widgets, value type) of strings that are more than text
STRING_TYPES = [
    (("date",), ("date", "alt-date"), "date"),
    (("date-time",), ("datetime", "alt-datetime"), "datetime"),
    (("phone",), ("tel",), "phone"),
    (("email", "idn-email"), ("email",), "email"),
    (("data-url",), ("file",), "file"),
]
FIELD_KEYWORDS = {"type", "$ref", "enum", "oneOf", "anyOf", "format", "title", "items", "properties"}


@dataclass
class Field:
    name: str
    path: tuple
    schema: dict
    ui: dict
    type: str
    widget: str
    required: bool
    options: list = field(default_factory=list)
    children: list = field(default_factory=list)

    @property
    def key(self):
        return self.path[-1]

    @property
    def closed(self):
        """Whether the object refuses properties it does not declare."""
        return self.schema.get("additionalProperties") is False


@dataclass
class Form:
    key: str
    schema: dict
    ui: dict
    fields: list

    @property
    def closed(self):
        return self.schema.get("additionalProperties") is False

    def walk(self, fields=None):
        for f in self.fields if fields is None else fields:
            yield f
            yield from self.walk(f.children)

    def by_name(self):
        return {f.name: f for f in self.walk()}


def build(form_key, ui_form_key=None, *, task_data=None, source=None):
    """The field tree of a form.

    :param task_data: the task's data, where dynamic choices
        (``options_from_task_data_var:NAME``) are read
    :param source: where the files are read (:class:`forms.definitions.Source`: a case's
        version, :func:`forms.versioned.of_task`); the shipped definitions when ``None``
    :raises NotFoundError: no such form or UI schema, or a ``$ref`` that points nowhere
    """
    source = source or definitions.SHIPPED
    return build_from(source.load(form_key), source.load_ui(ui_form_key), key=form_key,
                      task_data=task_data)


def build_from(schema, ui=None, *, key="form", task_data=None):
    """The field tree of a schema held in memory (the form editor's preview).

    ``Form.schema`` is ``schema`` with its dynamic choices resolved from ``task_data``
    (a copy; ``schema`` is not changed).

    :raises NotFoundError: a ``$ref`` that points nowhere
    """
    ui = ui or {}
    schema = dynamic_options.resolve(schema, task_data)
    root = definitions.resolve(schema, schema)
    return Form(key, schema, ui, _object_fields(schema, root, ui, ()))


def option_value(const):
    """How a choice travels in an HTML form: ``true``/``false``, numbers as written, text as is."""
    if isinstance(const, bool):
        return "true" if const else "false"
    if const is None:
        return ""
    if isinstance(const, str | int | float):
        return str(const)
    return json.dumps(const, sort_keys=True)


def schema_type(schema):
    """The first non-null JSON type of ``schema``, inferred when ``type`` is missing."""
    declared = schema.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), None)
    if isinstance(declared, str):
        return declared
    if isinstance(schema.get("properties"), dict):
        return "object"
    return "array" if isinstance(schema.get("items"), dict) else None


def currency(schema, ui):
    code = schema.get("x-currency") or (ui.get("ui:options") or {}).get("currency")
    return code.upper() if isinstance(code, str) and code else None


def choices(root, schema, ui):
    """``[(const, english label)]`` from ``enum`` (+ ``enumNames``) or ``oneOf``/``anyOf`` consts."""
    if isinstance(schema.get("enum"), list):
        names = ui.get("ui:enumNames") or schema.get("enumNames") or []
        names = names if isinstance(names, list) else []
        return [(v, str(names[i]) if i < len(names) else option_value(v))
                for i, v in enumerate(schema["enum"]) if v is not None]
    for keyword in ("oneOf", "anyOf"):
        items = schema.get(keyword)
        if not isinstance(items, list) or not items:
            continue
        items = [definitions.resolve(root, i) for i in items]
        if all(isinstance(i, dict) and "const" in i for i in items):
            return [(i["const"], str(i.get("title") or option_value(i["const"])))
                    for i in items if i["const"] is not None]
    return []


def ordered(keys, order):
    """``keys`` in the order of ``ui:order``, where ``*`` stands for every key not listed."""
    if not isinstance(order, list):
        return keys
    listed = [k for k in order if k == "*" or k in keys]
    rest = [k for k in keys if k not in listed]
    if "*" not in listed:
        return listed + rest
    star = listed.index("*")
    return [k for k in listed[:star] if k != "*"] + rest + [k for k in listed[star + 1:] if k != "*"]


def _object_fields(root, schema, ui, path):
    properties = dict(schema.get("properties") or {})
    properties.update({k: v for k, v in _conditional_properties(schema).items() if k not in properties})
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    fields = []
    for key in ordered(list(properties), ui.get("ui:order")):
        sub_ui = ui.get(key) if isinstance(ui.get(key), dict) else {}
        prop = definitions.resolve(root, properties[key])
        if isinstance(prop, dict):
            fields.append(_field(root, prop, sub_ui, (*path, key), key in required))
    return fields


def _field(root, schema, ui, path, required):
    options, value_type = _value_type(root, schema, ui, len(path))
    widget = DEFAULT_WIDGET[value_type]
    ui_widget = ui.get("ui:widget")
    if ui_widget == "hidden" and value_type not in ("object", "file", "files"):
        widget = "hidden"
    elif isinstance(ui_widget, str):
        widget = UI_WIDGETS.get(value_type, {}).get(ui_widget, widget)
    f = Field(".".join(path), path, schema, ui, value_type, widget, required, options)
    if value_type == "object":
        f.children = _object_fields(root, schema, ui, path)
    return f


def _value_type(root, schema, ui, depth):
    kind = schema_type(schema)
    if kind == "object":
        nested = isinstance(schema.get("properties"), dict) and depth < MAX_DEPTH
        return [], "object" if nested else "json"
    if kind == "array":
        items = definitions.resolve(root, schema.get("items"))
        items = items if isinstance(items, dict) else {}
        options = choices(root, items, ui)
        if (options or dynamic_options.source(items)) and schema_type(items) not in ("object", "array"):
            return options, "multichoice"
        return [], "files" if items.get("format") == "data-url" else "json"
    options = choices(root, schema, ui)
    if options or dynamic_options.source(schema):
        return options, "choice"
    return [], _scalar_type(kind, schema, ui)


def _scalar_type(kind, schema, ui):
    if kind == "boolean":
        return "boolean"
    if kind in ("integer", "number"):
        return "money" if currency(schema, ui) else kind
    widget, fmt = ui.get("ui:widget"), schema.get("format")
    return next((t for formats, widgets, t in STRING_TYPES if fmt in formats or widget in widgets), "text")


def _conditional_properties(schema, depth=0):
    """Properties declared only inside ``dependencies``, ``then``/``else`` or ``allOf``.

    A server-rendered form cannot show them only when their condition holds, so they
    are always shown, never statically required; jsonschema checks the condition.
    """
    found = {}
    if depth > 3 or not isinstance(schema, dict):
        return found
    branches = [schema.get("then"), schema.get("else"), *(schema.get("allOf") or [])]
    for dependency in (schema.get("dependencies") or {}).values():
        if isinstance(dependency, dict):
            branches += [dependency, *(dependency.get("oneOf") or []), *(dependency.get("anyOf") or [])]
    for branch in filter(lambda b: isinstance(b, dict), branches):
        for key, prop in (branch.get("properties") or {}).items():
            if isinstance(prop, dict) and FIELD_KEYWORDS & set(prop):
                found.setdefault(key, prop)
        found.update({k: v for k, v in _conditional_properties(branch, depth + 1).items() if k not in found})
    return found
