"""The files the modeler edits together: several BPMN, DMN and JSON files (issue 14).

The page holds them as text; it sends them as ``multipart/form-data`` parts named
``file`` (each with its file name) to validate, preview or deploy them as one bundle
(:mod:`engine.bundles`), and one diagram alone as the raw XML body, as before bundles.
Opening several files, a zip or a folder goes through :func:`opened`, so a zip is read
by the server's careful reader and the page learns which diagram is the primary one.
See docs/modeler.md, "Several files".
"""
import json

from flask import request
from flask_babel import gettext as _

from engine import bundles, texts, xml_safety
from engine.errors import DeployError, ValidationError

FIELD = "file"
MULTIPART = "multipart/form-data"
_CALL = f"{{{texts.BPMN}}}callActivity"
_PROCESS = f"{{{texts.BPMN}}}process"


def is_bundle():
    """Whether the request sends files (a bundle) rather than one diagram as its body."""
    return request.mimetype == MULTIPART


def uploaded(max_bytes):
    """The bundle of the request's ``file`` parts, the primary diagram first.

    :raise 422: no file, or files that cannot be a bundle (:func:`refusal` says why)
    """
    parts = [(part.filename or "", part.read()) for part in request.files.getlist(FIELD)]
    if not parts:
        raise ValidationError(_("Choose at least one file."))
    try:
        bundle = bundles.from_files(parts)
    except DeployError as error:
        raise ValidationError(refusal(error)) from None
    if not bundle.of_kind(bundles.BPMN):
        raise ValidationError(_("None of these files is a BPMN diagram (.bpmn)."))
    return bundle, primary(bundle, max_bytes)


def refusal(error):
    """What :func:`engine.bundles.from_files` refused, in the reader's language."""
    problem = (error.problems or [{}])[0]
    name, code = problem.get("element", ""), problem.get("code")
    known = {
        "same_name": _("Two files are named %(name)s. Diagrams name files without their "
                       "folder, so each name may come only once.", name=name),
        "no_model": _("None of these files is a BPMN diagram (.bpmn)."),
        "not_zip": _("The zip file cannot be read."),
        "encrypted": _("%(name)s is encrypted; zip it without a password.", name=name),
        "unreadable_entry": _("%(name)s cannot be read from the zip file.", name=name),
        "long_name": _("A file name is longer than %(count)d characters: %(name)s…", count=bundles.MAX_NAME,
                       name=name[:40]),
        "too_many": _("Too many files: at most %(count)d are deployed at once.", count=bundles.MAX_FILES),
        "too_large": _("The files come to more than %(size)d MB.", size=bundles.MAX_TOTAL_BYTES // 1_000_000),
    }
    return known.get(code, error.message)


def primary(bundle, max_bytes):
    """The name of the bundle's primary diagram: the one with an executable process no
    other file calls. Among several, the one spiff-arena's ``process_model.json`` names
    (``primary_file_name``), else the first. A file that is not readable XML counts as
    calling nothing (validating names its problem)."""
    processes, called = {}, set()
    for file in bundle.of_kind(bundles.BPMN):
        try:
            root = xml_safety.parse(file.data, max_bytes=max_bytes, name=file.name)
        except DeployError:
            processes[file.name] = []
            continue
        processes[file.name] = [p for p in root.iter(_PROCESS) if p.get("isExecutable") == "true"]
        called |= {c.get("calledElement") for c in root.iter(_CALL)}
    uncalled = [name for name, found in processes.items() if any(p.get("id") not in called for p in found)]
    named = _spiff_primary(bundle)
    if named in uncalled or (not uncalled and named in processes):
        return named
    return (uncalled or list(processes))[0]


def _spiff_primary(bundle):
    model = bundle.get("process_model.json")
    try:
        named = json.loads(model.data).get("primary_file_name") if model else None
    except (ValueError, AttributeError):
        return None
    return named if isinstance(named, str) else None


def ordered(bundle, first):
    """``bundle`` with the file ``first`` at its head (``Bundle.name``, the deploy's name)."""
    head = [f for f in bundle.files if f.name == first]
    return bundles.Bundle(tuple(head + [f for f in bundle.files if f.name != first]), bundle.skipped)


def described(files):
    """``[{"name", "kind", "text"}]`` of ``BundleFile``s or ``VersionFile``s, for the page."""
    return [{"name": f.name, "kind": f.kind, "text": f.text() if hasattr(f, "text") else f.content}
            for f in files]


def opened(max_bytes):
    """What the page shows after opening files: ``{"primary", "files", "skipped"}``,
    the primary diagram first.

    :raise 422: as :func:`uploaded`
    """
    bundle, first = uploaded(max_bytes)
    return {"primary": first, "files": described(ordered(bundle, first).files),
            "skipped": list(bundle.skipped)}
