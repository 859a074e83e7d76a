"""Form definition files: one JSON Schema per form key, one optional UI schema beside it.

A user task names ``<form_key>.json`` (``formJsonSchemaFilename``) and optionally
``<ui_form_key>.json`` (``formUiSchemaFilename``). A :class:`Source` says where they are
read: the JSON files deployed with the case's process version first (a spiff-arena model
folder's ``*-schema.json``, a form edited in the browser), then the shipped defaults in
``definitions/`` (:data:`SHIPPED`, what the module functions read).
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


def safe(key):
    """Whether ``key`` is a plain file name (no folder, not hidden): the only names looked up."""
    return (bool(key) and isinstance(key, str) and "/" not in key and "\\" not in key
            and not key.startswith("."))


def exists(form_key):
    """Whether a definition file named ``form_key`` exists (no path tricks accepted).

    :param form_key: file name without ``.json``
    """
    return safe(form_key) and path(form_key).is_file()


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


def file_name(key):
    """The file a task means by ``key``: ``<key>.json``; ``key`` itself when it already ends so."""
    return key if key.endswith(".json") else f"{key}.json"


class Source:
    """The forms one process version reads: ``files`` deployed with it first, then ``definitions/``.

    :param files: ``{file name: JSON text}`` of the version's JSON files (``version_file``
        rows of kind ``json``, or a bundle's); empty: the shipped definitions only
    """

    def __init__(self, files=None):
        self.files = dict(files or {})

    def deployed_name(self, key):
        """The deployed file holding ``key`` (named with or without ``.json``), or ``None``."""
        if not safe(key):
            return None
        return next((name for name in (file_name(key), key) if name in self.files), None)

    def origin(self, key):
        """``"version"`` (deployed with the version), ``"shipped"`` (``definitions/``) or ``None``."""
        if self.deployed_name(key):
            return "version"
        return "shipped" if exists(key) else None

    def exists(self, key):
        return self.origin(key) is not None

    def text(self, key):
        """The file's text as written.

        :raises NotFoundError: neither deployed with the version nor shipped
        """
        name = self.deployed_name(key)
        if name is not None:
            return self.files[name]
        if not exists(key):
            raise NotFoundError(f"form '{key}' does not exist")
        return path(key).read_text(encoding="utf-8")

    def load(self, key):
        """The JSON object of ``key`` (a fresh copy on every call).

        :raises NotFoundError: no such form, or its file is not a JSON object
        """
        name = self.deployed_name(key)
        if name is None:
            return load(key)
        try:
            value = json.loads(self.files[name])
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise NotFoundError(f"form file '{name}' is not a JSON object")
        return value

    def load_ui(self, ui_key):
        """The UI schema ``ui_key``; ``{}`` when the task names none.

        :raises NotFoundError: a name is given but there is no such file
        """
        return self.load(ui_key) if ui_key else {}


SHIPPED = Source()


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
