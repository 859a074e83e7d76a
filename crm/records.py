"""Checking a lead's fields before it is stored: every problem at once, by field."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, validates_schema
from marshmallow import ValidationError as MarshmallowError
from sqlalchemy import select

from accounts.models import Role, User
from engine.db import db
from engine.errors import ValidationError
from forms import inputs, messages

from .models import CLASSIFICATIONS, GENDERS, SOURCES

FIELDS = ("name", "phone", "email", "owner", "classification", "gender", "birthday")
MAX_TEXT = 255
DOMAIN = "leads"   # a lead's phone and birthday are read in the leads' place (engine.places)


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


def _owner_message():
    return _("Not an active sales user.")


class Owner(inputs.Text):
    """The user name of an active sales user."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not active_sales(value):
            inputs.fail(_owner_message())
        return value


class LeadSchema(inputs.InputSchema):
    """A lead's fields; absent optional ones are ``None``, fields it does not know are refused.

    A birthday is ISO or written in the leads' place's order (``DD/MM/YYYY`` in Vietnam):
    spreadsheets write it so, whoever imports them.
    """

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": _l("This field is not part of the form.")}
    name = inputs.Text(required=True, max_length=MAX_TEXT)
    phone = inputs.Phone(required=True, domain=DOMAIN)
    email = inputs.Email(load_default=None, max_length=MAX_TEXT)
    owner = Owner(load_default=None, max_length=MAX_TEXT)
    classification = inputs.Choice(CLASSIFICATIONS, load_default=None, message=messages.not_allowed)
    gender = inputs.Choice(GENDERS, load_default=None, message=messages.not_allowed)
    birthday = inputs.Day(load_default=None, domain=DOMAIN, message=messages.date)

    def __init__(self, *, source, region, **kwargs):
        super().__init__(**kwargs)
        self.source = source
        self.fields["phone"].region = region

    @validates_schema(skip_on_field_errors=False)
    def _known_source(self, data, **kwargs):
        if self.source not in SOURCES:
            raise MarshmallowError(messages.not_allowed(), "source")


def clean_lead(data, *, source, region=None):
    """``data`` checked and normalised: ``{name, phone, email, owner, classification, gender,
    birthday, source}``, absent optional fields as ``None``.

    :raises ValidationError: with ``fields = {name: message}`` for every invalid field
    """
    if not isinstance(data, dict):
        raise ValidationError(messages.form_invalid(), fields={"body": _("Not a JSON object.")})
    return {**inputs.check(LeadSchema(source=source, region=region), data), "source": source}
