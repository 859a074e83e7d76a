"""Bearer API tokens for integrations: issue, verify, revoke.

A token is ``tl_`` followed by 32 random bytes (URL-safe base64). Only its SHA-256
is stored, with the first characters (``prefix``) so that a person can tell their
tokens apart; the token itself is shown once, when it is issued. A token stops
working when it is revoked, when it expires, or when its user is deactivated.
"""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import or_, update

from engine.db import db
from engine.types import utcnow

from .models import ApiToken

SCHEME = "tl_"
PREFIX_LENGTH = 11  # "tl_" and 8 characters: fits ApiToken.prefix, too short to guess from
TOUCH_EVERY = timedelta(minutes=1)


def digest(token):
    """The SHA-256 (hex) under which ``token`` is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user, *, name="", expires_at=None, now=None):
    """Create a token for ``user`` in the current transaction (the caller commits).

    :param expires_at: an aware datetime after which the token is refused; ``None``: never
    :returns: ``(row, token)``: the stored row, and the token text, which is not kept
    """
    token = SCHEME + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=(name or "")[:120], token_hash=digest(token),
                   prefix=token[:PREFIX_LENGTH], created_at=now or utcnow(), expires_at=expires_at)
    db.session.add(row)
    db.session.flush()
    return row, token


def verify(token, *, now=None):
    """The live :class:`ApiToken` row for ``token``, or ``None``.

    Records when the token was last used, at most once a minute per token (a
    conditional UPDATE, committed at once), so that busy integrations do not write
    on every request.

    :returns: ``None`` for an unknown, revoked or expired token, or one whose user is inactive
    """
    if not token or not token.startswith(SCHEME) or len(token) > 200:
        return None
    now = now or utcnow()
    row = db.session.query(ApiToken).filter_by(token_hash=digest(token)).one_or_none()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or row.last_used_at <= now - TOUCH_EVERY:
        result = db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == row.id, or_(ApiToken.last_used_at.is_(None),
                                               ApiToken.last_used_at <= now - TOUCH_EVERY))
            .values(last_used_at=now).execution_options(synchronize_session=False))
        db.session.commit()
        if result.rowcount:
            db.session.refresh(row)
    return row


def revoke(row, *, now=None):
    """Refuse ``row`` from now on, in the current transaction (the caller commits).

    Revoking a revoked token keeps its first revocation time.
    """
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
    return row


def tokens_of(user):
    """Every token of ``user``, newest first (revoked and expired ones too)."""
    return (db.session.query(ApiToken).filter_by(user_id=user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).all())
