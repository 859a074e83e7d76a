"""The user's own profile: name, language, time zone, password, and API tokens for integrations."""
from zoneinfo import available_timezones

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from accounts import service, tokens
from accounts.models import ApiToken
from engine import places
from engine.db import db
from engine.errors import NotFoundError

from . import throttle
from .auth import renew_session
from .i18n import LANGUAGES

bp = Blueprint("profile", __name__)


def zone_choices():
    """The zones the profile offers: the configured places' first, then every other one."""
    ours = places.zones()
    return [*ours, *sorted(available_timezones() - set(ours))]


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=255)])
    locale = SelectField(_l("Language"),
                         choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])

    def validate_timezone(self, field):
        if field.data not in available_timezones():
            raise ValidationError(_("Unknown time zone, e.g. %(zones)s.", zones=", ".join(places.zones())))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=service.PASSWORD_MIN, max=service.PASSWORD_MAX)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[DataRequired()])

    def validate_new_password(self, field):
        if field.data.lower() == current_user.username.lower():
            raise ValidationError(_("The password may not be the username."))

    def validate_confirm(self, field):
        if field.data != self.new_password.data:
            raise ValidationError(_("The passwords do not match."))


def _render(form, status=200, new_token=None, password_form=None):
    return render_template("profile.html", form=form, zones=zone_choices(), new_token=new_token,
                           password_form=password_form or PasswordForm(formdata=None),
                           tokens=tokens.tokens_of(current_user.user)), status


@bp.get("/profile")
@login_required
def profile_show():
    return _render(ProfileForm(obj=current_user.user))


@bp.post("/profile")
@login_required
def profile_update():
    """:raise 422: invalid name or time zone (nothing saved)"""
    form = ProfileForm()
    if not form.validate_on_submit():
        return _render(form, 422)
    user = current_user.user
    user.full_name = form.full_name.data.strip()
    user.locale, user.timezone = form.locale.data, form.timezone.data
    db.session.commit()
    flash(_("Profile saved."), "success")
    return redirect(url_for("profile.profile_show"))


@bp.post("/profile/password")
@login_required
def password_update():
    """Change the user's password; their sessions on other devices end, this one stays.

    Wrong current passwords count against the sign-in throttle (:mod:`web.throttle`).

    :raise 422: a field is invalid or the current password is wrong (nothing changed)
    :raise 429: too many wrong passwords for this user or from this address
    """
    form, user = PasswordForm(), current_user.user
    if not form.validate_on_submit():
        return _render(ProfileForm(obj=user), 422, password_form=form)
    wait = throttle.attempt(user.username)
    if wait:
        minutes = throttle.minutes(wait)
        flash(ngettext("Too many failed attempts. Try again in %(num)d minute.",
                       "Too many failed attempts. Try again in %(num)d minutes.", minutes), "error")
        page, _status = _render(ProfileForm(obj=user), password_form=form)
        return page, 429, {"Retry-After": str(wait)}
    if not service.check_password(user, form.current_password.data):
        form.current_password.errors = [_("The current password is not right.")]
        return _render(ProfileForm(obj=user), 422, password_form=form)
    throttle.succeeded(user.username)
    service.set_password(user, form.new_password.data, actor=user.username)
    db.session.commit()
    renew_session(user)
    flash(_("Password changed. You are signed out on your other devices."), "success")
    return redirect(url_for("profile.profile_show"))


@bp.post("/profile/tokens")
@login_required
def token_create():
    """Issue a token; it is shown once, on the page that answers."""
    _row, token = tokens.issue(current_user.user, name=(request.form.get("name") or "").strip())
    db.session.commit()
    return _render(ProfileForm(obj=current_user.user), new_token=token)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def token_revoke(token_id):
    """:raise 404: not one of the user's tokens"""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != current_user.user.id:
        raise NotFoundError(_("Not found."))
    tokens.revoke(row)
    db.session.commit()
    flash(_("Token revoked."), "success")
    return redirect(url_for("profile.profile_show"))
