"""Which deployed processes show which forms, and the files a form edited in the browser is
deployed as (the form editor, web/formeditor.py; docs/forms.md "Forms travel with the process").

A process *uses* a form when a user task or start event of its latest version names it
(``formJsonSchemaFilename``). The form is read where that version's cases read it
(:func:`forms.of_version`): the version's own file, else the shipped default.
"""
from dataclasses import dataclass

import engine
from engine import bundles, versions
from engine.db import db
from engine.models import ProcessDefinition, ProcessVersion

from .definitions import UI_SUFFIX, file_name
from .versioned import of_version

SPIFF_SCHEMA_SUFFIX = "-schema"  # spiff-arena: "call-schema.json" and "call-uischema.json"


@dataclass(frozen=True)
class Use:
    """Form ``form_key`` (with UI schema ``ui_key``) shown by the latest version of a process.

    ``origin``: ``"version"`` (deployed with it), ``"shipped"`` (``forms/definitions``) or
    ``None`` (missing: a shipped form removed since).
    """

    definition: ProcessDefinition
    version: ProcessVersion
    form_key: str
    ui_key: str | None
    origin: str | None

    @property
    def key(self):
        return self.definition.key


def latest_versions():
    """The latest version of every deployed process, by process key."""
    rows = (db.session.query(ProcessVersion).join(ProcessDefinition)
            .filter(ProcessVersion.version == ProcessDefinition.latest_version)
            .order_by(ProcessDefinition.key))
    return list(rows)


def uses(versions_=None):
    """Every form the latest versions name: ``[Use]`` by process key, then in diagram order.

    :param versions_: the versions to look at (default :func:`latest_versions`)
    """
    found = []
    for version in latest_versions() if versions_ is None else versions_:
        source = of_version(version.id)
        for form_key, ui_key in engine.version_forms(version.id):
            found.append(Use(version.definition, version, form_key, ui_key, source.origin(form_key)))
    return found


def uses_of(form_key):
    """The :class:`Use` s of ``form_key`` (named with or without ``.json``), one per process."""
    key = form_key.removesuffix(".json")
    seen, found = set(), []
    for use in uses():
        if use.form_key.removesuffix(".json") == key and use.key not in seen:
            seen.add(use.key)
            found.append(use)
    return found


def ui_key_for(form_key, used=()):
    """The UI schema of ``form_key``: the one the tasks using it name, else by convention
    (``x-uischema`` beside spiff-arena's ``x-schema``, else ``x-uischema`` beside ``x``)."""
    named = next((use.ui_key for use in used if use.ui_key), None)
    if named:
        return named.removesuffix(".json")
    stem = form_key.removesuffix(".json")
    if stem.endswith(SPIFF_SCHEMA_SUFFIX):
        return stem.removesuffix(SPIFF_SCHEMA_SUFFIX) + UI_SUFFIX
    return stem + UI_SUFFIX


def bundle_with_form(version, form_key, schema_text, ui_key, ui_text):
    """``version``'s document and files with form ``form_key`` (and its UI schema) as edited:
    what deploying the form with the process deploys (:func:`engine.versions.bundle_of`).

    Each file keeps the name the version holds it by, else ``<key>.json``. The UI schema is
    written when the version holds one, when a task names it, or when it says anything.

    :param schema_text: the JSON Schema as the owner wrote it (checked by the deploy)
    :param ui_text: the UI schema as written; blank for none
    """
    source = of_version(version.id)
    names_ui = any(use.ui_key and use.ui_key.removesuffix(".json") == ui_key.removesuffix(".json")
                   for use in uses([version])) if ui_key else False
    files = [bundles.BundleFile(source.deployed_name(form_key) or file_name(form_key), bundles.JSON,
                                schema_text.encode("utf-8"))]
    ui_text = ui_text if ui_text and ui_text.strip() else ""
    if ui_key and (ui_text or names_ui or source.deployed_name(ui_key)):
        files.append(bundles.BundleFile(source.deployed_name(ui_key) or file_name(ui_key), bundles.JSON,
                                        (ui_text or "{}").encode("utf-8")))
    return versions.bundle_of(version, files)
