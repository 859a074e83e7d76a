"""User-task forms: JSON Schema definitions with UI hints, described for rendering, validated.

A user task names ``<form_key>.json`` (spiff ``formJsonSchemaFilename``) and optionally a
UI schema (``formUiSchemaFilename``). The files are read from the case's process version
(the JSON files deployed with it) first, then from the shipped ``definitions/``: a
:class:`Source` says where, and :func:`of_task` / :func:`of_version` give a case's. The
engine only asks whether a form exists (the deploy check); the web layer calls
``describe`` to render it and ``validate`` to turn a submission into task data. See
docs/forms.md.

Public API::

    of_task(task) / of_version(version_id) / of_bundle(bundle) -> Source
        Source.exists(key), .load(key), .load_ui(ui_key), .text(key), .origin(key)
    load(form_key) -> dict                 exists(form_key) -> bool      (the shipped definitions)
    load_ui(ui_form_key) -> dict           keys() -> list[str]
    describe(form_key, ui_form_key=None, *, locale, values, errors, timezone, task_data, source)
        -> FormView
    describe_schema(schema, ui=None, *, locale, task_data) -> FormView   (a schema not in a file)
    validate(form_key, ui_form_key=None, *, formdata | json, files, locale, timezone, region, task_data,
             source) -> dict
    instructions.render(markdown_text, data, language) -> Markup   (data as text, template bounded)
    reading.form_labels(forms, task_data) -> {key: Label}   reading.read(data, labels) -> (rows, internal)
        (a case's data by its forms' titles and formats: docs/web.md "A case's data")
    spreadsheet.csv_row(values) -> list    spreadsheet.append_row(sheet, values)   (never a formula)
    inputs.Day / Flag / Money / Percent / Phone / Duration / ...   (fields of business schemas)
    inputs.load(schema, data) -> (values, {field: message})    inputs.check(schema, data) -> values

``task_data`` is the task's data, where spiff-arena's dynamic choices
(``"anyOf": ["options_from_task_data_var:NAME"]``) are read (``dynamic_options``).
"""
from . import instructions
from .definitions import FORMS_DIR, SHIPPED, Source, exists, keys, load, load_ui, path
from .messages import FORM_ERROR_KEY
from .uploads import Upload
from .validation import validate
from .versioned import of_bundle, of_instance, of_task, of_version
from .view import FieldView, FormView, describe, describe_form, note_sources

__all__ = [
    "FORMS_DIR", "FORM_ERROR_KEY", "SHIPPED", "FieldView", "FormView", "Source", "Upload", "describe",
    "describe_schema", "exists", "instructions", "keys", "load", "load_ui", "of_bundle", "of_instance",
    "of_task", "of_version", "path", "validate",
]


def describe_schema(schema, ui=None, *, locale="en", task_data=None):
    """A JSON Schema (and UI schema) held in memory, ready to render like :func:`describe`.

    A field with dynamic choices says in its help which task data variable they come
    from; ``task_data`` (sample data) fills them in.

    :raises jsonschema.SchemaError: not a valid JSON Schema
    :raises NotFoundError: a ``$ref`` that points nowhere
    """
    from .dynamic_options import resolve
    from .fields import build_from
    from .schema_errors import validator_class

    schema = resolve(schema, task_data)
    validator_class(schema).check_schema(schema)
    form = build_from(schema, ui, key="preview")
    return note_sources(form, describe_form(form, locale=locale), locale)
