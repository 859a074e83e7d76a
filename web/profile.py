"""The user's own profile: name, language and time zone."""
from zoneinfo import available_timezones

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from engine.db import db

from .i18n import LANGUAGES

bp = Blueprint("profile", __name__)
COMMON_ZONES = ("Asia/Ho_Chi_Minh", "Europe/Moscow", "Asia/Bangkok", "Asia/Singapore",
                "Europe/Kaliningrad", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Vladivostok", "UTC")


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=255)])
    locale = SelectField(_l("Language"),
                         choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])

    def validate_timezone(self, field):
        if field.data not in available_timezones():
            raise ValidationError(_("Unknown time zone, e.g. Asia/Ho_Chi_Minh or Europe/Moscow."))


@bp.get("/profile")
@login_required
def profile_show():
    return render_template("profile.html", form=ProfileForm(obj=current_user.user), zones=COMMON_ZONES)


@bp.post("/profile")
@login_required
def profile_update():
    """:raise 422: invalid name or time zone (nothing saved)"""
    form = ProfileForm()
    if not form.validate_on_submit():
        return render_template("profile.html", form=form, zones=COMMON_ZONES), 422
    user = current_user.user
    user.full_name = form.full_name.data.strip()
    user.locale, user.timezone = form.locale.data, form.timezone.data
    db.session.commit()
    flash(_("Profile saved."), "success")
    return redirect(url_for("profile.profile_show"))
