"""Tokens: trade a username and password for a bearer token; revoke the token in use.

Password attempts count against the same throttle as the sign-in page
(:mod:`web.throttle`): per user name and per client address, counted before the
password is checked; an unknown user name takes as long and gets the same answer as
a wrong password.
"""
from datetime import timedelta

from flask import g
from flask_babel import gettext as _
from flask_babel import ngettext

from accounts import service, tokens
from accounts.models import User
from engine.db import db
from engine.errors import UnauthorizedError
from engine.types import utcnow

from .. import throttle
from .common import load_body, no_content, respond
from .registry import operation
from .schemas import TokenRequestSchema, TokenSchema


@operation("/auth/token", "POST", summary="Issue a bearer token for a username and password",
           tag="auth", public=True, body=TokenRequestSchema, response=TokenSchema, errors=(401, 429))
def auth_token_create():
    """The token is in the response once and never again: only its SHA-256 is stored.
    Like an OAuth 2 token endpoint, the answer is 200.

    :raise 401: wrong username or password, or an inactive user
    :raise 429: five failed attempts for this username, or too many from this address,
        within fifteen minutes (``Retry-After``)
    """
    body = load_body(TokenRequestSchema)
    username = body["username"].strip()
    wait = throttle.attempt(username)
    if wait:
        message = ngettext("Too many failed attempts. Try again in %(num)d minute.",
                           "Too many failed attempts. Try again in %(num)d minutes.", throttle.minutes(wait))
        raise throttle.ThrottledError(message, retry_after=wait)
    user = db.session.query(User).filter_by(username=username).first()
    if not service.check_password(user, body["password"]):
        raise UnauthorizedError(_("Wrong username or password."))
    throttle.succeeded(username)
    days = body["expires_in_days"]
    now = utcnow()
    row, token = tokens.issue(user, name=body["name"], now=now,
                              expires_at=now + timedelta(days=days) if days else None)
    db.session.commit()
    return respond(TokenSchema, {"token": token, "prefix": row.prefix, "name": row.name, "user": user,
                                 "created_at": row.created_at, "expires_at": row.expires_at})


@operation("/auth/token", "DELETE", summary="Revoke the token sent with this request", tag="auth",
           status=204)
def auth_token_delete():
    """The token stops working at once; the user's other tokens are not touched."""
    tokens.revoke(g.api_token)
    db.session.commit()
    return no_content()
