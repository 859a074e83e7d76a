"""``validate``: what a user submitted, as clean task data, or every problem at once."""
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from marshmallow import ValidationError as MarshmallowError

from engine.errors import ValidationError
from engine.places import place

from . import coerce, messages, schema_errors
from .fields import build
from .jsonvalues import plain_json
from .messages import FORM_ERROR_KEY

# Names an HTML form sends besides the fields: Flask-WTF's token, and the page's own
# controls, which start with "_" (e.g. a "_action" button).
IGNORED_FORM_NAMES = {"csrf_token"}


def validate(form_key, ui_form_key=None, *, formdata=None, json=None, files=None, locale="en",
             timezone=None, region=None, task_data=None, source=None):
    """Clean, typed task data from one submission of ``form_key``.

    Give exactly one of ``formdata`` (an HTML form: a werkzeug ``MultiDict`` or a dict of
    str -> str or list, with ``files`` a ``MultiDict`` of ``FileStorage``) or ``json``
    (an API body: typed values, files as data-urls). Empty strings of optional fields are
    dropped. Files come back as ``forms.uploads.Upload`` objects for the caller to store.

    :param locale: how numbers and amounts are written, and the language of the messages
    :param timezone: zoneinfo name; a date-time without offset is wall-clock time there
    :param region: region for phone numbers written without a country code
    :param task_data: the task's data, where dynamic choices (``"anyOf":
        ["options_from_task_data_var:NAME"]``) are read; a value not among them is refused
    :param source: where the form is read (:func:`forms.versioned.of_task`: the case's version
        first); the shipped definitions when ``None``
    :raises NotFoundError: no such form or UI schema
    :raises ValidationError: with ``fields`` = ``{dotted name: message}`` for every invalid
        field; problems of the whole form are under ``"_form"``
    :raises TypeError: neither or both of ``formdata`` and ``json``
    """
    if (formdata is None) == (json is None):
        raise TypeError("validate() takes exactly one of formdata= or json=")
    timezone, region = timezone or place().zone, region or place().region
    ZoneInfo(timezone)  # a bad zone name is a programming error: fail before reading input
    form = build(form_key, ui_form_key, task_data=task_data, source=source)
    source = "form" if formdata is not None else "json"
    with force_locale(locale):
        ctx = coerce.Context(locale, timezone, region, source)
        if source == "form":
            raw, present, extra, problems = _gather_form(form, formdata, files or {})
        else:
            raw, present, extra, problems = _gather_json(form, json)
        data, more = _coerce(form, ctx, raw, present, extra)
        # a value that is not an object hides what its fields would say
        problems.update({k: m for k, m in more.items() if not _inside_any(k, problems)})
        problems.update(schema_errors.errors(form, data, problems, locale))
        if problems:
            raise ValidationError(messages.form_invalid(), fields=problems)
    return data


def _inside_any(name, problems):
    return any(schema_errors.related(name, other) for other in problems)


def _coerce(form, ctx, raw, present, extra):
    leaves = [f for f in form.walk() if f.type != "object"]
    required, unchecked = _required(form.fields, present, ctx.source, raw)
    schema = coerce.schema_for(leaves, ctx, required, unchecked)
    problems = {}
    try:
        flat = schema.load(raw)
    except MarshmallowError as error:
        flat = error.valid_data or {}
        problems = {name: " ".join(map(str, m)) if isinstance(m, list) else str(m)
                    for name, m in error.messages.items()}
    by_attr, by_name = {f"f{i}": leaf for i, leaf in enumerate(leaves)}, form.by_name()
    data = {}
    for name in sorted(present, key=lambda n: n.count(".")):
        _put(data, by_name[name].path, {})
    for attr, value in flat.items():
        _put(data, by_attr[attr].path, value)
    for path, value in extra:
        _put(data, path, value)
    return data, problems


def _required(fields, present, source, raw, parent_present=True):
    """Names that must be in this submission, and checkboxes a browser left out (meaning ``False``)."""
    required, unchecked = set(), set()
    for f in fields:
        if f.type == "object":
            more = _required(f.children, present, source, raw, f.name in present)
            required |= more[0]
            unchecked |= more[1]
        elif parent_present and f.widget == "checkbox" and source == "form" and f.name not in raw:
            unchecked.add(f.name)
        elif parent_present and f.required:
            required.add(f.name)
    return required, unchecked


def _put(data, path, value):
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _present_objects(form, names):
    """Objects that hold a submitted value, and required objects inside present ones.

    An HTML form has no input for an object itself, so a required object is always there
    and its own required fields are what the user is asked for.
    """
    present = set()
    for name in names:
        parts = name.split(".")
        present |= {".".join(parts[:i]) for i in range(1, len(parts))}

    def visit(fields, parent_present):
        for f in fields:
            if f.type == "object":
                if parent_present and f.required:
                    present.add(f.name)
                visit(f.children, f.name in present)
    visit(form.fields, True)
    return present & {f.name for f in form.walk() if f.type == "object"}


def _gather_form(form, formdata, files):
    fields = form.by_name()
    raw, problems = {}, {}
    for f in (f for f in fields.values() if f.type != "object"):
        value = _form_value(f, _strings(formdata, f.name), _list(files, f.name))
        if value is not None:
            raw[f.name] = value
    for name in [*_keys(formdata), *_keys(files)]:
        if name in fields or name in IGNORED_FORM_NAMES or name.startswith("_"):
            continue
        if _closed_around(form, fields, name):
            problems[name] = messages.unknown_field()
    return raw, _present_objects(form, raw), [], problems


def _form_value(field, strings, stored):
    if field.type in ("file", "files"):
        items = [s for s in stored if getattr(s, "filename", "")] + [s for s in strings if s.strip()]
        return items or None
    if field.type == "multichoice":
        return [s for s in strings if s.strip()] or None
    return next((s for s in strings if s.strip()), None)


def _closed_around(form, fields, name):
    """Whether the object a form name would belong to refuses undeclared names."""
    parts = name.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        holder = fields.get(".".join(parts[:depth]))
        if holder is not None and holder.type == "object":
            return holder.closed
    return form.closed


def _gather_json(form, body):
    raw, present, extra, problems = {}, set(), [], {}
    if not isinstance(body, dict):
        return raw, present, extra, {FORM_ERROR_KEY: messages.invalid()}

    def walk(fields, obj, path, closed):
        by_key = {f.key: f for f in fields}
        for key, value in obj.items():
            f, name = by_key.get(key), ".".join((*path, str(key)))
            if f is None:
                if closed:
                    problems[name] = messages.unknown_field()
                elif plain_json(value):
                    extra.append(((*path, str(key)), value))
                else:
                    problems[name] = messages.invalid()
            elif value is None or (isinstance(value, str) and not value.strip()):
                continue
            elif f.type != "object":
                raw[f.name] = value
            elif isinstance(value, dict):
                present.add(f.name)
                walk(f.children, value, f.path, f.closed)
            else:
                problems[f.name] = messages.invalid()

    walk(form.fields, body, (), form.closed)
    return raw, present, extra, problems


def _strings(mapping, name):
    values = _list(mapping, name)
    return [v if isinstance(v, str) else str(v) for v in values if v is not None]


def _list(mapping, name):
    if hasattr(mapping, "getlist"):
        return list(mapping.getlist(name))
    value = mapping.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _keys(mapping):
    return [k for k in mapping.keys() if isinstance(k, str)]
