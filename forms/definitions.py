"""Form definition files: one JSON Schema per form key, one optional UI schema beside it.

A user task names ``<form_key>.json`` (``formJsonSchemaFilename``) and optionally
``<ui_form_key>.json`` (``formUiSchemaFilename``); both live in ``definitions/``.
"""
import json
from pathlib import Path
from urllib.parse import unquote

from engine.errors import NotFoundError

FORMS_DIR = Path(__file__).resolve().parent / "definitions"
UI_SUFFIX = "-uischema"
MAX_REF_DEPTH = 20


def path(form_key):
    return FORMS_DIR / f"{form_key}.json"


def exists(form_key):
    """Whether a definition file named ``form_key`` exists (no path tricks accepted).

    :param form_key: file name without ``.json``
    """
    return (bool(form_key) and isinstance(form_key, str) and "/" not in form_key
            and "\\" not in form_key and not form_key.startswith(".") and path(form_key).is_file())


def load(form_key):
    """The JSON Schema of ``form_key``.

    :raises NotFoundError: no such form
    """
    if not exists(form_key):
        raise NotFoundError(f"form '{form_key}' does not exist")
    return json.loads(path(form_key).read_text(encoding="utf-8"))


def load_ui(ui_form_key):
    """The UI schema named ``ui_form_key``; ``{}`` when the task names none.

    :raises NotFoundError: a name is given but no such file exists
    """
    if not ui_form_key:
        return {}
    return load(ui_form_key)


def keys():
    """Every form key in ``definitions/``, sorted; UI schema files are not forms."""
    return sorted(p.stem for p in FORMS_DIR.glob("*.json") if not p.stem.endswith(UI_SUFFIX))


def resolve(root, node, depth=0):
    """``node`` with a local ``$ref`` (``#/definitions/..``, ``#/$defs/..``) replaced by its target.

    Keywords written beside ``$ref`` win over the target's, as in react-jsonschema-form.

    :raises NotFoundError: the reference points outside the document or nowhere
    """
    if not isinstance(node, dict) or "$ref" not in node:
        return node
    if depth > MAX_REF_DEPTH:
        raise NotFoundError(f"reference cycle at {node['$ref']!r}")
    target = pointer(root, node["$ref"])
    siblings = {k: v for k, v in node.items() if k != "$ref"}
    return {**resolve(root, target, depth + 1), **siblings}


def pointer(root, ref):
    """The part of ``root`` a local JSON pointer (``#/a/b``) names.

    :raises NotFoundError: not a local pointer, or nothing there
    """
    if not isinstance(ref, str) or not ref.startswith("#"):
        raise NotFoundError(f"only local references are supported, not {ref!r}")
    node = root
    for part in filter(None, unquote(ref[1:]).split("/")):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise NotFoundError(f"reference {ref!r} points nowhere")
    return node
