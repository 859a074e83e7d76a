"""The form editor: a user-task form's JSON Schema and UI schema, with a live preview.

The preview renders the edited JSON through the same ``forms`` code and template
macro as a task page, in Vietnamese, English and Russian. Nothing is written to
``forms/definitions/`` at run time: the edited files are downloaded and committed
with the diagrams (docs/modeler.md explains why).

:raise 403: anyone but a process owner or an admin
"""
import json

from flask import Blueprint, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from jsonschema.exceptions import SchemaError

import forms
from engine.errors import NotFoundError, TasklaneError
from forms.definitions import UI_SUFFIX

from . import access, i18n

bp = Blueprint("formeditor", __name__)
PREVIEW_LANGUAGES = ("vi", "en", "ru")


def _check_owner():
    access.check(access.may_deploy(current_user), _("Only a process owner or an admin may edit forms."))


def _text(form_key):
    return forms.path(form_key).read_text(encoding="utf-8") if forms.exists(form_key) else ""


@bp.get("/forms")
@login_required
def form_index():
    """Every form of ``forms/definitions/`` with its UI schema, if any."""
    _check_owner()
    rows = [(key, forms.exists(key + UI_SUFFIX)) for key in forms.keys()]
    return render_template("formeditor/index.html", rows=rows)


@bp.get("/forms/<key>/edit")
@login_required
def form_edit(key):
    """The editor of form ``key``.

    :raise 404: no such form
    """
    _check_owner()
    if not forms.exists(key) or key.endswith(UI_SUFFIX):
        raise NotFoundError(_("Not found."))
    return render_template("formeditor/edit.html", key=key, schema=_text(key), ui=_text(key + UI_SUFFIX),
                           ui_key=key + UI_SUFFIX, languages=PREVIEW_LANGUAGES)


def _parse(text, what):
    """:raise ValueError: not a JSON object, with a message naming ``what``"""
    try:
        value = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as error:
        raise ValueError(_("%(what)s is not valid JSON: %(error)s (line %(line)s, column %(column)s)",
                           what=what, error=error.msg, line=error.lineno, column=error.colno)) from None
    if not isinstance(value, dict):
        raise ValueError(_("%(what)s must be a JSON object.", what=what))
    return value


@bp.post("/forms/preview")
@login_required
def form_preview():
    """The fields of the posted ``schema`` / ``uischema`` rendered in ``?lang=``; an error
    message (HTTP 200, shown in place of the preview) when either is not usable."""
    _check_owner()
    lang = request.args.get("lang", "en")
    lang = lang if lang in PREVIEW_LANGUAGES else "en"
    error, view = None, None
    try:
        schema = _parse(request.form.get("schema", ""), _("The schema"))
        ui = _parse(request.form.get("uischema", ""), _("The UI schema"))
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
