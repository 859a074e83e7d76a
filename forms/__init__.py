"""User-task form definitions: one JSON Schema file per form key in this folder.

The web layer renders and validates them (next issue); the engine only needs to
know whether a form named by a user task exists.
"""
import json
from pathlib import Path

from engine.errors import NotFoundError

FORMS_DIR = Path(__file__).resolve().parent / "definitions"


def path(form_key):
    return FORMS_DIR / f"{form_key}.json"


def exists(form_key):
    return bool(form_key) and "/" not in form_key and path(form_key).is_file()


def load(form_key):
    """The JSON Schema of ``form_key``.

    :raises NotFoundError: no such form
    """
    if not exists(form_key):
        raise NotFoundError(f"form '{form_key}' does not exist")
    return json.loads(path(form_key).read_text(encoding="utf-8"))
