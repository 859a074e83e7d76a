"""``describe``: a form as the page renders it, in the user's language and time zone.

The result is plain data (``FormView`` / ``FieldView``); the Jinja macro
``web/templates/forms/_fields.html`` turns it into Bootstrap markup.
"""
import json
from dataclasses import dataclass, field

from flask_babel import force_locale

from . import dates, dynamic_options, messages, numbers, uploads
from .fields import build, currency, option_value
from .messages import FORM_ERROR_KEY

TRUE = {"true", "on", "1", "yes"}
DEFAULT_ROWS = {"textarea": 3, "json": 6}


@dataclass
class FieldView:
    """One input. ``value`` is what the HTML input wants (a string, a bool for a checkbox,
    a list of strings for several choices); ``options`` are ``(value, label)`` pairs."""

    name: str
    widget: str
    label: str
    help: str | None = None
    required: bool = False
    value: object = None
    error: str | None = None
    options: list = field(default_factory=list)
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)

    @property
    def id(self):
        return "field-" + self.name.replace(".", "-")


@dataclass
class FormView:
    title: str
    description: str | None
    fields: list
    error: str | None = None


def describe(form_key, ui_form_key=None, *, locale="en", values=None, errors=None, timezone=None,
             task_data=None, source=None):
    """The form ``form_key`` ready to render.

    :param values: current values: clean task data (nested; the schema's defaults fill
        what it lacks), or what the user just sent (``request.form``: flat, dotted names)
        to show again beside the errors; ``None`` shows the defaults
    :param errors: ``{dotted name: message}`` as in ``ValidationError.fields``
    :param timezone: zoneinfo name the date-times are shown in
    :param task_data: the task's data, where dynamic choices (``"anyOf":
        ["options_from_task_data_var:NAME"]``) are read; without it such fields have none
    :param source: where the form is read (:func:`forms.versioned.of_task`: the case's version
        first); the shipped definitions when ``None``
    :raises NotFoundError: no such form or UI schema
    """
    return describe_form(build(form_key, ui_form_key, task_data=task_data, source=source), locale=locale,
                         values=values, errors=errors, timezone=timezone)


def describe_form(form, *, locale="en", values=None, errors=None, timezone=None):
    """:func:`describe` for a built :class:`forms.fields.Form` (from a file or
    :func:`forms.fields.build_from`)."""
    errors = errors or {}
    with force_locale(locale):
        views = [_view(f, form.schema, locale, timezone, values, errors) for f in form.fields]
    names = {f.name for f in form.walk()}
    stray = [m if n == FORM_ERROR_KEY else f"{n}: {m}" for n, m in errors.items() if n not in names]
    root, ui = translation(form.schema, locale, ()), form.ui
    return FormView(
        title=str(root.get("title") or ui.get("ui:title") or form.schema.get("title") or ""),
        description=root.get("description") or ui.get("ui:description") or form.schema.get("description"),
        fields=views,
        error=" ".join(map(str, stray)) or None,
    )


def note_sources(form, view, locale="en"):
    """Say in the help of each field with dynamic choices which task data variable they come
    from (for the form editor, whose preview has no task data to show them)."""
    sources = {f.name: dynamic_options.source(f.schema) for f in form.walk()}
    with force_locale(locale):
        for field_view in _all(view.fields):
            if sources.get(field_view.name):
                note = str(messages.options_from_task_data(sources[field_view.name]))
                field_view.help = f"{field_view.help} {note}" if field_view.help else note
    return view


def _all(views):
    for v in views:
        yield v
        yield from _all(v.children)


def _view(f, schema, locale, timezone, values, errors):
    tr = translation(schema, locale, f.path)
    description = tr.get("description") or f.ui.get("ui:description") or f.schema.get("description")
    help_text = " ".join(str(t) for t in (description, f.ui.get("ui:help")) if t) or None
    view = FieldView(
        name=f.name, widget=f.widget, help=help_text, required=f.required, error=errors.get(f.name),
        label=str(tr.get("title") or f.ui.get("ui:title") or f.schema.get("title") or f.key),
        options=_options(f, tr), attrs=_attrs(f),
    )
    if f.type == "object":
        view.children = [_view(c, schema, locale, timezone, values, errors) for c in f.children]
    else:
        view.value = _display(f, _lookup(values, f), locale, timezone)
    return view


