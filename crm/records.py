"""Checking a lead's fields before it is stored: every problem at once, by field."""
from datetime import date, datetime

from flask_babel import gettext as _
from marshmallow import ValidationError as MarshmallowError
from marshmallow import validate
from sqlalchemy import select

from accounts.models import Role, User
from engine.db import db
from engine.errors import ValidationError
from forms import messages

from . import phones
from .models import CLASSIFICATIONS, GENDERS, SOURCES

FIELDS = ("name", "phone", "email", "owner", "classification", "gender", "birthday")
MAX_TEXT = 255


# Roles that oversee or run the work rather than take leads in turn (docs/crm.md "Round robin").
NOT_IN_TURN = ("manager", "admin", "process_owner", "auditor")


def sales_reps(username=None):
    """Usernames of the sales team that takes leads in turn, sorted: active users with the
    ``sales`` role and none of :data:`NOT_IN_TURN` (a manager who also holds ``sales`` may
    own a lead chosen for them, but is never handed one by round robin)."""
    overseers = select(User.id).join(User.roles).where(Role.name.in_(NOT_IN_TURN))
    query = (select(User.username).join(User.roles)
             .where(User.active.is_(True), Role.name == "sales", User.id.not_in(overseers))
             .order_by(User.username))
    if username is not None:
        query = query.where(User.username == username)
    return list(db.session.scalars(query))


def active_sales(username=None):
    """Usernames of active users with the ``sales`` role (only ``username``, if given), sorted."""
    query = (select(User.username).join(User.roles).where(User.active.is_(True), Role.name == "sales")
             .order_by(User.username))
    if username is not None:
        query = query.where(User.username == username)
    return list(db.session.scalars(query))


def clean_lead(data, *, source, region="VN"):
    """``data`` checked and normalised: ``{name, phone, email, owner, classification, gender,
    birthday, source}``, absent optional fields as ``None``.

    :raises ValidationError: with ``fields = {name: message}`` for every invalid field
    """
    errors, clean = {}, {}
    if not isinstance(data, dict):
        raise ValidationError(messages.form_invalid(), fields={"body": _("Not a JSON object.")})
    for name in set(data) - set(FIELDS):
        errors[name] = messages.unknown_field()
    for name in FIELDS:
        value = data.get(name)
        value = value.strip() if isinstance(value, str) else value
        if value in (None, ""):
            clean[name] = None
            if name in ("name", "phone"):
                errors[name] = messages.required()
            continue
        try:
            clean[name] = _CHECKS[name](value, region)
        except ValidationError as error:
            errors[name] = error.message
    if source not in SOURCES:
        errors["source"] = messages.not_allowed()
    if errors:
        raise ValidationError(messages.form_invalid(), fields=errors)
    return {**clean, "source": source}


def _text(value, _region):
    if not isinstance(value, str):
        raise ValidationError(messages.text_expected())
    if len(value) > MAX_TEXT:
        raise ValidationError(messages.too_long(MAX_TEXT))
    return value


def _phone(value, region):
    try:
        return phones.normalize(str(value), region)
    except ValidationError:
        raise ValidationError(messages.phone()) from None


def _email(value, region):
    try:
        return validate.Email()(_text(value, region))
    except MarshmallowError:
        raise ValidationError(messages.email()) from None


def _owner(value, region):
    if not active_sales(_text(value, region)):
        raise ValidationError(_("Not an active sales user."))
    return value


def _choice(choices):
    def check(value, _region):
        if value not in choices:
            raise ValidationError(messages.not_allowed())
        return value
    return check


def _birthday(value, _region):
    """A date, an ISO ``YYYY-MM-DD`` or the Vietnamese ``DD/MM/YYYY`` (spreadsheets)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    try:
        if "/" in text:
            return datetime.strptime(text, "%d/%m/%Y").date()
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValidationError(messages.date()) from None


_CHECKS = {"name": _text, "phone": _phone, "email": _email, "owner": _owner,
           "classification": _choice(CLASSIFICATIONS), "gender": _choice(GENDERS), "birthday": _birthday}
