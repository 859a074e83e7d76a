"""One error shape: JSON ``{"error": {"code", "message", "fields"}}`` or one page."""
from flask import jsonify, render_template, request

from engine.errors import TasklaneError


def _wants_json():
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def handle(error):
    body = {"error": {"code": error.code, "message": error.message, "fields": error.fields}}
    if _wants_json():
        return jsonify(body), error.status
    return render_template("error.html", error=body["error"], status=error.status), error.status


def init_app(app):
    app.register_error_handler(TasklaneError, handle)
