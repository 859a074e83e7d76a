"""Self-registration of referrers (seed 000: anyone who joins may refer customers).

The checks of what a person typed, with their translated messages, live in
:mod:`web.referrals.signup` (the strings of ``accounts`` are not extracted for translation);
this module holds what the database decides: who has a username or a phone, and
creating the account with the ``partner`` role and nothing else.
"""
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from engine import audit
from engine.db import db
from engine.errors import ConflictError

from .models import User
from .service import add_user

ROLE = "partner"


def username_taken(username):
    """Whether any user, active or not, has ``username``, ignoring case."""
    return db.session.query(User.id).filter(func.lower(User.username) == username.lower()).first() is not None


def phone_taken(phone):
    """Whether an active user has ``phone`` (E.164)."""
    return db.session.query(User.id).filter(User.phone == phone, User.active.is_(True)).first() is not None


def create_partner(username, password, *, full_name, phone, email=None, locale="en"):
    """Create and commit a referrer account with the ``partner`` role only, audited as
    ``user_registered`` in the stream ``user:<username>`` (the password is not recorded).

    The caller has checked the fields; the unique username constraint settles a race.

    :raises ConflictError: the username was taken meanwhile (``winner`` is the username);
        nothing is stored
    """
    try:
        user = add_user(username, password, [ROLE], full_name=full_name, email=email, locale=locale)
        user.phone = phone
        audit.append(f"user:{username}", "user_registered", actor=username, data_after={
            "username": username, "full_name": full_name, "phone": phone, "email": email,
            "locale": locale, "roles": [ROLE]})
        db.session.commit()
    except (IntegrityError, ConflictError) as error:
        db.session.rollback()
        if not username_taken(username):
            raise
        raise ConflictError(f"user '{username}' already exists", winner=username) from error
    return user
