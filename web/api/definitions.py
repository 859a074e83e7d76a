"""Process definitions: list them, read one, deploy BPMN files (with their DMN and form files) as
new versions; compare two versions, deploy an old one again, move running cases between versions
(docs/versions.md)."""
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import engine
from accounts import service
from engine import migration, versions
from engine.db import db
from engine.errors import DeployError, NotFoundError, ValidationError
from engine.models import ProcessDefinition, ProcessVersion

from .. import access, lane_roles
from . import uploads
from .common import Viewed, caller, load_body, load_query, page, paginate, respond
from .registry import operation
from .schemas import (
    DbInteger,
    DefinitionPageSchema,
    DefinitionSchema,
    DeployedVersionSchema,
    DeploymentSchema,
    DeployQuerySchema,
    PageQuerySchema,
)


def _check_reader(user):
    access.check(access.is_staff(user) or access.is_auditor(user))


def _with_latest(definitions):
    ids = [d.id for d in definitions]
    latest = {v.definition_id: v for v in db.session.scalars(
        select(ProcessVersion).join(ProcessDefinition, ProcessVersion.definition_id == ProcessDefinition.id)
        .where(ProcessDefinition.id.in_(ids), ProcessVersion.version == ProcessDefinition.latest_version)
        .options(selectinload(ProcessVersion.files)))}
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


@operation("/process-definitions", "POST", summary="Deploy BPMN files (with DMN and form files)",
           tag="process definitions", status=201, query=DeployQuerySchema, content=uploads.UPLOAD,
           response=DeploymentSchema, errors=(403, 409), headers={"Location": "the first process deployed"})
def definitions_create():
    """Each executable process of the files that no other calls becomes a new version
    (201); when all are unchanged nothing changes (200). A call activity or business rule
    task calling what the upload does not hold takes it from what is deployed (its version
    pinned: ``pins``). Running instances keep their version. ``lane_roles`` maps lanes not
    named after a role to one (a JSON object, the form field or the query parameter); the
    same files mapped alike change nothing. Process owners and admins only.

    :raise 403: any other role
    :raise 409: someone deployed the same process at the same moment
    :raise 422: invalid or hostile BPMN or DMN, files that cannot be a bundle, a callee or
        decision neither uploaded nor deployed; ``error.problems`` and ``error.fields`` name
        the elements or files
    """
    user = caller()
    access.check(access.may_deploy(user))
    bundle = uploads.read_bundle()
    try:
        deployed = engine.deploy(bundle, actor=user.username, name=bundle.name, roles=service.role_names(),
                                 lane_roles=lane_roles.from_request())
    except DeployError as error:
        message = ngettext("The diagram was refused: %(num)d problem.",
                           "The diagram was refused: %(num)d problems.", len(error.problems))
        raise DeployError(message, error.problems) from error
    created = any(flag for _version, flag in deployed)
    items = [Viewed(version, created=flag) for version, flag in deployed]
    location = url_for("api.definitions_get", key=deployed[0][0].definition.key) if deployed else None
    body = {"items": items, "skipped": list(bundle.skipped)}
    return respond(DeploymentSchema, body, 201 if created else 200,
                   {"Location": location} if created and location else None)


# --- versions: diff, redeploy, migrations ---

class DiffChangeSchema(Schema):
    what = fields.String(metadata={"enum": ["name", "type", "script", "condition", "timer", "event", "lane",
                                            "incoming", "outgoing", "documentation", "form", "property",
                                            "decision", "instructions", "other"]})
    detail = fields.String(allow_none=True, metadata={"description": "the property or attribute name"})
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class DiffElementSchema(Schema):
    id = fields.String(metadata={"description": "the BPMN element id"})
    type = fields.String(metadata={"example": "UserTask"})
    name = fields.String()
    process = fields.String(metadata={"description": "the process (or called process) it belongs to"})
    replaced_by = fields.String(allow_none=True, metadata={"description": "removed only: the added element "
                                                                          "in its place in the flow"})
    changes = fields.List(fields.Nested(DiffChangeSchema), metadata={"description": "changed only"})


class DiffFileSchema(Schema):
    name = fields.String(metadata={"example": "call-schema.json"})
    kind = fields.String(metadata={"enum": ["bpmn", "dmn", "json"]})
    change = fields.String(metadata={"enum": ["added", "removed", "changed"]})
    used_by = fields.List(fields.String(), metadata={
        "description": "the user tasks (element ids) that show this file as their form or UI schema"})


class DiffLaneSchema(Schema):
    lane = fields.String(metadata={"description": "the lane's name"})
    before = fields.String(allow_none=True, metadata={"description": "the role its tasks went to (null: a "
                                                                     "new lane)"})
    after = fields.String(metadata={"description": "the role its tasks go to"})


