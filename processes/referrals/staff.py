"""What staff read about loan referrals (the /referrals pages): the list with its filters and
pages, counts by state, one referral with its offers and the open task of its case.

Who reads what is a :class:`Reader`: a consultant (``sees_all`` false) reads the referrals
they hold or held (an accepted offer) and those offered to them and not yet answered;
managers, admins and auditors (``sees_all``) read every one. The web layer decides which a
user is; every query here narrows by it, so a consultant never reads another's referral
(docs/referrals.md). The same rule decides who sees a referral's case (:func:`case_part`,
plugged into the web layer's permissions table; docs/security.md).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from marshmallow import ValidationError as MarshmallowError
from marshmallow import validates_schema
from sqlalchemy import and_, func, or_, select

from accounts.models import User
from engine.db import db
from engine.errors import NotFoundError
from engine.models import HumanTask, ProcessInstance
from engine.places import place
from forms import inputs, phone_search

from .models import DOMAIN, STATES, Commission, FinanceCompany, LoanProduct, Offer, Referral, domain_region

PAGE = 50
NOBODY = "_none"  # the consultant filter's value for referrals nobody holds yet
NEEDLE_MAX = 100


@dataclass(frozen=True)
class Reader:
    username: str
    sees_all: bool


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to; ``created_from`` / ``created_to`` are local days (both
    included) of ``zone`` (``None``: the referrals domain's, engine/places.py)."""

    state: str = None
    company_id: int = None
    consultant: str = None
    needle: str = None
    created_from: date = None
    created_to: date = None
    zone: str = None

    def __post_init__(self):
        if self.zone is None:
            object.__setattr__(self, "zone", place(DOMAIN).zone)

    def args(self):
        """The query string that asks for these filters again (the pages' links)."""
        values = {"state": self.state, "company": self.company_id, "consultant": self.consultant,
                  "q": self.needle, "from": self.created_from and self.created_from.isoformat(),
                  "to": self.created_to and self.created_to.isoformat()}
        return {key: value for key, value in values.items() if value}


@dataclass
class Page:
    rows: list
    number: int
    more: bool


class CompanyFilter(inputs.InputField):
    """A finance company's id (any, active or not: the list shows old referrals too)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        company = db.session.get(FinanceCompany, int(text)) if text.isdigit() and len(text) < 10 else None
        if company is None:
            inputs.fail(_("Choose one of the listed finance companies."))
        return company.id


class ConsultantFilter(inputs.InputField):
    """A user's name, or :data:`NOBODY` for referrals nobody holds yet."""

    def _deserialize(self, value, attr, data, **kwargs):
        name = str(value).strip()
        if name != NOBODY and db.session.scalar(select(User.id).where(User.username == name)) is None:
            inputs.fail(_("Choose one of the listed consultants."))
        return name


class FiltersSchema(inputs.InputSchema):
    """The list's query string; the days are a range by the shared rule (forms.inputs.day_range)."""

    state = inputs.Choice(STATES, load_default=None, message=lambda: _("Choose one of the listed states."))
    company = CompanyFilter(load_default=None)
    consultant = ConsultantFilter(load_default=None)
    created_from = inputs.Day(data_key="from", load_default=None)
    created_to = inputs.Day(data_key="to", load_default=None)
    needle = inputs.Text(data_key="q", load_default=None, max_length=NEEDLE_MAX,
                         long_message=lambda num: _("Type at most %(num)d characters.", num=num))

    @validates_schema(skip_on_field_errors=False)
    def _range(self, data, **kwargs):
        if message := inputs.day_range(data.get("created_from"), data.get("created_to")):
            raise MarshmallowError(message, "to")


def filters_from(args, *, reader, zone):
    """The :class:`Filters` a query string asks for (``state``, ``company``, ``consultant``,
    ``q``, ``from``, ``to``); ``consultant`` counts only for a reader who sees all.

    :raises ValidationError: every bad field at once, by its name in the query string
    """
    schema = FiltersSchema() if reader.sees_all else FiltersSchema(exclude=("consultant",))
    found = inputs.check(schema, args, _("Check the filters."))
    return Filters(found["state"], found["company"], found.get("consultant"), found["needle"],
                   found["created_from"], found["created_to"], zone)


def consultant_part(username):
    """A condition on :class:`Referral`: ``username`` holds it, held it (accepted an offer of
    it, before a manager gave the work to another consultant) or has an open offer of it.
    A consultant who handed it back or let the offer time out has no part in it."""
    offered = select(Offer.referral_id).where(
        Offer.consultant == username, or_(Offer.answer.is_(None), Offer.answer == "accepted"))
    return or_(Referral.consultant == username, Referral.id.in_(offered))


