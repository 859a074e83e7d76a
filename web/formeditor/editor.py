"""What the form editor holds: a form's key, its two texts, where they were read from, and the
processes it can be deployed with; read from a version, the shipped defaults, or a request."""
import json
import re
from dataclasses import dataclass, field

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_login import current_user

import forms
from engine.errors import NotFoundError, ValidationError
from forms import usage
from forms.definitions import UI_SUFFIX

from .. import access

bp = Blueprint("formeditor", __name__)
PREVIEW_LANGUAGES = ("vi", "en", "ru")
# A form's key as a file is named: letters, digits, "-", "_", "." (not first); 250 + ".json" fits
# version_file.name. Keys with other characters are never looked up.
KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,249}")
SHIPPED, VERSION, UPLOADED = "shipped", "version", "upload"


def check_owner():
    access.check(access.may_deploy(current_user), _("Only a process owner or an admin may edit forms."))


def valid_key(key):
    """:raise 404: not a form key this editor reads or writes"""
    if not isinstance(key, str) or not KEY.fullmatch(key) or key.endswith(".json"):
        raise NotFoundError(_("Not found."))
    return key


def parse(text, what):
    """The JSON object ``text`` holds (``{}`` for blank text).

    :raise ValueError: not a JSON object, with a message naming ``what`` and where
    """
    try:
        value = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as error:
        raise ValueError(_("%(what)s is not valid JSON: %(error)s (line %(line)s, column %(column)s)",
                           what=what, error=error.msg, line=error.lineno, column=error.colno)) from None
    if not isinstance(value, dict):
        raise ValueError(_("%(what)s must be a JSON object.", what=what))
    return value


@dataclass
class Editor:
    """A form in the editor.

    ``origin``: where the texts came from: ``version`` (the latest version of ``process``),
    ``shipped`` (``forms/definitions``) or ``upload``; ``uses``: the processes whose latest
    version names the form (:class:`forms.usage.Use`); ``others``: the latest versions of
    the rest, which it may be deployed with too.
    """

    key: str
    schema: str
    ui_key: str
    ui: str
    origin: str
    process: str | None = None
    uses: list = field(default_factory=list)
    others: list = field(default_factory=list)
    chosen: set = field(default_factory=set)
    error: str | None = None
    refusals: list = field(default_factory=list)  # [(process key, [problem])] of a refused deploy

    @property
    def chosen_others(self):
        """Whether a process that does not name the form is chosen."""
        return bool(self.chosen - {u.key for u in self.uses})

    @property
    def use(self):
        return next((u for u in self.uses if u.key == self.process), None)

    def context(self):
        return {"editor": self, "key": self.key, "schema": self.schema, "ui": self.ui, "ui_key": self.ui_key,
                "languages": PREVIEW_LANGUAGES}


def loaded(key, process=None):
    """The editor of form ``key`` as the latest version of ``process`` reads it, or as shipped.

    :raise 404: ``process`` does not name the form, or no process names it and it is not shipped
    """
    valid_key(key)
    uses = usage.uses_of(key)
    if process is None and not (forms.exists(key) and not key.endswith(UI_SUFFIX)) and uses:
        process = uses[0].key
    if process is not None:
        use = next((u for u in uses if u.key == process), None)
        if use is None:
            raise NotFoundError(_("Not found."))
        source = forms.of_version(use.version.id)
        ui_key = usage.ui_key_for(key, [use])
        editor = Editor(key, _text(source, key), ui_key, _text(source, ui_key), VERSION, process)
    elif forms.exists(key) and not key.endswith(UI_SUFFIX):
        ui_key = usage.ui_key_for(key, uses)
        editor = Editor(key, _text(forms.SHIPPED, key), ui_key, _text(forms.SHIPPED, ui_key), SHIPPED)
    else:
        raise NotFoundError(_("Not found."))
    return with_processes(editor, uses)


def _text(source, key):
    return source.text(key) if key and source.exists(key) else ""


def with_processes(editor, uses=None, *, choose=True):
    """``editor`` with the processes it may be deployed with; with ``choose``, the one it was
    read from, or else the only one using it, chosen."""
    editor.uses = usage.uses_of(editor.key) if uses is None else uses
    named = {u.key for u in editor.uses}
    editor.others = [v for v in usage.latest_versions() if v.definition.key not in named]
    if choose and not editor.chosen:
        if editor.process in named:
            editor.chosen = {editor.process}
        elif len(editor.uses) == 1:
            editor.chosen = {editor.uses[0].key}
    return editor


def posted(key):
    """The editor as the page posted it (the texts as edited, the processes chosen).

    :raise 404: a key this editor does not read
    """
    valid_key(key)
    values = request.form
    ui_key = values.get("ui_key", "")
    if not KEY.fullmatch(ui_key) or ui_key.endswith(".json"):
        ui_key = usage.ui_key_for(key, usage.uses_of(key))
    origin = values.get("origin") if values.get("origin") in (SHIPPED, VERSION, UPLOADED) else UPLOADED
    editor = Editor(key, values.get("schema", ""), ui_key, values.get("uischema", ""), origin,
                    values.get("origin_process") or None, chosen=set(values.getlist("process")))
    return with_processes(editor, choose=False)


def texts(editor):
    """The editor's two texts checked as JSON objects.

    :raise ValidationError: either is not (the message names which)
    """
    try:
        return parse(editor.schema, _("The schema")), parse(editor.ui, _("The UI schema"))
    except ValueError as error:
        raise ValidationError(str(error)) from None
