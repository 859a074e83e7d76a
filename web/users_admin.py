"""The admin's user list: every account with its roles, and resetting a password.

A reset sets the password the admin types, shows it once on the page that answers (to
hand over), ends every session of the user and revokes their API tokens
(:func:`accounts.service.set_password`), audited as ``password_reset``.

:raise 403: anyone but an admin (every page of the blueprint)
:raise 404: no such user
:raise 422: the new password is too short or too long (nothing changed)
"""
from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts import service
from accounts.models import User
from engine.db import db
from engine.errors import NotFoundError

from . import access
from .auth import renew_session

bp = Blueprint("users_admin", __name__, url_prefix="/admin/users")


@bp.before_request
@login_required
def _admins_only():
    access.check("admin" in access.roles(current_user), _("Only an admin may manage users."))


def _page(*, status=200, errors=None, reset=None, new_password=None):
    people = db.session.query(User).order_by(User.username).all()
    return render_template("users_admin/index.html", people=people, errors=errors or {},
                           reset=reset, new_password=new_password), status


@bp.get("")
def user_index():
    return _page()


@bp.post("/<int:user_id>/password")
def user_password_reset(user_id):
    """Set the typed password; it is shown once, on the page that answers."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError(_("Not found."))
    password = request.form.get("password") or ""
    if not service.PASSWORD_MIN <= len(password) <= service.PASSWORD_MAX:
        message = _("Use %(min)s to %(max)s characters.", min=service.PASSWORD_MIN, max=service.PASSWORD_MAX)
        return _page(status=422, errors={user.id: message})
    service.set_password(user, password, actor=current_user.username, kind="password_reset")
    db.session.commit()
    if user.id == current_user.user.id:
        renew_session(user)  # the admin's own reset keeps this browser signed in
    return _page(reset=user, new_password=password)
