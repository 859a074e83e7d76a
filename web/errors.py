"""One error shape: JSON ``{"error": {"code", "message", "fields"}}`` or one page.

Requests under ``/api/`` (and clients that ask for JSON) get the JSON shape;
browsers get ``error.html``. Besides Tasklane's own errors, werkzeug's HTTP errors
(unknown route, wrong method, body too large, bad request, CSRF) and unexpected
failures take the same shape. Extra keys inside ``error``: ``winner`` on a 409
(who completed or holds the object), ``problems`` for an invalid diagram. An error
may carry ``headers`` (``Retry-After``, ``WWW-Authenticate``); a 401 of the API
always says ``WWW-Authenticate: Bearer``.
"""
from flask import jsonify, make_response, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from engine.db import db
from engine.errors import CaseDataTooLargeError, ConflictError, DeployError, IncidentError, TasklaneError

HTTP_ERRORS = {
    400: ("bad_request", _l("The request could not be understood.")),
    401: ("unauthorized", _l("Please sign in.")),
    403: ("forbidden", _l("You may not open or change this.")),
    404: ("not_found", _l("Not found.")),
    405: ("method_not_allowed", _l("This method is not allowed here.")),
    413: ("too_large", _l("The request body is too large.")),
    415: ("unsupported_media_type", _l("This content type is not accepted here.")),
    429: ("too_many_requests", _l("Too many requests. Try again later.")),
    500: ("internal_error", _l("Something went wrong on our side. Please try again.")),
}
TOO_LARGE_MESSAGE = _l("The request is too large: this address accepts at most {size} MB.")
CSRF_MESSAGE = _l("The form has expired or came from another site. Reload the page and try again.")


def is_api():
    return request.path.startswith("/api/")


def _wants_json():
    return is_api() or request.accept_mimetypes.best == "application/json"


def respond(body, status, headers=None):
    """``body`` (``{"error": {...}}``) as JSON or as the error page, with ``status``."""
    if _wants_json():
        response = jsonify(body)
    else:
        response = make_response(render_template("error.html", error=body["error"], status=status))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401 and is_api():
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="tasklane"')
    return response


def incident_message(error):
    """What the person whose action met an incident reads: the reason in their language,
    then the engine's own words (an element id and a Python error, for the process owner)."""
    if getattr(error, "retried", False):
        return _("The retry failed: %(reason)s. Nothing was changed; the incident is recorded again.",
                 reason=error.message)
    if isinstance(error, CaseDataTooLargeError):
        return _("The case's data would grow past its limit of %(limit)s bytes. Nothing was saved; "
                 "the case is marked for its process owner.", limit=format_decimal(error.limit))
    return _("The process could not go on: %(reason)s. Nothing was saved; the case is marked for "
             "its process owner.", reason=error.message)


def handle(error):
    message = incident_message(error) if isinstance(error, IncidentError) else str(error.message)
    body = {"error": {"code": error.code, "message": message, "fields": error.fields}}
    if isinstance(error, ConflictError) and error.winner:
        body["error"]["winner"] = error.winner
    if isinstance(error, DeployError):
        body["error"]["problems"] = error.problems
    return respond(body, error.status, getattr(error, "headers", None))


def handle_http(error):
    """werkzeug's HTTP errors in the one shape; redirects and ready responses pass through."""
    if error.code is None or error.code < 400 or error.response is not None:
        return error
    code, message = HTTP_ERRORS.get(error.code, (error.name.lower().replace(" ", "_"), error.description))
    if isinstance(error, CSRFError):
        code, message = "csrf_failed", CSRF_MESSAGE
    if error.code == 413 and request.max_content_length:
        message = TOO_LARGE_MESSAGE.format(size=format_decimal(round(request.max_content_length / 1e6, 1)))
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return respond({"error": {"code": code, "message": str(message), "fields": {}}}, error.code, headers)


def handle_unexpected(error):
    """Whatever escaped every other handler (Flask has logged it): a 500 in the one shape."""
    db.session.rollback()  # the page's own queries (the user, the bell) must not meet a failed transaction
    code, message = HTTP_ERRORS[500]
    return respond({"error": {"code": code, "message": str(message), "fields": {}}}, 500)


def init_app(app):
    app.register_error_handler(TasklaneError, handle)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(HTTPException, handle_http)