class VersionDiffSchema(Schema):
    key = fields.String()
    from_version = DbInteger(attribute="a")
    to_version = DbInteger(attribute="b")
    name_before = fields.String()
    name_after = fields.String()
    same = fields.Boolean()
    added = fields.List(fields.Nested(DiffElementSchema))
    removed = fields.List(fields.Nested(DiffElementSchema))
    changed = fields.List(fields.Nested(DiffElementSchema))
    files = fields.List(fields.Nested(DiffFileSchema), metadata={
        "description": "the files deployed with the versions (forms, called diagrams, decision tables) that "
                       "were added, removed or changed"})
    lanes = fields.List(fields.Nested(DiffLaneSchema), metadata={
        "description": "lanes whose tasks go to another role (the lane mapping changed)"})


class MigrationRequestSchema(Schema):
    from_version = DbInteger(required=True, validate=validate.Range(min=1))
    to_version = DbInteger(required=True, validate=validate.Range(min=1))
    dry_run = fields.Boolean(load_default=True, metadata={"description": "true (default): only report"})
    instance_ids = fields.List(DbInteger(), load_default=None, validate=validate.Length(max=500),
                               metadata={"description": "default: every running case of from_version"})


class MigrationReasonSchema(Schema):
    code = fields.String(metadata={"example": "task_missing"})
    element = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    message = fields.String()


class WaitingStepSchema(Schema):
    element = fields.String()
    name = fields.String()


class MigrationOutcomeSchema(Schema):
    instance_id = DbInteger()
    status = fields.String(metadata={"enum": ["movable", "refused", "migrated", "failed"]})
    business_key = fields.String(allow_none=True)
    waiting = fields.List(fields.Nested(WaitingStepSchema), metadata={"description": "dry run only"})
    reasons = fields.List(fields.Nested(MigrationReasonSchema))


class MigrationSchema(Schema):
    from_version = DbInteger()
    to_version = DbInteger()
    dry_run = fields.Boolean()
    items = fields.List(fields.Nested(MigrationOutcomeSchema), required=True)


def _version(key, number):
    try:
        return versions.version_of(key, number)
    except NotFoundError:
        raise NotFoundError(_("Not found.")) from None


@operation("/process-definitions/<key>/versions/<int:a>/diff/<int:b>", "GET",
           summary="Compare two versions of a process", tag="process definitions",
           response=VersionDiffSchema, errors=(403, 404))
def versions_diff(key, a, b):
    """Elements added, removed and changed (by BPMN id) from version ``a`` to version ``b``, and
    the files deployed with them that were added, removed or changed (``files``: a form edited
    without a change to the diagram shows there).

    :raise 403: partners and customers
    :raise 404: no such process or version
    """
    _check_reader(caller())
    return respond(VersionDiffSchema, engine.version_diff(_version(key, a), _version(key, b)))


@operation("/process-definitions/<key>/versions/<int:number>/redeploy", "POST",
           summary="Deploy an old version again", tag="process definitions", status=201,
           response=DeployedVersionSchema, errors=(403, 404, 409),
           headers={"Location": "the process"})
def versions_redeploy(key, number):
    """The diagram of version ``number`` becomes the newest version (201); if it already is
    the latest, nothing changes (200). Process owners and admins only.

    :raise 403: any other role
    :raise 404: no such process or version
    :raise 409: someone deployed the same process at the same moment
    """
    user = caller()
    access.check(access.may_deploy(user))
    version, created = engine.redeploy(_version(key, number), actor=user.username)
    headers = {"Location": url_for("api.definitions_get", key=key)} if created else None
    return respond(DeployedVersionSchema, Viewed(version, created=created), 201 if created else 200, headers)


@operation("/process-definitions/<key>/migrations", "POST", summary="Move running cases to another version",
           tag="process definitions", body=MigrationRequestSchema, response=MigrationSchema,
           errors=(403, 404))
def migrations_create(key):
    """With ``dry_run`` (the default), which running cases of ``from_version`` could move to
    ``to_version`` and why the others cannot; without, each case is moved in its own
    transaction, audited, and a refused or failed case is left untouched. Process owners
    and admins only.

    :raise 403: any other role
    :raise 404: no such process or version
    :raise 422: the two versions are the same
    """
    user = caller()
    access.check(access.may_deploy(user))
    body = load_body(MigrationRequestSchema)
    source, target = _version(key, body["from_version"]), _version(key, body["to_version"])
    if source.id == target.id:
        raise ValidationError(_("Choose two different versions."),
                              fields={"to_version": _("Choose two different versions.")})
    ids = body["instance_ids"]
    if body["dry_run"]:
        items = engine.migration_dry_run(source, target)
        if ids is not None:
            items = [o for o in items if o.instance_id in set(ids)]
    else:
        if ids is None:
            ids = [i.id for i in migration.running(source)]
        items = engine.migrate(ids, target, actor=user.username, from_version=source)
    return respond(MigrationSchema, {"from_version": source.version, "to_version": target.version,
                                     "dry_run": body["dry_run"], "items": items})