def visible(query, reader):
    """``query`` (a select of referrals) narrowed to what ``reader`` may read."""
    if reader.sees_all:
        return query
    return query.where(consultant_part(reader.username))


def case_part(username, roles, fallback, customers):
    """A condition on :class:`ProcessInstance`: a ``loan_referral`` case ``username`` has a
    part in, as its referrer or as a consultant (:func:`consultant_part`). The case's lane
    (``consultant``) grants nothing: every consultant is in it.

    :param fallback: the condition for a case with no referral row (one started by hand)
    """
    del roles, customers
    mine = or_(Referral.referrer == username, consultant_part(username))
    held = select(Referral.instance_id).where(mine, Referral.instance_id.is_not(None))
    linked = select(Referral.id).where(Referral.instance_id == ProcessInstance.id)
    return or_(ProcessInstance.id.in_(held), and_(~linked.exists(), fallback))


def _matching(needle):
    """Referrals whose customer's name contains ``needle``, or whose phone is the number typed
    (``0912 345 678`` is ``+84912345678``) or holds its digits (part of a number; the rule is
    :func:`forms.phone_search.read`)."""
    name = Referral.customer_name.icontains(needle, autoescape=True)
    phone = phone_search.read(needle, domain_region())
    return name if phone is None else or_(name, phone.condition(Referral.phone))


def _local_midnight(day, zone):
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)


def _narrowed(query, filters, *, with_state=True):
    if with_state and filters.state:
        query = query.where(Referral.state == filters.state)
    if filters.company_id:
        products = select(LoanProduct.id).where(LoanProduct.company_id == filters.company_id)
        query = query.where(Referral.product_id.in_(products))
    if filters.consultant == NOBODY:
        query = query.where(Referral.consultant.is_(None))
    elif filters.consultant:
        query = query.where(Referral.consultant == filters.consultant)
    if filters.needle:
        query = query.where(_matching(filters.needle))
    if filters.created_from:
        query = query.where(Referral.created_at >= _local_midnight(filters.created_from, filters.zone))
    if filters.created_to:
        end = _local_midnight(filters.created_to + timedelta(days=1), filters.zone)
        query = query.where(Referral.created_at < end)
    return query


def find(reader, filters, *, page=1, per_page=PAGE):
    """The referrals ``reader`` may read that match ``filters``, newest first, one page."""
    query = _narrowed(visible(select(Referral), reader), filters)
    rows = db.session.scalars(query.order_by(Referral.created_at.desc(), Referral.id.desc())
                              .limit(per_page + 1).offset((page - 1) * per_page)).all()
    return Page(rows[:per_page], page, len(rows) > per_page)


def counts(reader, filters):
    """``{state: count}`` of what ``reader`` may read matching ``filters`` but for the state."""
    query = _narrowed(visible(select(Referral.state, func.count(Referral.id)), reader), filters,
                      with_state=False)
    return dict(db.session.execute(query.group_by(Referral.state)).all())


def one(reader, referral_id):
    """One referral ``reader`` may read.

    :raises NotFoundError: no such referral, or not one the reader has a part in
    """
    try:
        ident = int(referral_id)
    except (TypeError, ValueError):
        ident = None
    row = db.session.scalars(visible(select(Referral).where(Referral.id == ident), reader)).first()
    if row is None:
        raise NotFoundError(_("No such referral."))
    return row


def open_offers(referral_ids):
    """``{referral id: consultant}`` of the offers not yet answered among ``referral_ids``."""
    if not referral_ids:
        return {}
    return dict(db.session.execute(select(Offer.referral_id, Offer.consultant).where(
        Offer.referral_id.in_(list(referral_ids)), Offer.answer.is_(None))).all())


def offers(referral):
    """Every offer of ``referral``, oldest first."""
    return db.session.scalars(select(Offer).where(Offer.referral_id == referral.id)
                              .order_by(Offer.offered_at, Offer.id)).all()


def commission(referral):
    return db.session.scalars(select(Commission).where(Commission.referral_id == referral.id)).first()


def open_task(referral, username):
    """The open task of the referral's case assigned to ``username`` (accept, or work), or ``None``."""
    if referral.instance_id is None:
        return None
    return db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == referral.instance_id, HumanTask.state == "open",
        HumanTask.assignee == username)).first()


def companies():
    """Every finance company, active ones first, by name."""
    return db.session.scalars(select(FinanceCompany).order_by(FinanceCompany.active.desc(),
                                                              FinanceCompany.name)).all()
