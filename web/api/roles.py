"""Roles: the built-in ones and those an admin adds, so that a diagram's lanes can name them
(docs/security.md "Roles").

Staff and auditors read the list (a process owner checks a lane's role before deploying);
only admins add a role.
"""
from marshmallow import Schema, fields

from accounts import roles
from engine.db import db
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
