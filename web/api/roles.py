"""Roles: the built-in ones and those an admin adds, so that a diagram's lanes can name them,
and who holds which (docs/security.md "Roles").

Staff and auditors read the list (a process owner checks a lane's role before deploying);
only admins add a role, and give roles to people.
"""
from flask_babel import gettext as _
from marshmallow import Schema, fields, validate

from accounts import roles
from accounts.models import User
from engine.db import db
from engine.errors import NotFoundError
from web import access
from web.api.common import Viewed, caller, load_body, respond
from web.api.registry import operation
from web.formatting import role_title


class RoleSchema(Schema):
    name = fields.String(metadata={"example": "finance_team", "description": "the key a BPMN lane names"})
    title = fields.String(metadata={"description": "the role's name for people (built-in roles: in the "
                                                   "caller's language)"})
    built_in = fields.Boolean()


class RoleListSchema(Schema):
    items = fields.List(fields.Nested(RoleSchema), required=True)


class RoleCreateSchema(Schema):
    # the lengths and the key's shape are checked by accounts.roles.create, for the page too
    name = fields.String(required=True, metadata={"example": "finance_team"})
    title = fields.String(load_default="", metadata={"example": "Finance team"})


def _viewed(role):
    return Viewed(role, title=role_title(role), built_in=roles.is_built_in(role.name))


@operation("/roles", "GET", summary="Every role, built-in and added", tag="roles", response=RoleListSchema,
           errors=(403,))
def roles_list():
    """Staff and auditors.

    :raise 403: partners and customers
    """
    user = caller()
    access.check(access.is_staff(user) or access.is_auditor(user))
    return respond(RoleListSchema, {"items": [_viewed(role) for role in roles.listing()]})


@operation("/roles", "POST", summary="Add a role", tag="roles", body=RoleCreateSchema, response=RoleSchema,
           status=201, errors=(403,))
def roles_create():
    """Admins only. ``name`` is the key a lane names (lane "Finance Team" is ``finance_team``):
    lower-case Latin letters, digits and underscores, starting with a letter; ``title`` is its
    name for people. Audited as ``role_created``.

    :raise 403: anyone but an admin
    :raise 422: a bad or taken ``name``, a too long ``title``; nothing stored
    """
    user = caller()
    access.check("admin" in access.roles(user))
    body = load_body(RoleCreateSchema)
    role = roles.create(body["name"], body["title"], actor=user.username)
    db.session.commit()
    return respond(RoleSchema, _viewed(role), status=201)


class UserRolesSchema(Schema):
    username = fields.String()
    roles = fields.List(fields.String(), metadata={"description": "role keys, sorted"})


class UserRolesUpdateSchema(Schema):
    roles = fields.List(fields.String(validate=validate.Length(max=80)), required=True,
                        validate=validate.Length(max=100),
                        metadata={"example": ["sales", "finance_team"], "description": "every role the "
                                  "user is to hold, in place of theirs (at least one)"})


def _user(username):
    user = db.session.query(User).filter_by(username=username).one_or_none()
    if user is None:
        raise NotFoundError(_("Not found."))
    return user


def _user_roles(user):
    return {"username": user.username, "roles": sorted(user.role_names)}


@operation("/users/<username>/roles", "GET", summary="The roles a user holds", tag="roles",
           response=UserRolesSchema, errors=(403, 404))
def users_roles_get(username):
    """Admins only.

    :raise 403: anyone but an admin
    :raise 404: no such user
    """
    access.check("admin" in access.roles(caller()))
    return respond(UserRolesSchema, _user_roles(_user(username)))


@operation("/users/<username>/roles", "PUT", summary="Give a user their roles", tag="roles",
           body=UserRolesUpdateSchema, response=UserRolesSchema, errors=(403, 404))
def users_roles_update(username):
    """Admins only. ``roles`` replaces the user's roles (built-in or added on ``/admin/roles``);
    they take effect at the user's next request. Audited as ``roles_changed`` in
    ``user:<username>`` with the roles before and after; the same roles again change nothing.

    :raise 403: anyone but an admin
    :raise 404: no such user
    :raise 422: no role, a role that does not exist, or an admin taking the admin role from
        themselves; nothing changes
    """
    user = caller()
    access.check("admin" in access.roles(user))
    person = _user(username)
    body = load_body(UserRolesUpdateSchema)
    roles.give(person, body["roles"], actor=user.username)
    db.session.commit()
    return respond(UserRolesSchema, _user_roles(person))
