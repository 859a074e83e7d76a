"""Creating users, checking and changing passwords, ending a user's sessions."""
import secrets

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

from engine import audit
from engine.db import db
from engine.errors import ConflictError, ValidationError
from engine.types import utcnow

from .models import ROLES, ApiToken, Role, User

PASSWORD_MIN = 8
PASSWORD_MAX = 200
_DUMMY_HASHES = {}  # hash method -> the hash of a random password nobody knows

DEMO_USERS = [
    ("admin", "Quản trị viên", ["admin"], "en"),
    ("manager", "Trần Thị Thu Hằng", ["manager", "sales"], "vi"),
    *[(f"sales{n}", name, ["sales"], "vi") for n, name in enumerate(
        ["Nguyễn Văn An", "Lê Thị Bình", "Phạm Minh Châu", "Hoàng Đức Dũng", "Vũ Thu Hà"], start=1)],
    ("owner", "Phan Thanh Sơn", ["process_owner"], "en"),
    ("auditor", "Lý Thu Trang", ["auditor"], "en"),
    ("partner1", "Иван Петров", ["partner"], "ru"),
    ("partner2", "Đặng Văn Giới Thiệu", ["partner"], "vi"),
    ("customer1", "Ngô Thị Khách", ["customer"], "vi"),
    ("analyst1", "Анна Смирнова", ["broker_analyst"], "ru"),
    ("brokerlead", "Олег Кузнецов", ["broker_lead", "broker_analyst"], "ru"),
    *[(f"consultant{n}", name, ["consultant"], "vi") for n, name in enumerate(
        ["Bùi Thị Lan", "Đỗ Quang Huy", "Trịnh Minh Tâm"], start=1)],
]


def ensure_roles():
    """Create the built-in roles that do not exist yet."""
    existing = {r.name for r in db.session.query(Role)}
    db.session.add_all(Role(name=name, description=name.replace("_", " ")) for name in ROLES
                       if name not in existing)
    db.session.flush()


def role_names():
    return {r.name for r in db.session.query(Role)}


def _hash(password):
    method = current_app.config.get("TASKLANE_PASSWORD_HASH", "scrypt") if has_app_context() else "scrypt"
    return generate_password_hash(password, method=method)


def add_user(username, password, roles, *, full_name="", email=None, locale="en", is_demo=False):
    """Create a user.

    :raises ValidationError: empty username, short password or unknown role
    :raises ConflictError: the username is taken
    """
    username = (username or "").strip()
    problems = {}
    if not username:
        problems["username"] = "required"
    if not password or len(password) < 4:
        problems["password"] = "at least 4 characters"  # noqa: S105 - a message, not a password
    ensure_roles()
    known = {r.name: r for r in db.session.query(Role)}
    unknown = [r for r in roles if r not in known]
    if unknown:
        problems["roles"] = f"unknown role(s): {', '.join(unknown)}"
    if problems:
        raise ValidationError("the user could not be created", fields=problems)
    if db.session.query(User).filter_by(username=username).first():
        raise ConflictError(f"user '{username}' already exists")
    user = User(username=username, password_hash=_hash(password), full_name=full_name,
                email=email, locale=locale, is_demo=is_demo, roles=[known[r] for r in roles])
    db.session.add(user)
    db.session.flush()
    return user


def _dummy_hash():
    method = current_app.config.get("TASKLANE_PASSWORD_HASH", "scrypt") if has_app_context() else "scrypt"
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _DUMMY_HASHES[method]


def check_password(user, password):
    """Whether ``user`` is active and ``password`` is theirs.

    A password is hashed whatever the answer: for an unknown user (``None``) against a
    hash nobody knows, so the time taken does not tell which user names exist.
    """
    matches = check_password_hash(_dummy_hash() if user is None else user.password_hash, password or "")
    return user is not None and user.active and matches


def spend_hash_time(password):
    """Hash ``password`` and throw the hash away: the time of creating an account when none is."""
    _hash(password or "")


def end_sessions(user):
    """End every session of ``user`` on every device (their cookies no longer sign in).

    Takes effect when the caller commits. A session the caller wants to keep must be
    signed in again afterwards (web/auth.py ``renew_session``).
    """
    user.session_generation = (user.session_generation or 0) + 1


def set_password(user, password, *, actor, kind="password_changed"):
    """Give ``user`` a new password, end their sessions and audit ``kind`` in the stream
    ``user:<username>`` (the password is not recorded); the caller commits.

    ``kind`` ``password_reset`` (by an admin) also revokes the user's API tokens: whoever
    knew the old password may have made one.

    :returns: how many API tokens were revoked
    """
    user.password_hash = _hash(password)
    end_sessions(user)
    revoked = 0
    if kind == "password_reset":
        now = utcnow()
        revoked = (db.session.query(ApiToken)
                   .filter(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                   .update({ApiToken.revoked_at: now}, synchronize_session=False))
    audit.append(f"user:{user.username}", kind, actor=actor,
                 data_after={"username": user.username, "api_tokens_revoked": revoked})
    return revoked


def ensure_demo_users(password):
    """Create the demo users that are missing; returns how many were created."""
    created = 0
    for username, full_name, roles, locale in DEMO_USERS:
        if db.session.query(User).filter_by(username=username).first() is None:
            add_user(username, password, roles, full_name=full_name,
                     email=f"{username}@example.test", locale=locale, is_demo=True)
            created += 1
    db.session.commit()
    return created


def full_names(usernames=None):
    """username -> the name people know the user by (the username when none was given, or
    for a name no account has). ``usernames``: only these; ``None``: every user."""
    query = db.session.query(User.username, User.full_name)
    names = {}
    if usernames is not None:
        names = {name: name for name in usernames if name}
        if not names:
            return {}
        query = query.filter(User.username.in_(names))
    names.update({username: full_name or username for username, full_name in query})
    return names
