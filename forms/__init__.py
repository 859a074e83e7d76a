"""User-task forms: JSON Schema definitions with UI hints, described for rendering, validated.

A user task names ``<form_key>.json`` in ``definitions/`` (spiff
``formJsonSchemaFilename``) and optionally a UI schema (``formUiSchemaFilename``).
The engine only asks whether a form exists; the web layer calls ``describe`` to render
it and ``validate`` to turn a submission into task data. See docs/forms.md.

Public API::

    load(form_key) -> dict                 exists(form_key) -> bool
    load_ui(ui_form_key) -> dict           keys() -> list[str]
    describe(form_key, ui_form_key=None, *, locale, values, errors, timezone) -> FormView
    validate(form_key, ui_form_key=None, *, formdata | json, files, locale, timezone, region) -> dict
    instructions.render(markdown_text, data) -> Markup
"""
from . import instructions
from .definitions import FORMS_DIR, exists, keys, load, load_ui, path
from .messages import FORM_ERROR_KEY
from .uploads import Upload
from .validation import validate
from .view import FieldView, FormView, describe

__all__ = [
    "FORMS_DIR", "FORM_ERROR_KEY", "FieldView", "FormView", "Upload", "describe", "exists", "instructions",
    "keys", "load", "load_ui", "path", "validate",
]
