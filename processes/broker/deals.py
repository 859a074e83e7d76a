"""Registering a deal (steps 1-2) and reading deals: the checks every field passes, the
products a deal may name, and who may read which deal.

A partner reads only their own deals (another partner's is as unknown as a missing one:
404); the broker team (``broker_analyst``, ``broker_lead``) and admins read every deal.
The deal is stored together with its case (``broker_deal``), in one transaction, so a
deal always has a case to keep its documents and history (engine.begin()).
"""
from flask_babel import gettext as _
from marshmallow import ValidationError as MarshmallowError
from marshmallow import validates_schema
from sqlalchemy import select

import engine
from engine import audit
from engine.db import db
from engine.errors import NotFoundError
from engine.types import db_int
from forms import inputs

from . import inn as numbers
from .models import DOMAIN, STATES, CreditProduct, Deal

PROCESS = "broker_deal"
TEAM = frozenset({"broker_analyst", "broker_lead", "admin"})
TERM_MAX = 360
NAME_MAX = 300
PURPOSE_MAX = 2000


def _inn_message():
    return _("Enter the INN: 10 digits for a company or 12 for an individual entrepreneur; "
             "check it, its control digits do not match.")


def _ogrn_message():
    return _("Enter the OGRN (13 digits) or OGRNIP (15 digits); check it, its control digit does not match.")


def _product_message():
    return _("Choose a credit product from the list.")


def _term_message():
    return _("Enter the term in months, from 1 to %(high)d.", high=TERM_MAX)


def _russian_phone_message():
    return _("Enter a Russian phone number, starting with +7.")


class InnField(inputs.Text):
    """An ИНН whose control digits match (:func:`.inn.inn_kind`), kept as its digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = numbers.digits(value)
        if text is None or numbers.inn_kind(text) is None:
            inputs.fail(_inn_message())
        return text


class OgrnField(inputs.Text):
    """An ОГРН or ОГРНИП whose check digit matches (:func:`.inn.ogrn_kind`)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = numbers.digits(value)
        if text is None or numbers.ogrn_kind(text) is None:
            inputs.fail(_ogrn_message())
        return text


class RussianPhone(inputs.Phone):
    """A phone number of Russia (E.164 ``+7...``), however it was typed."""

    def _deserialize(self, value, attr, data, **kwargs):
        number = super()._deserialize(value, attr, data, **kwargs)
        if not number.startswith("+7"):
            inputs.fail(_russian_phone_message())
        return number


class ProductField(inputs.InputField):
    """An active credit product, by id."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            product = db.session.get(CreditProduct, db_int(value))
        except (TypeError, ValueError):
            product = None
        if product is None or not product.active:
            inputs.fail(_product_message())
        return product


class DealSchema(inputs.InputSchema):
    """A deal as a partner registers it (the portal or ``POST /api/v1/deals``): every field
    checked at once, amounts in the brokerage's currency (roubles)."""

    company_name = inputs.Text(required=True, max_length=NAME_MAX)
    inn = InnField(required=True, missing_message=_inn_message)
    ogrn = OgrnField(load_default=None)
    contact_name = inputs.Text(required=True, max_length=200)
    phone = RussianPhone(domain=DOMAIN, required=True)
    email = inputs.Email(load_default=None, max_length=254)
    amount = inputs.Money(domain=DOMAIN, required=True, positive=True)
    term_months = inputs.Whole(1, TERM_MAX, required=True, message=_term_message,
                               missing_message=_term_message)
    purpose = inputs.Text(required=True, max_length=PURPOSE_MAX)
    product = ProductField(data_key="product_id", required=True, missing_message=_product_message)

    @validates_schema(skip_on_field_errors=False)
    def _same_register(self, data, **kwargs):
        # a company's ИНН goes with an ОГРН, an entrepreneur's with an ОГРНИП
        inn, ogrn = data.get("inn"), data.get("ogrn")
        if inn and ogrn and numbers.inn_kind(inn) != numbers.ogrn_kind(ogrn):
            raise MarshmallowError(_("A company's INN (10 digits) goes with an OGRN (13 digits), an "
                                     "entrepreneur's INN (12 digits) with an OGRNIP (15 digits)."), "ogrn")


def clean(data):
    """``data`` checked and normalised; every problem at once.

    :raises ValidationError: ``fields`` = ``{field: message}`` in the reader's language
    """
    return inputs.check(DealSchema(), data if isinstance(data, dict) else {})


def register(data, *, actor):
    """Store a deal of partner ``actor`` and start its case, in one transaction.

    :raises ValidationError: invalid fields; nothing is stored
    :raises NotFoundError: the procedure is not deployed; nothing is stored
    """
    fields = clean(data)
    product = fields.pop("product")
    amount = fields.pop("amount")
    deal = Deal(partner=actor, product_id=product.id, amount=amount.value, currency=amount.currency,
                state="open", step=2, answered_questions=[], facts={}, **fields)
    with engine.begin():
        db.session.add(deal)
        db.session.flush()
        audit.append(f"deal:{deal.id}", "deal_registered", actor=actor,
                     data_after={**fields, "amount": str(amount.value), "currency": amount.currency,
                                 "product": product.code})
        instance = engine.start(PROCESS, actor=actor, business_key=f"deal:{deal.id}",
                                data={"deal_id": deal.id})
        deal.instance_id = instance.id
    return deal


def products():
    """The active credit products, by Russian name."""
    return db.session.scalars(select(CreditProduct).filter_by(active=True)
                              .order_by(CreditProduct.name_ru)).all()


def is_team(roles):
    return bool(TEAM & set(roles))


def by_id(deal_id):
    """The deal. :raises NotFoundError: no such deal"""
    try:
        row = db.session.get(Deal, db_int(deal_id))
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise NotFoundError(_("No such deal."))
    return row


def readable(username, roles, deal_id):
    """The deal, when ``username`` may read it: the team any, a partner their own.

    :raises NotFoundError: no such deal, or another partner's
    """
    row = by_id(deal_id)
    if not is_team(roles) and row.partner != username:
        raise NotFoundError(_("No such deal."))
    return row


def listed(username, roles, *, state=None, limit=50, offset=0):
    """``(rows, total)``: the deals ``username`` may read, newest first."""
    query = select(Deal)
    if not is_team(roles):
        query = query.filter(Deal.partner == username)
    if state is not None:
        if state not in STATES:
            return [], 0
        query = query.filter(Deal.state == state)
    total = db.session.scalar(select(db.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Deal.created_at.desc(), Deal.id.desc())
                              .limit(limit).offset(offset)).all()
    return rows, total
