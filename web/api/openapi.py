"""The OpenAPI 3.1 document, built from the operation table and the marshmallow schemas."""
import re
from collections import defaultdict
from http import HTTPStatus

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify
from marshmallow import Schema

from ..limits import DB_INT_MAX
from . import schemas
from .registry import OPERATIONS, PREFIX, operation

ERROR_RESPONSES = {
    401: ("Unauthorized", "No token, or an unknown, expired or revoked one (`WWW-Authenticate: Bearer`)"),
    403: ("Forbidden", "The caller's role or team may not do this"),
    404: ("NotFound", "No such object"),
    409: ("Conflict", "Someone else got there first; `error.winner` names them when known"),
    422: ("Unprocessable", "Invalid input; `error.fields` maps each field to its message"),
    429: ("TooManyRequests", "Too many failed attempts (`Retry-After` in seconds)"),
}
RULE_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
CONVERTER_TYPES = {"int": "integer", "float": "number"}
DESCRIPTION = ("Tasklane's REST API. Send `Authorization: Bearer <token>` (from `POST /api/v1/auth/token`). "
               'Every error has the shape `{"error": {"code", "message", "fields"}}`. See docs/api.md.')


def openapi_path(rule):
    """A Flask rule (``/tasks/<task_id>``) as an OpenAPI path (``/api/v1/tasks/{task_id}``)."""
    return PREFIX + RULE_ARGUMENT.sub(lambda m: "{" + m.group(2) + "}", rule)


def _path_parameters(rule):
    return [{"name": name, "in": "path", "required": True, "schema": _path_schema(converter)}
            for converter, name in RULE_ARGUMENT.findall(rule)]


def _path_schema(converter):
    if converter == "int":  # web.limits.DbIntConverter: past the database's range the URL is a 404
        return {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX}
    return {"type": CONVERTER_TYPES.get(converter, "string")}


def _schema_classes():
    return [value for value in vars(schemas).values()
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == schemas.__name__]


def _success(op):
    response = {"description": HTTPStatus(op.status).phrase}
    if op.response is not None:
        response["content"] = {"application/json": {"schema": op.response}}
    if op.produces:
        response["content"] = op.produces
    if op.headers:
        response["headers"] = {name: {"description": text, "schema": {"type": "string"}}
                               for name, text in op.headers.items()}
    return response


def _operation(op):
    document = {
        "operationId": op.endpoint.split(".", 1)[1], "summary": op.summary, "tags": [op.tag],
        "responses": {str(op.status): _success(op),
                      **{str(status): ERROR_RESPONSES[status][0] for status in op.statuses()}},
    }
    if op.description:
        document["description"] = op.description
    if op.public:
        document["security"] = []
    if op.query is not None:
        document["parameters"] = [{"in": "query", "schema": op.query}]
    if op.body is not None:
        document["requestBody"] = {"required": False, "content": {"application/json": {"schema": op.body}}}
    elif op.content:
        document["requestBody"] = {"required": True, "content": op.content}
    return document


def build():
    """The whole document as a dict."""
    spec = APISpec(title="Tasklane API", version="1.0.0", openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin()], info={"description": DESCRIPTION},
                   security=[{"bearer": []}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "a token from POST /api/v1/auth/token"})
    for schema in _schema_classes():
        spec.components.schema(schema.__name__.removesuffix("Schema"), schema=schema)
    for name, description in ERROR_RESPONSES.values():
        spec.components.response(name, {"description": description,
                                        "content": {"application/json": {"schema": schemas.ErrorSchema}}})
    paths = defaultdict(dict)
    for op in OPERATIONS:
        paths[op.rule][op.method.lower()] = _operation(op)
    for rule, operations in sorted(paths.items()):
        spec.path(path=openapi_path(rule), operations=operations, parameters=_path_parameters(rule))
    return spec.to_dict()


@operation("/openapi.json", "GET", summary="This document (OpenAPI 3.1)", tag="meta", public=True,
           response={"type": "object"})
def openapi_get():
    """Built once per process from the routes and schemas; no token needed."""
    document = current_app.extensions.get("tasklane_openapi")
    if document is None:
        document = current_app.extensions["tasklane_openapi"] = build()
    return jsonify(document)
