"""Creating users and checking passwords."""
from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

from engine.db import db
from engine.errors import ConflictError, ValidationError

from .models import ROLES, Role, User

DEMO_USERS = [
    ("admin", "Quản trị viên", ["admin"], "en"),
    ("manager", "Trần Thị Thu Hằng", ["manager", "sales"], "vi"),
    *[(f"sales{n}", name, ["sales"], "vi") for n, name in enumerate(
        ["Nguyễn Văn An", "Lê Thị Bình", "Phạm Minh Châu", "Hoàng Đức Dũng", "Vũ Thu Hà"], start=1)],
    ("owner", "Process Owner", ["process_owner"], "en"),
    ("auditor", "Auditor", ["auditor"], "en"),
    ("partner1", "Иван Петров", ["partner"], "ru"),
    ("partner2", "Đặng Văn Giới Thiệu", ["partner"], "vi"),
    ("customer1", "Ngô Thị Khách", ["customer"], "vi"),
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


def check_password(user, password):
    return user is not None and user.active and check_password_hash(user.password_hash, password)


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
