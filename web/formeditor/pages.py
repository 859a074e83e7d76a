"""The form editor's pages: every form and the processes that show it, one form's editor with a
live preview in Vietnamese, English and Russian, and a form uploaded from the owner's disk.

The preview renders the edited JSON through the same ``forms`` code and template macro as a
task page. Nothing is stored until the form is deployed with its processes (:mod:`.deploy`).

:raise 403: anyone but a process owner or an admin
"""
from flask import render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_required
from jsonschema.exceptions import SchemaError

import forms
from engine.errors import TasklaneError
from forms import usage
from forms.definitions import UI_SUFFIX

from .. import i18n
from .editor import KEY, PREVIEW_LANGUAGES, UPLOADED, Editor, bp, check_owner, loaded, parse, with_processes

MAX_FORM_BYTES = 500_000  # one uploaded schema or UI schema


@bp.get("/forms")
@login_required
def form_index():
    """The forms the deployed processes show, where each is read from, and the shipped defaults."""
    check_owner()
    return _index()


def _index(error=None, status=200):
    rows = [(key, forms.exists(key + UI_SUFFIX)) for key in forms.keys()]
    return render_template("formeditor/index.html", rows=rows, uses=usage.uses(), upload_error=error), status


@bp.get("/forms/<key>/edit")
@login_required
def form_edit(key):
    """The editor of form ``key``: as the latest version of ``?process=`` reads it, else as shipped
    (else as the first process naming it reads it).

    :raise 404: no such form, or the process does not name it
    """
    check_owner()
    return render_template("formeditor/edit.html", **loaded(key, request.args.get("process")).context())


@bp.post("/forms/upload")
@login_required
def form_upload():
    """Open an uploaded JSON Schema file (and UI schema file) in the editor; nothing is stored.

    :raise 422: no schema file, a file that is not a ``.json`` JSON object, or too large
    """
    check_owner()
    try:
        key, schema = _uploaded("schema", _("The schema"), required=True)
        ui_key, ui = _uploaded("uischema", _("The UI schema"))
    except ValueError as error:
        return _index(str(error), 422)
    uses = usage.uses_of(key)
    editor = Editor(key, schema, ui_key or usage.ui_key_for(key, uses), ui, UPLOADED)
    return render_template("formeditor/edit.html", **with_processes(editor, uses).context())


def _uploaded(field, what, required=False):
    """``(key, text)`` of the uploaded file ``field``; ``(None, "")`` when none was sent.

    :raise ValueError: missing when required, badly named, too large or not a JSON object
    """
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        if required:
            raise ValueError(_("Choose the form's JSON Schema file."))
        return None, ""
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1]
    key = name.removesuffix(".json")
    if not name.endswith(".json") or not KEY.fullmatch(key) or key.endswith(".json"):
        raise ValueError(_("%(what)s must be a .json file named with Latin letters, digits, '-', '_' and "
                           "'.', such as call-schema.json.", what=what))
    data = upload.read(MAX_FORM_BYTES + 1)
    if len(data) > MAX_FORM_BYTES:
        raise ValueError(_("%(what)s is larger than %(limit)s bytes.", what=what, limit=MAX_FORM_BYTES))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(_("%(what)s is not UTF-8 text.", what=what)) from None
    parse(text, what)
    return key, text


@bp.post("/forms/preview")
@login_required
def form_preview():
    """The fields of the posted ``schema`` / ``uischema`` rendered in ``?lang=``; an error
    message (HTTP 200, shown in place of the preview) when either is not usable."""
    check_owner()
    lang = request.args.get("lang", "en")
    lang = lang if lang in PREVIEW_LANGUAGES else "en"
    error, view = None, None
    try:
        schema = parse(request.form.get("schema", ""), _("The schema"))
        ui = parse(request.form.get("uischema", ""), _("The UI schema"))
        view = forms.describe_schema(schema, ui, locale=lang)
    except ValueError as problem:
        error = str(problem)
    except SchemaError as problem:
        error = _("The schema is not a valid JSON Schema: %(error)s", error=problem.message)
    except TasklaneError as problem:
        error = str(problem.message)
    except (TypeError, AttributeError, KeyError, RecursionError) as problem:
        error = _("The form cannot be rendered: %(error)s", error=repr(problem))
    with force_locale(lang):  # the macro's own words (e.g. "required") in the preview's language
        return render_template("formeditor/_preview.html", view=view, error=error, lang=lang,
                               language=i18n.LANGUAGES[lang])
