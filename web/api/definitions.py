"""Process definitions: list them, read one, deploy a BPMN file as new versions."""
from pathlib import PurePosixPath

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

import engine
from accounts import service
from engine.db import db
from engine.errors import DeployError, NotFoundError, ValidationError
from engine.models import ProcessDefinition, ProcessVersion

from .. import access
from .common import Viewed, caller, load_query, page, paginate, respond
from .registry import operation
from .schemas import (
    DefinitionPageSchema,
    DefinitionSchema,
    DeploymentSchema,
    DeployQuerySchema,
    PageQuerySchema,
)

XML_TYPES = ("application/xml", "text/xml", "application/bpmn+xml")
UPLOAD = {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "the .bpmn file"}}}},
    **{kind: {"schema": {"type": "string", "description": "the BPMN XML"}} for kind in XML_TYPES},
}


def _check_reader(user):
    access.check(access.is_staff(user) or access.is_auditor(user))


def _with_latest(definitions):
    ids = [d.id for d in definitions]
    latest = {v.definition_id: v for v in db.session.scalars(
        select(ProcessVersion).join(ProcessDefinition, ProcessVersion.definition_id == ProcessDefinition.id)
        .where(ProcessDefinition.id.in_(ids), ProcessVersion.version == ProcessDefinition.latest_version))}
    return [Viewed(d, latest=latest.get(d.id)) for d in definitions]


@operation("/process-definitions", "GET", summary="List the deployed processes", tag="process definitions",
           query=PageQuerySchema, response=DefinitionPageSchema, errors=(403,))
def definitions_list():
    """Staff and auditors; ordered by key.

    :raise 403: partners and customers
    """
    _check_reader(caller())
    query = load_query(PageQuerySchema)
    rows, total = paginate(select(ProcessDefinition).order_by(ProcessDefinition.key), query)
    return page(DefinitionPageSchema, _with_latest(rows), total, query)


@operation("/process-definitions/<key>", "GET", summary="Read one deployed process",
           tag="process definitions", response=DefinitionSchema, errors=(403, 404))
def definitions_get(key):
    """:raise 403: partners and customers  :raise 404: no process with this key"""
    _check_reader(caller())
    definition = db.session.scalar(select(ProcessDefinition).filter_by(key=key))
    if definition is None:
        raise NotFoundError(_("Not found."))
    return respond(DefinitionSchema, _with_latest([definition])[0])


def _upload():
    """``(xml bytes, file name)`` from a multipart ``file`` or a raw XML body.

    :raise 422: neither was sent
    """
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationError(_("Attach the BPMN file as the field 'file'."),
                                  fields={"file": _("This field is required.")})
        return upload.read(), PurePosixPath(upload.filename.replace("\\", "/")).name[:255] or "diagram.bpmn"
    if request.mimetype in XML_TYPES:
        return request.get_data(), load_query(DeployQuerySchema)["name"] or "diagram.bpmn"
    raise ValidationError(
        _("Send the BPMN file as multipart/form-data (field 'file') or as application/xml."),
        fields={"file": _("This field is required.")})


@operation("/process-definitions", "POST", summary="Deploy a BPMN file", tag="process definitions",
           status=201, query=DeployQuerySchema, content=UPLOAD, response=DeploymentSchema, errors=(403, 409),
           headers={"Location": "the first process deployed"})
def definitions_create():
    """Each executable process in the file becomes a new version (201); a file whose
    processes are unchanged changes nothing (200). Running instances keep their version.
    Process owners and admins only.

    :raise 403: any other role
    :raise 409: someone deployed the same process at the same moment
    :raise 422: invalid or hostile BPMN; ``error.problems`` and ``error.fields`` name the elements
    """
    user = caller()
    access.check(access.may_deploy(user))
    xml, name = _upload()
    try:
        deployed = engine.deploy(xml, actor=user.username, name=name, roles=service.role_names())
    except DeployError as error:
        message = ngettext("The diagram was refused: %(num)d problem.",
                           "The diagram was refused: %(num)d problems.", len(error.problems))
        raise DeployError(message, error.problems) from error
    created = any(flag for _version, flag in deployed)
    items = [Viewed(version, created=flag) for version, flag in deployed]
    location = url_for("api.definitions_get", key=deployed[0][0].definition.key) if deployed else None
    return respond(DeploymentSchema, {"items": items}, 201 if created else 200,
                   {"Location": location} if created and location else None)
