"""Signing in and out, and choosing the language.

Passwords are checked against their hashes, an unknown user name against a dummy hash
(same time, same message as a wrong password). Attempts are throttled per user name
and per client address before the password is looked at (:mod:`web.throttle`, shared
with the API's token endpoint).

A session holds the user's id and their ``session_generation``; the user loader refuses
a session whose generation is not the user's current one. Signing out raises it, so a
copied cookie stops working too, and so do the user's sessions on other devices;
a password change or reset raises it as well (:func:`renew_session` keeps the
current device signed in).
"""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from accounts import service
from accounts.models import User
from engine.db import db
from engine.errors import ValidationError

from . import navigation, throttle
from .i18n import LANGUAGES

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.session_new"
login_manager.login_message = _l("Please sign in to open this page.")


class SessionUser(UserMixin):
    """The signed-in user as Flask-Login sees it; attributes come from the account."""

    def __init__(self, user):
        self.user = user
        self.id = str(user.id)

    def __getattr__(self, name):
        return getattr(self.user, name)

    def get_id(self):
        # Flask-Login's "alternative token": what the session (and a remember cookie) holds.
        return f"{self.user.id}:{self.user.session_generation}"


@login_manager.user_loader
def load_user(session_id):
    user_id, _, generation = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or generation != str(user.session_generation):
        return None
    return SessionUser(user)


def renew_session(user):
    """Sign this browser in again after ``user``'s sessions were ended (and committed)."""
    login_user(SessionUser(user))


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def _safe_next(target):
    """Only a path on this site, never another host."""
    parts = urlsplit(target or "")
    return target if target and not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.get("/login")
def session_new():
    return render_template("login.html", form=LoginForm())


@bp.post("/login")
def session_create():
    """:raise 422: missing fields  :raise 401: wrong credentials  :raise 429: too many failures"""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("login.html", form=form), 422
    wait = throttle.attempt(form.username.data)
    if wait:
        minutes = throttle.minutes(wait)
        flash(ngettext("Too many failed attempts. Try again in %(num)d minute.",
                       "Too many failed attempts. Try again in %(num)d minutes.", minutes), "error")
        return render_template("login.html", form=form), 429, {"Retry-After": str(wait)}
    user = db.session.query(User).filter_by(username=form.username.data.strip()).first()
    if not service.check_password(user, form.password.data):
        flash(_("Wrong username or password."), "error")
        return render_template("login.html", form=form), 401
    throttle.succeeded(form.username.data)
    login_user(SessionUser(user))
    return redirect(_safe_next(request.args.get("next")) or navigation.landing(user))


@bp.post("/logout")
def session_delete():
    """End the session server-side: this cookie, copies of it and the user's other sessions."""
    if current_user.is_authenticated:
        service.end_sessions(current_user.user)
        db.session.commit()
    logout_user()
    return redirect(url_for("auth.session_new"))


@bp.post("/language")
def language_update():
    """Set the language for this browser, and on the profile when signed in.

    :raise 422: unknown language code
    """
    code = request.form.get("language", "")
    if code not in LANGUAGES:
        raise ValidationError(_("Unknown language."), fields={"language": _("Choose vi, en or ru.")})
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.user.locale = code
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("inbox.home"))


def init_app(app):
    login_manager.init_app(app)
    app.register_blueprint(bp)
