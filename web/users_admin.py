"""The admin's user list: every account with its roles, giving roles, and resetting a password.

Roles are ticked per person from every role there is, built-in or added on /admin/roles
(:func:`accounts.roles.give`, audited as ``roles_changed``). A reset sets the password the
admin types, shows it once on the page that answers (to hand over), ends every session of
the user and revokes their API tokens (:func:`accounts.service.set_password`), audited as
``password_reset``.

:raise 403: anyone but an admin (every page of the blueprint)
:raise 404: no such user
:raise 422: the new password is too short or too long, or the roles ticked cannot be given
    (nothing changed)
"""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts import roles, service
from accounts.models import User
from engine.db import db
from engine.errors import NotFoundError, ValidationError

from . import access
from .auth import renew_session
from .formatting import role_title

bp = Blueprint("users_admin", __name__, url_prefix="/admin/users")


@bp.before_request
@login_required
def _admins_only():
    access.check("admin" in access.roles(current_user), _("Only an admin may manage users."))


def _page(*, status=200, errors=None, role_errors=None, reset=None, new_password=None, saved=None):
    people = db.session.query(User).order_by(User.username).all()
    every_role = [{"name": role.name, "title": role_title(role)} for role in roles.listing()]
    return render_template("users_admin/index.html", people=people, errors=errors or {},
                           role_errors=role_errors or {}, every_role=every_role, reset=reset,
                           new_password=new_password, saved=saved), status


def _user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError(_("Not found."))
    return user


@bp.get("")
def user_index():
    return _page(saved=request.args.get("saved"))


@bp.post("/<int:user_id>/roles")
def user_roles_update(user_id):
    """Give the ticked roles in place of the user's; back to the list, or the list again
    with what was wrong under the user's roles."""
    user = _user(user_id)
    try:
        roles.give(user, request.form.getlist("roles"), actor=current_user.username)
    except ValidationError as error:
        db.session.rollback()
        return _page(status=422, role_errors={user.id: error.fields.get("roles") or error.message})
    db.session.commit()
    return redirect(url_for(".user_index", saved=user.username, _anchor=f"user-{user.username}"), 303)


@bp.post("/<int:user_id>/password")
def user_password_reset(user_id):
    """Set the typed password; it is shown once, on the page that answers."""
    user = _user(user_id)
    password = request.form.get("password") or ""
    if not service.PASSWORD_MIN <= len(password) <= service.PASSWORD_MAX:
        message = _("Use %(min)s to %(max)s characters.", min=service.PASSWORD_MIN, max=service.PASSWORD_MAX)
        return _page(status=422, errors={user.id: message})
    service.set_password(user, password, actor=current_user.username, kind="password_reset")
    db.session.commit()
    if user.id == current_user.user.id:
        renew_session(user)  # the admin's own reset keeps this browser signed in
    return _page(reset=user, new_password=password)
