"""Submitting a loan referral and the rule "one referral in progress per customer" (seed 000).

The check reads the open referral to say who holds it and since when; the partial
unique index (crm/lending.py) decides when two submissions race, and the loser gets
the same message. See docs/referrals.md.
"""
import re
from datetime import date

from flask_babel import format_datetime
from flask_babel import gettext as _
from marshmallow import ValidationError as MarshmallowError
from marshmallow import post_load, validates_schema
from sqlalchemy.exc import IntegrityError

from engine import audit
from engine.db import db
from engine.errors import ConflictError, NotFoundError
from engine.types import DB_INT_MAX, DB_INT_MIN, db_int
from forms import inputs, messages

from . import consultants
from .models import (
    CONSULTANT_CHOICES,
    CUSTOMER_STATUSES,
    DOMAIN,
    CommissionPolicy,
    FinanceCompany,
    LoanProduct,
    Referral,
)

NATIONAL_ID = re.compile(r"^(\d{9}|\d{12})$")  # CMND (9 digits) or CCCD (12 digits)
NAME_MAX = 200


def _product_message():
    return _("Choose a loan product of a finance company from the list.")


def _term_message():
    return _("Enter the term in months.")


def _status_message():
    return _("Choose the customer's situation from the list.")


def _consent_message():
    return _("Say yes or no to cross-selling.")


def _national_id_message():
    return _("Enter the 9-digit ID card or the 12-digit citizen ID number.")


class ProductField(inputs.InputField):
    """An active loan product of an active finance company, by id."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            product = db.session.get(LoanProduct, db_int(value))
        except (TypeError, ValueError):
            product = None
        if product is None or not product.active or not product.company.active:
            inputs.fail(_product_message())
        return product


class NationalId(inputs.Text):
    """A CMND (9 digits) or CCCD (12 digits); people type it with spaces."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(re.sub(r"\s", "", value) if isinstance(value, str) else value,
                                    attr, data, **kwargs)


class ReferralSchema(inputs.InputSchema):
    """A referral as a partner submits it (page or API); the amount in the referrals' place's
    currency, the amount and term within what the product lends."""

    customer_name = inputs.Text(required=True, max_length=NAME_MAX)
    phone = inputs.Phone(domain=DOMAIN, required=True)
    national_id = NationalId(pattern=NATIONAL_ID, load_default=None,
                             message=_national_id_message)
    product = ProductField(data_key="product_id", required=True, missing_message=_product_message)
    customer_status = inputs.Choice(CUSTOMER_STATUSES, required=True, message=_status_message,
                                    missing_message=_status_message)
    amount = inputs.Money(domain=DOMAIN, required=True)
    term_months = inputs.Whole(DB_INT_MIN, DB_INT_MAX, required=True, message=_term_message,
                               missing_message=_term_message)
    consultant_choice = inputs.Choice(CONSULTANT_CHOICES, load_default="auto",
                                      message=lambda: _("Choose how the consultant is found."))
    consultant_phone = inputs.Phone(domain=DOMAIN)
    cross_sell_consent = inputs.Flag(strict=True, required=True, message=_consent_message,
                                     missing_message=_consent_message)

    @validates_schema(skip_on_field_errors=False)
    def _amount_lent(self, data, **kwargs):
        product, amount = data.get("product"), data.get("amount")
        if product is not None and amount is not None and not (
                product.min_amount <= amount.value <= product.max_amount):
            where = inputs.locale()
            raise MarshmallowError(_("This product lends from %(low)s to %(high)s.",
                                     low=inputs.shown(product.min_amount, where, amount.currency),
                                     high=inputs.shown(product.max_amount, where, amount.currency)), "amount")

    @validates_schema(skip_on_field_errors=False)
    def _term_lent(self, data, **kwargs):
        product, term = data.get("product"), data.get("term_months")
        if product is not None and term is not None and not (
                product.min_term_months <= term <= product.max_term_months):
            message = _("This product lends for %(low)d to %(high)d months.",
                        low=product.min_term_months, high=product.max_term_months)
            raise MarshmallowError(message, "term_months")

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _named_consultant(self, data, original, **kwargs):
        if data.get("consultant_choice") not in ("phone", "star"):
            return
        typed = original.get("consultant_phone") if isinstance(original, dict) else None
        if typed in (None, ""):
            raise MarshmallowError(messages.required(), "consultant_phone")
        if data.get("consultant_phone") and consultants.by_phone(data["consultant_phone"]) is None:
            message = _("No consultant has this phone number; check it or let the system choose.")
            raise MarshmallowError(message, "consultant_phone")

    @post_load
    def _as_stored(self, data, **kwargs):
        named = data["consultant_choice"] in ("phone", "star")
        # The amount's currency (data["amount"].currency) is the referrals' place's; stored
        # with it once referrals have a currency column.
        return {**data, "amount": data["amount"].value,
                "consultant_phone": data.get("consultant_phone") if named else None}


