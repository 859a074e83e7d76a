"""Submitting a loan referral and the rule "one referral in progress per customer" (seed 000).

The check reads the open referral to say who holds it and since when; the partial
unique index (crm/lending.py) decides when two submissions race, and the loser gets
the same message. See docs/referrals.md.
"""
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from crm import phones
from engine import audit
from engine.db import db
from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.types import db_int
from forms import messages

from . import consultants
from .models import (
    CONSULTANT_CHOICES,
    CUSTOMER_STATUSES,
    CommissionPolicy,
    FinanceCompany,
    LoanProduct,
    Referral,
    domain_region,
)

NATIONAL_ID = re.compile(r"^(\d{9}|\d{12})$")  # CMND (9 digits) or CCCD (12 digits)
NAME_MAX = 200


def clean(data):
    """``data`` checked and normalised; every problem at once.

    :raises ValidationError: with ``fields``
    """
    data = data if isinstance(data, dict) else {}
    errors, clean_data = {}, {}
    name = str(data.get("customer_name") or "").strip()
    if not name:
        errors["customer_name"] = messages.required()
    elif len(name) > NAME_MAX:
        errors["customer_name"] = messages.too_long(NAME_MAX)
    clean_data["customer_name"] = name
    clean_data["phone"] = _phone(data.get("phone"), "phone", errors, required=True)
    national_id = re.sub(r"\s", "", str(data.get("national_id") or ""))
    if national_id and not NATIONAL_ID.match(national_id):
        errors["national_id"] = _("Enter the 9-digit ID card or the 12-digit citizen ID number.")
    clean_data["national_id"] = national_id or None
    product = _product(data.get("product_id"), errors)
    clean_data["product"] = product
    status = data.get("customer_status")
    if status not in CUSTOMER_STATUSES:
        errors["customer_status"] = _("Choose the customer's situation from the list.")
    clean_data["customer_status"] = status
    clean_data["amount"] = _amount(data.get("amount"), product, errors)
    clean_data["term_months"] = _term(data.get("term_months"), product, errors)
    _consultant(data, clean_data, errors)
    consent = data.get("cross_sell_consent")
    if not isinstance(consent, bool):
        errors["cross_sell_consent"] = _("Say yes or no to cross-selling.")
    clean_data["cross_sell_consent"] = consent
    if errors:
        raise ValidationError(messages.form_invalid(), fields=errors)
    return clean_data


def _phone(raw, field, errors, *, required):
    if raw in (None, ""):
        if required:
            errors[field] = messages.required()
        return None
    try:
        return phones.normalize(str(raw), domain_region())
    except ValidationError as error:
        errors[field] = (error.fields or {}).get("phone") or error.message
        return None


def _product(raw, errors):
    try:
        product = db.session.get(LoanProduct, db_int(raw))
    except (TypeError, ValueError):
        product = None
    if product is None or not product.active or not product.company.active:
        errors["product_id"] = _("Choose a loan product of a finance company from the list.")
        return None
    return product


def _amount(raw, product, errors):
    try:
        amount = Decimal(str(raw)).quantize(Decimal("1"))
    except (InvalidOperation, ValueError, TypeError):
        errors["amount"] = _("Enter the amount in VND.")
        return None
    if product is not None and not product.min_amount <= amount <= product.max_amount:
        errors["amount"] = _("This product lends from %(low)s to %(high)s VND.",
                             low=f"{product.min_amount:,.0f}", high=f"{product.max_amount:,.0f}")
    return amount


def _term(raw, product, errors):
    try:
        term = int(raw)
    except (TypeError, ValueError):
        errors["term_months"] = _("Enter the term in months.")
        return None
    if product is not None and not product.min_term_months <= term <= product.max_term_months:
        errors["term_months"] = _("This product lends for %(low)d to %(high)d months.",
                                  low=product.min_term_months, high=product.max_term_months)
    return term


def _consultant(data, clean_data, errors):
    choice = data.get("consultant_choice") or "auto"
    if choice not in CONSULTANT_CHOICES:
        errors["consultant_choice"] = _("Choose how the consultant is found.")
    clean_data["consultant_choice"] = choice
    named = choice in ("phone", "star")
    phone = _phone(data.get("consultant_phone"), "consultant_phone", errors, required=named)
    if phone and named and consultants.by_phone(phone) is None:
        errors["consultant_phone"] = _("No consultant has this phone number; "
                                       "check it or let the system choose.")
    clean_data["consultant_phone"] = phone if named else None


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
