"""The admin's roles: every role with its name for people, and adding one, so that a
diagram's lane ("Finance Team") has a role to name (``finance_team``). The rules are
:mod:`accounts.roles`; docs/security.md "Roles".

:raise 403: anyone but an admin (every page of the blueprint)
:raise 422: a bad or taken key, a too long name, with the field named (nothing stored)
"""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts import roles
from engine.db import db
from engine.errors import ValidationError

from . import access
from .formatting import role_title

bp = Blueprint("roles_admin", __name__, url_prefix="/admin/roles")


@bp.before_request
@login_required
def _admins_only():
    access.check("admin" in access.roles(current_user), _("Only an admin may manage roles."))


def _page(*, status=200, errors=None, values=None, saved=None):
    shown = [{"role": role, "title": role_title(role), "built_in": roles.is_built_in(role.name)}
             for role in roles.listing()]
    return render_template("roles_admin/index.html", shown=shown, errors=errors or {}, values=values or {},
                           saved=saved), status


@bp.get("")
def role_index():
    return _page(saved=request.args.get("saved"))


@bp.post("")
def role_create():
    """Add the role; back to the list showing it, or the form again with what was wrong."""
    values = {"name": request.form.get("name", ""), "title": request.form.get("title", "")}
    try:
        role = roles.create(values["name"], values["title"], actor=current_user.username)
    except ValidationError as error:
        db.session.rollback()
        return _page(status=422, errors=error.fields, values=values)
    db.session.commit()
    return redirect(url_for(".role_index", saved=role.name), 303)