def clean(data):
    """``data`` checked and normalised (:class:`ReferralSchema`); every problem at once.

    :raises ValidationError: with ``fields``
    """
    return inputs.check(ReferralSchema(), data if isinstance(data, dict) else {})


def offered_products():
    """The loan products a referral may name: active products of active finance companies,
    by company name and product name."""
    return (db.session.query(LoanProduct).join(FinanceCompany)
            .filter(LoanProduct.active.is_(True), FinanceCompany.active.is_(True))
            .order_by(FinanceCompany.name, LoanProduct.name).all())


def by_id(referral_id):
    """The referral. :raises NotFoundError: no such referral"""
    try:
        row = db.session.get(Referral, db_int(referral_id))
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise NotFoundError(_("No such referral."))
    return row


def own(referrer, referral_id):
    """One of ``referrer``'s referrals; another referrer's is as unknown as a missing one.

    :raises NotFoundError: no such referral of theirs
    """
    try:
        row = db.session.get(Referral, db_int(referral_id))
    except (TypeError, ValueError):
        row = None
    if row is None or row.referrer != referrer:
        raise NotFoundError(_("No such referral."))
    return row


def in_progress(phone):
    """The referral of this customer (E.164 phone) that is in progress, or ``None``."""
    return db.session.query(Referral).filter_by(phone=phone, state="in_progress").one_or_none()


def submit(data, *, actor, on_stored=None):
    """Store a referral in progress for ``actor`` (a partner); ``on_stored(referral)`` runs
    in the same transaction (processes.referrals.helpers asks for the case there).

    :raises ValidationError: invalid fields; nothing is stored
    :raises ConflictError: the customer already has a referral in progress (``winner``:
        its referrer), also when two submissions race
    """
    fields = clean(data)
    holder = in_progress(fields["phone"])
    if holder is not None:
        raise _held(holder)
    product = fields.pop("product")
    referral = Referral(referrer=actor, product_id=product.id, state="in_progress",
                        currency=product.currency, **fields)
    db.session.add(referral)
    try:
        db.session.flush()
        audit.append(f"referral:{referral.id}", "referral_submitted", actor=actor,
                     data_after={**fields, "amount": str(fields["amount"]), "product": product.code,
                                 "product_id": product.id})
        if on_stored is not None:
            on_stored(referral)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        holder = in_progress(fields["phone"])
        if holder is None:
            raise
        raise _held(holder) from error
    return referral


def _held(holder):
    return ConflictError(
        _("This customer already has a referral in progress, sent by %(who)s on %(when)s; "
          "a new one can be sent once it has its final result.",
          who=holder.referrer, when=format_datetime(holder.created_at, "short")),
        winner=holder.referrer, fields={"phone": _("A referral for this phone number is in progress.")})


def commission_policy(product_id, day):
    """The commission policy in force for ``product_id`` on ``day`` (the latest starting one
    if an admin made them overlap), or ``None``."""
    day = day if isinstance(day, date) else date.fromisoformat(str(day))
    return (db.session.query(CommissionPolicy)
            .filter(CommissionPolicy.product_id == product_id, CommissionPolicy.valid_from <= day,
                    (CommissionPolicy.valid_to.is_(None)) | (CommissionPolicy.valid_to >= day))
            .order_by(CommissionPolicy.valid_from.desc(), CommissionPolicy.id.desc()).first())


def commission_rate(product_id, day):
    """The commission rate (percent) in force for ``product_id`` on ``day``, or ``None``."""
    policy = commission_policy(product_id, day)
    return policy.rate_percent if policy else None
