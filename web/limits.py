"""Bounds on every request's input, in one place (docs/security.md, "Input limits and errors").

- Body size: ``TASKLANE_MAX_REQUEST_BYTES`` for every request; the routes that take
  files, an import or a diagram have their own, larger limit (``BODY_LIMITS``). Past
  it: 413 in the one error shape, before the body is read.
- JSON: nested at most ``MAX_JSON_DEPTH`` levels, and no NUL character in any key or
  string: 422 naming the field (its path in the body).
- Query strings and page forms: no NUL character (422 naming the field); a path with
  one is a 404 (a task id or a process key never holds it).
- Integers: ``<int:...>`` in a URL only matches within the database's integer range
  (past it: 404); :func:`db_int` bounds ``request.args.get(..., type=db_int)``; the API's
  schemas use :class:`web.api.schemas.DbInteger`.
"""
from flask import current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from engine import bundles
from engine.errors import ValidationError
from engine.types import DB_INT_MAX, DB_INT_MIN, db_int  # noqa: F401 - db_int: for pages' args.get(type=...)

MAX_JSON_DEPTH = 32
BUNDLE = "bundle"  # a diagram, or the files of one deploy (engine.bundles.MAX_TOTAL_BYTES)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# endpoint -> the setting that bounds its body (every other route: TASKLANE_MAX_REQUEST_BYTES)
BODY_LIMITS = {
    "tasks.task_complete": "TASKLANE_MAX_UPLOAD_BYTES",
    "cases.case_attachment_create": "TASKLANE_MAX_UPLOAD_BYTES",
    "pipeline.prospect_move": "TASKLANE_MAX_UPLOAD_BYTES",
    "api.tasks_complete": "TASKLANE_MAX_UPLOAD_BYTES",
    "api.prospects_move": "TASKLANE_MAX_UPLOAD_BYTES",
    # a DOCX template (at most processes.broker.paperwork.rendering.MAX_DOCX, refused by name past it)
    "broker_paperwork.template_docx_update": "TASKLANE_MAX_UPLOAD_BYTES",
    "leads.lead_import_create": "TASKLANE_MAX_IMPORT_BYTES",
    "api.leads_import": "TASKLANE_MAX_IMPORT_BYTES",
    "modeler.modeler_draft_save": "TASKLANE_MAX_BPMN_BYTES",
    # one diagram as the body, or the files of a bundle (web/modeler_bundle.py)
    "modeler.modeler_validate": BUNDLE,
    "modeler.modeler_deploy_preview": BUNDLE,
    "modeler.modeler_deploy": BUNDLE,
    "modeler.modeler_files_open": BUNDLE,
    "api.definitions_create": "TASKLANE_MAX_BPMN_BYTES",
    "api.definitions_validate": "TASKLANE_MAX_BPMN_BYTES",
    # a form's schema and UI schema (each at most web.formeditor.pages.MAX_FORM_BYTES when uploaded)
    "formeditor.form_upload": "TASKLANE_MAX_BPMN_BYTES",
    "formeditor.form_deploy_preview": "TASKLANE_MAX_BPMN_BYTES",
    "formeditor.form_deploy": "TASKLANE_MAX_BPMN_BYTES",
}
ENVELOPE = 64 * 1024  # form or multipart framing around the largest accepted file


class DbIntConverter(IntegerConverter):
    """``<int:...>``, but only within the database's integer range: past it the URL is a 404
    rather than a query the database refuses."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits, min, DB_INT_MAX if max is None else max, signed)


def _invalid(field, message):
    return ValidationError(_("Some fields are not valid."), fields={field: message})


def nul_message():
    return _("Must not contain the NUL character.")


def too_deep_message():
    return _("Nested deeper than %(depth)d levels.", depth=MAX_JSON_DEPTH)


def check_json(data):
    """Refuse JSON nested deeper than ``MAX_JSON_DEPTH`` or holding a NUL character.

    :raises ValidationError: naming the first offending field by its path (``data.notes``)
    """
    stack = [(data, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise _invalid(path or "body", nul_message())
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise _invalid(path or "body", too_deep_message())
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            name = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                raise _invalid(path or "body", nul_message())
            stack.append((item, name, depth + 1))


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with :func:`check_json` on everything a request sends."""

    def loads(self, s, **kwargs):
        try:
            data = super().loads(s, **kwargs)
        except RecursionError:  # deeper than Python's parser goes: over the limit anyway
            raise _invalid("body", too_deep_message()) from None
        check_json(data)
        return data


def refuse_nul(values):
    """:raises ValidationError: a key or value of the ``MultiDict`` ``values`` holds NUL"""
    bad = {key.replace("\x00", "") or "body": nul_message() for key, items in values.lists()
           if "\x00" in key or any("\x00" in item for item in items)}
    if bad:
        raise ValidationError(_("Some fields are not valid."), fields=bad)


def body_limit(endpoint):
    """The largest body, in bytes, that the route ``endpoint`` reads."""
    setting = BODY_LIMITS.get(endpoint)
    if setting is None:
        return current_app.config["TASKLANE_MAX_REQUEST_BYTES"]
    # a diagram may come escaped in JSON or base64
    diagram = 2 * current_app.config["TASKLANE_MAX_BPMN_BYTES"] + ENVELOPE
    if setting == "TASKLANE_MAX_BPMN_BYTES":
        return diagram
    if setting == BUNDLE:  # the files, and each part's multipart header
        return max(diagram, bundles.MAX_TOTAL_BYTES + bundles.MAX_FILES * 1024 + ENVELOPE)
    return current_app.config[setting] + ENVELOPE


def bound_request():
    """Runs before every other check (CSRF reads the form): set the body limit, refuse NUL."""
    request.max_content_length = body_limit(request.endpoint)
    if "\x00" in request.path:  # no id, key or name holds one: nothing is found there
        raise NotFound()
    refuse_nul(request.args)
    if request.mimetype in FORM_TYPES and not request.path.startswith("/api/"):
        refuse_nul(request.form)


def init_app(app):
    """Call before any blueprint is registered: the converter is bound when a rule is added."""
    app.url_map.converters["int"] = DbIntConverter
    app.json = BoundedJSONProvider(app)
    app.before_request(bound_request)
