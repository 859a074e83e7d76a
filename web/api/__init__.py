"""The REST API under ``/api/v1``: JSON in and out, bearer tokens, an OpenAPI document.

Authentication: every route except ``POST /auth/token`` and ``GET /openapi.json``
needs ``Authorization: Bearer <token>`` (see :mod:`accounts.tokens`). The session
cookie of the HTML pages is never accepted here, so the API needs no CSRF token
(the blueprint is exempt) and a page cannot be made to call it with the
browser's cookie. The token's user is ``g.api_user`` (an ``accounts.models.User``)
and is also flask_login's ``current_user`` for the request, so that the language
of messages and titles follows the user's profile.

Who may do what is decided by :mod:`web.access`, shared with the HTML pages.
"""
from flask import g, request
from flask_babel import gettext as _

from accounts import tokens
from engine.errors import UnauthorizedError

from ..auth import SessionUser, login_manager
from .registry import bp, is_public


class BearerError(UnauthorizedError):
    """No token, or one that does not work; says so in ``WWW-Authenticate`` (RFC 6750)."""

    def __init__(self, message, *, invalid):
        super().__init__(message)
        challenge = 'Bearer realm="tasklane"' + (', error="invalid_token"' if invalid else "")
        self.headers = {"WWW-Authenticate": challenge}


@bp.before_request
def authenticate():
    """:raise 401: no token, or an unknown, revoked or expired one, or an inactive user's"""
    # flask_login reads the request's user from g._login_user: set it, so that the
    # session cookie is never consulted on the API.
    g._login_user = login_manager.anonymous_user()
    if is_public(request.endpoint):
        return
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BearerError(_("Send an API token: Authorization: Bearer <token>."), invalid=False)
    row = tokens.verify(token.strip())
    if row is None:
        raise BearerError(_("The API token is unknown, expired or revoked."), invalid=True)
    g.api_token, g.api_user = row, row.user
    g._login_user = SessionUser(row.user)


@bp.teardown_request
def forget(_error=None):
    """Drop the caller: an app context (in tests, a CLI command) may outlive the request."""
    for name in ("_login_user", "api_user", "api_token"):
        g.pop(name, None)


def init_app(app):
    from .. import csrf
    from . import (  # noqa: F401
        assignment,
        auth,
        customers,
        definitions,
        instances,
        notifications,
        openapi,
        repair,
        roles,
        tasks,
        validation,
        version_files,
    )

    csrf.exempt(bp)
    app.register_blueprint(bp)