def translation(schema, locale, path):
    """The ``x-translations`` node of ``locale`` for the field at ``path`` (``()``: the form);
    ``{}`` when the form has none."""
    translations = schema.get("x-translations") or {}
    node = translations.get(locale) or translations.get(str(locale).replace("-", "_").split("_")[0])
    for key in path:
        node = (node.get("properties") or {}).get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _options(f, tr):
    if f.type == "boolean" and f.widget in ("radio", "select"):
        return [("true", messages.yes()), ("false", messages.no())]
    titles = tr.get("options") if isinstance(tr.get("options"), dict) else {}
    return [(option_value(c), str(titles.get(option_value(c)) or label)) for c, label in f.options]


def _lookup(values, f):
    """The value of ``f`` in ``values``; the schema's default when task data lacks it.

    A submission gets no defaults: a field it lacks was cleared. A submission is a
    ``MultiDict`` (``request.form``), or a dict of one that still holds the CSRF token.
    """
    submitted = hasattr(values, "getlist") or (isinstance(values, dict) and "csrf_token" in values)
    if values is not None and f.name in values:
        many = f.type == "multichoice" and hasattr(values, "getlist")
        return values.getlist(f.name) if many else values[f.name]
    node = values
    for key in f.path:
        if not isinstance(node, dict) or key not in node:
            return None if submitted else f.schema.get("default")
        node = node[key]
    return node


def _display(f, value, locale, timezone):
    widget = f.widget
    if widget == "checkbox":
        return value is True or (isinstance(value, str) and value.strip().lower() in TRUE)
    if widget in ("multiselect", "checkboxes"):
        items = value if isinstance(value, list) else [] if value is None else [value]
        return [v if isinstance(v, str) else option_value(v) for v in items]
    if value is None or widget == "file":
        return ""
    return _display_scalar(f, value, locale, timezone)


def _display_scalar(f, value, locale, timezone):
    widget = f.widget
    if f.type == "datetime":
        return dates.local_input(value, timezone)
    if f.type == "date" and isinstance(value, str) and dates.DATE.match(value):
        return value[:10]  # a date-time where a date belongs: the date input wants the date
    if f.type == "money" and isinstance(value, int | float) and not isinstance(value, bool):
        return numbers.format_amount(value, locale, currency(f.schema, f.ui))
    if widget == "json" and not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False, indent=2)
    return value if isinstance(value, str) else option_value(value)


FLAGS = (("autofocus", "ui:autofocus", None), ("readonly", "ui:readonly", "readOnly"),
         ("disabled", "ui:disabled", None))


def _attrs(f):
    s, ui = f.schema, f.ui
    options = ui.get("ui:options") if isinstance(ui.get("ui:options"), dict) else {}
    attrs = {}
    if ui.get("ui:placeholder"):
        attrs["placeholder"] = str(ui["ui:placeholder"])
    for name, ui_key, schema_key in FLAGS:
        if ui.get(ui_key) is True or (schema_key and s.get(schema_key) is True):
            attrs[name] = True
    if isinstance(options.get("inputType"), str):
        attrs["type"] = options["inputType"]
    if options.get("label") is False:
        attrs["hide_label"] = True
    attrs.update(_type_attrs(f, s, ui, options))
    return attrs


def _type_attrs(f, s, ui, options):
    attrs = {}
    if f.type in ("text", "email", "phone"):
        attrs.update({k.lower(): s[k] for k in ("maxLength", "minLength") if isinstance(s.get(k), int)})
        if isinstance(s.get("pattern"), str) and f.widget in ("text", "password"):
            attrs["pattern"] = f".*(?:{s['pattern']}).*"  # HTML anchors patterns; JSON Schema searches
    if f.widget in DEFAULT_ROWS:
        rows = options.get("rows")
        attrs["rows"] = rows if isinstance(rows, int) and rows > 0 else DEFAULT_ROWS[f.widget]
    if f.widget == "number":
        attrs.update({k[:3]: s[k] for k in ("minimum", "maximum") if _is_number(s.get(k))})
        step = s["multipleOf"] if _is_number(s.get("multipleOf")) else None
        attrs["step"] = step or (1 if f.type == "integer" else "any")
        if ui.get("ui:widget") == "range":
            attrs["type"] = "range"
    if f.type == "money":
        attrs["currency"] = currency(s, ui)
    if f.type in ("file", "files"):
        attrs["accept"] = uploads.accept_attribute(uploads.allowed_kinds(options))
        attrs["multiple"] = f.type == "files"
    return attrs


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)
