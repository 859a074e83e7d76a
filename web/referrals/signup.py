"""Referrers sign themselves up (seed 000): ``/register`` creates a ``partner`` account.

Off with ``TASKLANE_PARTNER_SIGNUP=false`` (the pages are 404 and the sign-in page shows
no link). Every field is checked at once (422, nothing stored); the role is always
``partner`` whatever is posted.

The page does not tell which user names or phones exist: a registration whose user name
or phone is taken gets the same answer, in about the same time (the password is hashed
either way), as one that creates the account: the sign-in page with a neutral message.
At most ``MAX_PER_IP`` registrations, created, refused (422) or not, are taken from one
client address within ``WINDOW`` seconds, counted in Redis like :mod:`web.throttle`;
a refused one never gives its slot back, so guessing costs the same as registering.
"""
import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from marshmallow import ValidationError as MarshmallowError
from marshmallow import validate
from wtforms import EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice

from accounts import service, signup
from crm import phones
from engine.errors import ConflictError, ValidationError
from web import throttle
from web.i18n import LANGUAGES

bp = Blueprint("signup", __name__)
MAX_PER_IP = 5
WINDOW = 60 * 60
USERNAME = re.compile(r"^[a-z0-9._-]{3,40}$")
FULL_NAME_MAX = 120
EMAIL_MAX = 255
PASSWORD_MIN = service.PASSWORD_MIN
PASSWORD_MAX = service.PASSWORD_MAX


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
        return phones.normalize(raw)
    except ValidationError as error:
        errors["phone"] = error.fields.get("phone") or error.message
        return None


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


def register(data):
    """Create a referrer from ``data`` (see :func:`clean`), with the ``partner`` role only.

    :returns: the new user, or ``None`` when the user name or the phone is taken (also by a
        concurrent registration: the database's unique constraint decides); nothing is
        stored then, after the same work of hashing the password
    :raises ValidationError: bad fields; nothing is stored
    """
    values = clean(data)
    if signup.username_taken(values["username"]) or signup.phone_taken(values["phone"]):
        service.spend_hash_time(values["password"])
        return None
    try:
        return signup.create_partner(values["username"], values["password"], full_name=values["full_name"],
                                     phone=values["phone"], email=values["email"], locale=values["language"])
    except ConflictError:
        return None


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
        flash(ngettext("Too many registrations from this address. Try again in %(num)d minute.",
                       "Too many registrations from this address. Try again in %(num)d minutes.",
                       minutes), "error")
        return render_template("signup.html", form=form), 429, {"Retry-After": str(wait)}
    try:
        register(request.form)
    except ValidationError as error:  # the slot is not given back: see the module's docstring
        for name, message in error.fields.items():
            getattr(form, name).errors = [message]
        return render_template("signup.html", form=form), 422
    # The same answer whether the account was created or its user name or phone was taken.
    session["locale"] = form.language.data
    refresh()  # the message in the language just chosen
    flash(_("If these details are new, your account is created: sign in with them. "
            "If you already have an account, sign in with it, or ask an admin to reset your password."),
          "success")
    return redirect(url_for("auth.session_new"))


def _key():
    return f"{current_app.config['TASKLANE_QUEUE_PREFIX']}:signups:{request.remote_addr or '-'}"


def _reserve():
    """Take one of this address's registrations for the window; seconds to wait when none is left."""
    key = _key()
    conn = current_app.extensions["tasklane_redis_factory"]()
    # The window starts with the address's first registration and is not extended by later ones.
    _, count, ttl = conn.pipeline().set(key, 0, ex=WINDOW, nx=True).incr(key).ttl(key).execute()
    return max(1, ttl) if count > MAX_PER_IP else 0
