"""Validate a BPMN file without deploying it: what the modeler's Validate button shows."""
from marshmallow import Schema, fields

import engine
from accounts import service

from .. import access, lane_roles
from .common import caller, respond
from .definitions import UPLOAD, bpmn_upload
from .registry import operation
from .schemas import DeployQuerySchema, ProblemSchema


class ValidationReportSchema(Schema):
    valid = fields.Boolean(required=True, metadata={"description": "no problem of severity error"})
    problems = fields.List(fields.Nested(ProblemSchema), required=True)


@operation("/process-definitions/validate", "POST", summary="Check a BPMN file without deploying it",
           tag="process definitions", query=DeployQuerySchema, content=UPLOAD,
           response=ValidationReportSchema, errors=(403,))
def definitions_validate():
    """The checks a deploy makes, reported instead of refused: hostile or malformed XML,
    invalid BPMN, expressions that do not compile or call unknown functions, lanes that
    match no role, timers and due times that do not parse, exclusive gateways without a
    default flow, user tasks whose form is missing (errors), and user tasks without a
    form (warnings); lanes under ``lane_roles`` as a deploy maps them. Always 200 for a
    file that was sent. Process owners and admins.

    :raise 403: any other role
    :raise 422: no file sent
    """
    user = caller()
    access.check(access.may_deploy(user))
    xml, name = bpmn_upload()
    problems = engine.validate(xml, name=name, roles=service.role_names(),
                               lane_roles=lane_roles.from_request())
    valid = not any(p["severity"] == "error" for p in problems)
    return respond(ValidationReportSchema, {"valid": valid, "problems": problems})
