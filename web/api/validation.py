"""Validate BPMN files (with DMN and form files) without deploying them: what the modeler's
Validate button shows."""
from marshmallow import Schema, fields

import engine
from accounts import service
from engine.errors import DeployError

from .. import access, lane_roles
from . import uploads
from .common import caller, respond
from .registry import operation
from .schemas import DeployQuerySchema, ProblemSchema


class ValidationReportSchema(Schema):
    valid = fields.Boolean(required=True, metadata={"description": "no problem of severity error"})
    problems = fields.List(fields.Nested(ProblemSchema), required=True)
    skipped = fields.List(fields.String(), metadata={"description": "files of the upload that were not read: "
                                                                    "not .bpmn, .dmn or .json"})


@operation("/process-definitions/validate", "POST", summary="Check BPMN files without deploying them",
           tag="process definitions", query=DeployQuerySchema, content=uploads.UPLOAD,
           response=ValidationReportSchema, errors=(403,))
def definitions_validate():
    """The checks a deploy makes, reported instead of refused: files that cannot be a
    bundle, hostile or malformed XML, invalid BPMN or DMN, expressions (of scripts,
    conditions and decision tables) that do not compile or call unknown functions, callees
    and decisions neither uploaded nor deployed, lanes that match no role, timers and due
    times that do not parse, exclusive gateways without a default flow, user tasks whose
    form is missing (errors), and user tasks without a form (warnings); lanes under
    ``lane_roles`` as a deploy maps them. Always 200 for files that were sent. Process
    owners and admins.

    :raise 403: any other role
    :raise 422: no file sent
    """
    user = caller()
    access.check(access.may_deploy(user))
    try:
        bundle = uploads.read_bundle()
    except DeployError as error:
        problems = [{"severity": "error", **p} for p in error.problems]
        return respond(ValidationReportSchema, {"valid": False, "problems": problems, "skipped": []})
    problems = engine.validate(bundle, name=bundle.name, roles=service.role_names(),
                               lane_roles=lane_roles.from_request())
    valid = not any(p["severity"] == "error" for p in problems)
    return respond(ValidationReportSchema,
                   {"valid": valid, "problems": problems, "skipped": list(bundle.skipped)})
