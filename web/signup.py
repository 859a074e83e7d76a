"""Referrers sign themselves up (seed 000): ``/register`` creates a ``partner`` account.

Off with ``TASKLANE_PARTNER_SIGNUP=false`` (the pages are 404 and the sign-in page shows
no link). Every field is checked at once (422, nothing stored); the role is always
``partner`` whatever is posted. At most ``MAX_PER_IP`` accounts are created from one
client address within ``WINDOW`` seconds, counted in Redis like :mod:`web.throttle`.
"""
import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from marshmallow import ValidationError as MarshmallowError
from marshmallow import validate
from wtforms import EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice

from accounts import signup
from crm import phones
from engine.errors import ConflictError, ValidationError

from . import throttle
from .auth import SessionUser
from .i18n import LANGUAGES

bp = Blueprint("signup", __name__)
MAX_PER_IP = 5
WINDOW = 60 * 60
USERNAME = re.compile(r"^[a-z0-9._-]{3,40}$")
FULL_NAME_MAX = 120
EMAIL_MAX = 255
PASSWORD_MIN = 8
PASSWORD_MAX = 200
# Free one reserved slot, unless the window ended meanwhile (a DECR would then leave a
# counter without expiry). EXPIRE NX would do, but the embedded Redis is 6.2.
_RELEASE = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0"


class SignupForm(FlaskForm):
    full_name = StringField(_l("Full name"))
    phone = TelField(_l("Phone"))
    email = EmailField(_l("E-mail (optional)"))
    username = StringField(_l("Username"))
    password = PasswordField(_l("Password"))
    confirm = PasswordField(_l("Repeat the password"))
    language = SelectField(_l("Language"), validate_choice=False,
                           choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])


def clean(data):
    """The account's fields from what was typed (``data``: the form's fields by name).

    :raises ValidationError: every bad field at once, ``fields`` naming each
    """
    values = {name: str(data.get(name) or "").strip() for name in
              ("full_name", "phone", "email", "username", "language")}
    values["username"] = values["username"].lower()  # phones capitalise the first letter
    password, confirm = str(data.get("password") or ""), str(data.get("confirm") or "")
    errors = {}
    if not values["full_name"]:
        errors["full_name"] = _("This field is required.")
    elif len(values["full_name"]) > FULL_NAME_MAX:
        errors["full_name"] = _("Enter at most %(max)s characters.", max=FULL_NAME_MAX)
    values["phone"] = _phone(values["phone"], errors)
    values["email"] = _email(values["email"], errors)
    _username(values["username"], errors)
    if len(password) < PASSWORD_MIN or len(password) > PASSWORD_MAX:
        errors["password"] = _("Use %(min)s to %(max)s characters.", min=PASSWORD_MIN, max=PASSWORD_MAX)
    elif password.lower() == values["username"]:
        errors["password"] = _("The password may not be the username.")
    if "password" not in errors and confirm != password:
        errors["confirm"] = _("The passwords do not match.")
    if values["language"] not in LANGUAGES:
        errors["language"] = _("Choose vi, en or ru.")
    if errors:
        raise ValidationError(_("Some fields are not valid."), fields=errors)
    return {**values, "password": password}


def _phone(raw, errors):
    if not raw:
        errors["phone"] = _("This field is required.")
        return None
    try:
        phone = phones.normalize(raw)
    except ValidationError as error:
        errors["phone"] = error.fields.get("phone") or error.message
        return None
    if signup.phone_taken(phone):
        errors["phone"] = _("An account with this phone number already exists. Sign in instead.")
    return phone


def _email(raw, errors):
    if not raw:
        return None
    try:
        if len(raw) > EMAIL_MAX:
            raise MarshmallowError("too long")
        return validate.Email()(raw)
    except MarshmallowError:
        errors["email"] = _("Enter a valid e-mail address.")
        return None


def _username(username, errors):
    if not USERNAME.match(username):
        errors["username"] = _(
            "Use 3 to 40 characters: lowercase letters, digits, dot, underscore or hyphen.")
    elif signup.username_taken(username):
        errors["username"] = _taken()


def _taken():
    return _("This username is taken; choose another.")


def register(data):
    """Create a referrer from ``data`` (see :func:`clean`), with the ``partner`` role only.

    :raises ValidationError: bad fields, including a username taken by a concurrent
        registration (the database's unique constraint decides); nothing is stored
    """
    values = clean(data)
    try:
        return signup.create_partner(values["username"], values["password"], full_name=values["full_name"],
                                     phone=values["phone"], email=values["email"], locale=values["language"])
    except ConflictError:
        raise ValidationError(_("Some fields are not valid."), fields={"username": _taken()}) from None


@bp.before_request
def signup_enabled():
    """:raise 404: ``TASKLANE_PARTNER_SIGNUP`` is off"""
    if not current_app.config.get("TASKLANE_PARTNER_SIGNUP"):
        abort(404)


@bp.get("/register")
def registration_new():
    """The form; a signed-in user goes to their landing page instead."""
    if current_user.is_authenticated:
        return redirect(url_for("inbox.home"))
    form = SignupForm(data={"language": str(get_locale())})
    return render_template("signup.html", form=form)


@bp.post("/register")
def registration_create():
    """:raise 422: invalid fields (nothing stored)  :raise 429: too many accounts from this address"""
    if current_user.is_authenticated:
        return redirect(url_for("inbox.home"))
    form = SignupForm()
    wait = _reserve()
    if wait:
        minutes = throttle.minutes(wait)
        flash(ngettext("Too many accounts were created from this address. Try again in %(num)d minute.",
                       "Too many accounts were created from this address. Try again in %(num)d minutes.",
                       minutes), "error")
        return render_template("signup.html", form=form), 429, {"Retry-After": str(wait)}
    try:
        user = register(request.form)
    except ValidationError as error:
        _release()
        for name, message in error.fields.items():
            getattr(form, name).errors = [message]
        return render_template("signup.html", form=form), 422
    login_user(SessionUser(user))
    refresh()  # the welcome in the language just chosen
    flash(_("Welcome, %(name)s! You can refer your first customer now.", name=user.full_name), "success")
    return redirect(url_for("portal.portal_home"))


def _key():
    return f"{current_app.config['TASKLANE_QUEUE_PREFIX']}:signups:{request.remote_addr or '-'}"


def _reserve():
    """Take one of this address's registrations for the window; seconds to wait when none is left."""
    key = _key()
    conn = current_app.extensions["tasklane_redis_factory"]()
    # The window starts with the address's first registration and is not extended by later ones.
    _, count, ttl = conn.pipeline().set(key, 0, ex=WINDOW, nx=True).incr(key).ttl(key).execute()
    return max(1, ttl) if count > MAX_PER_IP else 0


def _release():
    """Give back the slot of a registration that was refused (bad fields)."""
    current_app.extensions["tasklane_redis_factory"]().eval(_RELEASE, 1, _key())
