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
from marshmallow import fields as mfields
from marshmallow import validates_schema
from wtforms import EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice

from accounts import service, signup
from engine.errors import ConflictError, ValidationError
from forms import inputs, messages
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


def _password_message():
    return _("Use %(min)s to %(max)s characters.", min=PASSWORD_MIN, max=PASSWORD_MAX)


def _username_message():
    return _("Use 3 to 40 characters: lowercase letters, digits, dot, underscore or hyphen.")


def _language_message():
    return _("Choose vi, en or ru.")


class Password(inputs.InputField):
    """A password as typed (spaces count), of an accepted length."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
            inputs.fail(_password_message())
        return value


class SignupSchema(inputs.InputSchema):
    """A referrer's account; the phone in the referrals' place's region."""

    full_name = inputs.Text(required=True, max_length=FULL_NAME_MAX)
    phone = inputs.Phone(required=True, domain="referrals")
    email = inputs.Email(load_default=None, max_length=EMAIL_MAX, long_message=lambda _max: messages.email())
    username = inputs.Text(required=True, lower=True, pattern=USERNAME, message=_username_message,
                           missing_message=_username_message)   # phones capitalise the first letter
    password = Password(required=True, missing_message=_password_message)
    confirm = mfields.Raw(load_default="")
    language = inputs.Choice(LANGUAGES, required=True, message=_language_message,
                             missing_message=_language_message)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _password_fits(self, data, original, **kwargs):
        if "password" not in data:
            return
        typed = str(original.get("username") or "").strip().lower()
        if data["password"].lower() == typed:
            raise MarshmallowError(_("The password may not be the username."), "password")
        if data.get("confirm") != data["password"]:
            raise MarshmallowError(_("The passwords do not match."), "confirm")


def clean(data):
    """The account's fields from what was typed (``data``: the form's fields by name).

    :raises ValidationError: every bad field at once, ``fields`` naming each
    """
    found = inputs.check(SignupSchema(), data, _("Some fields are not valid."))
    found.pop("confirm", None)
    return found


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
