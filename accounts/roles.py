"""Roles an admin adds beside the built-in ones (docs/security.md "Roles").

A role's key is what a BPMN lane names (:func:`engine.task_meta.lane_role`): a lane
"Finance Team" is the role ``finance_team``. Keys are lower-case Latin identifiers, so
they read the same in URLs, tokens and the API; a role's ``description`` is its display
name, as the admin typed it. Built-in roles (:data:`accounts.models.ROLES`) keep their
translated names in the web layer.
"""
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from engine import audit
from engine.db import db
from engine.errors import ValidationError
from engine.task_meta import is_role_key

from .models import ROLES, Role
from .service import ensure_roles

TITLE_MAX = 255


def is_built_in(name):
    return name in ROLES


def listing():
    """Every role, built-in and added, by key."""
    ensure_roles()
    return db.session.query(Role).order_by(Role.name).all()


def create(name, title="", *, actor):
    """Add the role ``name`` with the display name ``title``, audited as ``role_created`` in
    the stream ``role:<name>``; the caller commits.

    :raises ValidationError: ``name`` is not a key or is taken, ``title`` is too long;
        ``fields`` names each; nothing is stored
    """
    name = name.strip() if isinstance(name, str) else name
    title = (title or "").strip()
    ensure_roles()
    problems = {}
    if not is_role_key(name):
        problems["name"] = _("Use lower-case Latin letters, digits and underscores, starting with a letter "
                             "(at most 80), e.g. finance_team.")
    elif db.session.get(Role, name) is not None:
        problems["name"] = _taken(name)
    if len(title) > TITLE_MAX:
        problems["title"] = _("At most %(count)d characters.", count=TITLE_MAX)
    if problems:
        raise ValidationError(_("The role could not be created."), fields=problems)
    try:
        with db.session.begin_nested():   # two admins adding the same key: the primary key decides
            role = Role(name=name, description=title)
            db.session.add(role)
    except IntegrityError:
        raise ValidationError(_("The role could not be created."), fields={"name": _taken(name)}) from None
    audit.append(f"role:{name}", "role_created", actor=actor, data_after={"name": name, "title": title})
    return role


def _taken(name):
    return _("A role named %(name)s already exists.", name=name)


def give(user, names, *, actor):
    """Make ``names`` the roles of ``user``, in place of theirs, audited as ``roles_changed`` in
    the stream ``user:<username>`` with the roles before and after; the caller commits. The
    same roles again change nothing and are not audited. A role takes effect at the user's
    next request (roles are read per request, for pages and API tokens alike).

    :returns: whether the roles changed
    :raises ValidationError: no role, a role that does not exist, or an admin taking the
        admin role from themselves (another admin may); ``fields`` has ``roles``; nothing changes
    """
    ensure_roles()
    wanted = sorted({name.strip() for name in names if isinstance(name, str) and name.strip()})
    known = {role.name: role for role in db.session.query(Role).filter(Role.name.in_(wanted))}
    before = sorted(user.role_names)
    problem = None
    if not wanted:
        problem = _("Give at least one role.")
    elif unknown := [name for name in wanted if name not in known]:
        problem = _("No such role: %(names)s.", names=", ".join(unknown))
    elif actor == user.username and "admin" in before and "admin" not in wanted:
        problem = _("You cannot take the admin role from yourself; another admin can.")
    if problem:
        raise ValidationError(_("The roles were not changed."), fields={"roles": problem})
    if wanted == before:
        return False
    user.roles = [known[name] for name in wanted]
    audit.append(f"user:{user.username}", "roles_changed", actor=actor,
                 data_before={"roles": before}, data_after={"roles": wanted})
    return True
