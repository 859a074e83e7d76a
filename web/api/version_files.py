"""The files a process version was deployed with: its BPMN document and the others (called
processes, decision tables, forms), listed and downloaded as they were deployed."""
import io

from flask import send_file
from flask_babel import gettext as _
from sqlalchemy.orm import undefer

from engine import bundles, specs, versions
from engine.db import db
from engine.errors import NotFoundError
from engine.models import VersionFile

from .. import access
from .common import caller, respond
from .registry import operation
from .schemas import StoredFilesSchema

MEDIA_TYPES = {bundles.BPMN: "application/xml", bundles.DMN: "application/xml",
               bundles.JSON: "application/json"}
DOWNLOAD = {kind: {"schema": {"type": "string", "format": "binary"}}
            for kind in sorted(set(MEDIA_TYPES.values()))}


def _readable_version(key, number):
    """:raise 403: partners and customers  :raise 404: no such process or version"""
    user = caller()
    access.check(access.is_staff(user) or access.is_auditor(user))
    try:
        return versions.version_of(key, number)
    except NotFoundError:
        raise NotFoundError(_("Not found.")) from None


def _stored(version):
    """``[(name, kind, text, main)]``: the version's document first, then its other files by name."""
    others = (db.session.query(VersionFile).filter_by(version_id=version.id)
              .options(undefer(VersionFile.content)).order_by(VersionFile.name))
    return [(version.source_name or "diagram.bpmn", bundles.BPMN, version.bpmn_xml, True)] + [
        (f.name, f.kind, f.content, False) for f in others]


@operation("/process-definitions/<key>/versions/<int:number>/files", "GET",
           summary="List the files a version was deployed with", tag="process definitions",
           response=StoredFilesSchema, errors=(403, 404))
def version_files_list(key, number):
    """The version's BPMN document (``main``) and the files deployed with it: other BPMN
    files (called processes), DMN files (decision tables), JSON files (forms), each with its
    kind, size in bytes and SHA-256. Staff and auditors.

    :raise 403: partners and customers
    :raise 404: no such process or version
    """
    version = _readable_version(key, number)
    items = []
    for name, kind, text, main in _stored(version):
        data = text.encode("utf-8")
        items.append({"name": name, "kind": kind, "size": len(data), "sha256": specs.sha256(data),
                      "main": main})
    return respond(StoredFilesSchema, {"items": items})


@operation("/process-definitions/<key>/versions/<int:number>/files/<file_name>", "GET",
           summary="Download a file a version was deployed with", tag="process definitions",
           produces=DOWNLOAD, errors=(403, 404))
def version_files_get(key, number, file_name):
    """The file as it was deployed (UTF-8): ``application/xml`` for BPMN and DMN files,
    ``application/json`` for forms. Staff and auditors.

    :raise 403: partners and customers
    :raise 404: no such process, version or file
    """
    version = _readable_version(key, number)
    found = next(((kind, text) for name, kind, text, _main in _stored(version) if name == file_name), None)
    if found is None:
        raise NotFoundError(_("Not found."))
    kind, text = found
    return send_file(io.BytesIO(text.encode("utf-8")), mimetype=f"{MEDIA_TYPES[kind]}; charset=utf-8",
                     as_attachment=True, download_name=file_name, max_age=0)
