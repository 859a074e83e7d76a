"""Loan referral records (seed 000, issue 6): finance companies, their loan products,
commission policies, and the referrals partners send.

The rule "one referral in progress per customer" is the database's: a partial unique
index on the normalised phone of referrals whose state is ``in_progress``, so two
submissions racing from separate processes cannot both pass (docs/referrals.md).
"""
from datetime import datetime

from engine.db import db
from engine.places import place
from engine.types import UTCDateTime, utcnow

# The domain's name for its place (engine/places.py: zone, region, language, currency).
DOMAIN = "referrals"


def business_today():
    """Today where the finance companies lend (the domain's zone, whatever the server's
    clock zone): "the day" of a disbursement, and of a policy "in force today"."""
    return datetime.now(place(DOMAIN).tz).date()


def domain_region():
    """The region of a phone number written without a country code in this domain."""
    return place(DOMAIN).region


def domain_currency():
    """The currency an amount of this domain is in when the caller names none (a model default)."""
    return place(DOMAIN).currency

# The customer's situation the referrer picks (seed 000, step 4: "trạng thái khách hàng").
CUSTOMER_STATUSES = ("salaried", "self_employed", "business_owner", "freelancer", "retired", "other")
# in_progress until the consultant's final result (seed: "thất bại/thành công").
STATES = ("in_progress", "disbursed", "failed")
RESULTS = ("disbursed", "rejected", "not_eligible")
# Steps the consultant reports on the way, which the referrer sees; the case goes on.
PROGRESS = ("contacted", "submitted")
CONSULTANT_CHOICES = ("phone", "star", "auto")
# What happened to an offer of the case to a consultant.
OFFER_ANSWERS = ("accepted", "handed_back", "timed_out")
# The cross-sell of a referral: started at once (consent given), or asked of the referrer.
CROSS_SELL_STATES = ("started", "requested", "approved", "refused", "expired")
COMMISSION_STATES = ("pending", "paid")
# Admin-set values of the procedure (lending_setting), with their defaults; durations are ISO 8601.
SETTING_DEFAULTS = {
    "accept_within": "PT2H",          # a consultant who neither accepts nor hands back: next one
    "consent_remind_after": "PT24H",  # the referrer is reminded of an unanswered cross-sell request
    "consent_expires_after": "P3D",   # ... and it closes as refused
    "max_load": "30",                 # referrals in progress above which a consultant gets no new ones
}


class FinanceCompany(db.Model):
    __tablename__ = "lending_company"
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(40), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)


class LoanProduct(db.Model):
    __tablename__ = "lending_product"
    id = db.Column(db.Integer, primary_key=True)
    company_id = db.Column(db.ForeignKey("lending_company.id"), nullable=False, index=True)
    code = db.Column(db.String(40), nullable=False)
    name = db.Column(db.String(200), nullable=False)
    min_amount = db.Column(db.Numeric(18, 2), nullable=False)
    max_amount = db.Column(db.Numeric(18, 2), nullable=False)
    currency = db.Column(db.String(3), nullable=False, default=domain_currency)  # of the limits
    min_term_months = db.Column(db.Integer, nullable=False)
    max_term_months = db.Column(db.Integer, nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    company = db.relationship(FinanceCompany, lazy="joined")
    __table_args__ = (db.UniqueConstraint("company_id", "code"),)


class CommissionPolicy(db.Model):
    """The referrer's commission for a product, valid from one day to another (both included;
    no end: until further notice). An admin sets them; the day of disbursement picks one."""

    __tablename__ = "lending_commission"
    id = db.Column(db.Integer, primary_key=True)
    product_id = db.Column(db.ForeignKey("lending_product.id"), nullable=False, index=True)
    rate_percent = db.Column(db.Numeric(6, 3), nullable=False)
    valid_from = db.Column(db.Date, nullable=False)
    valid_to = db.Column(db.Date)
    created_by = db.Column(db.String(80), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


class Referral(db.Model):
    __tablename__ = "lending_referral"
    id = db.Column(db.Integer, primary_key=True)
    referrer = db.Column(db.String(80), nullable=False, index=True)
    customer_name = db.Column(db.String(200), nullable=False)
    phone = db.Column(db.String(32), nullable=False, index=True)
    national_id = db.Column(db.String(20))
    product_id = db.Column(db.ForeignKey("lending_product.id"), nullable=False)
    customer_status = db.Column(db.String(30), nullable=False)
    amount = db.Column(db.Numeric(18, 2), nullable=False)
    currency = db.Column(db.String(3), nullable=False, default=domain_currency)  # of both amounts
    term_months = db.Column(db.Integer, nullable=False)
    consultant_choice = db.Column(db.String(10), nullable=False)
    consultant_phone = db.Column(db.String(32))
    consultant = db.Column(db.String(80))  # who holds it now (accepted); None before
    accepted_at = db.Column(UTCDateTime)
    result = db.Column(db.String(20))  # the consultant's last result (RESULTS)
    progress = db.Column(db.String(20))  # the last step reported on the way (PROGRESS)
    disbursed_amount = db.Column(db.Numeric(18, 2))
    cross_sell_product_id = db.Column(db.ForeignKey("lending_product.id"))
    cross_sell_state = db.Column(db.String(20))  # CROSS_SELL_STATES, None when never considered
    cross_sell_consent = db.Column(db.Boolean, nullable=False)
    state = db.Column(db.String(20), nullable=False, default="in_progress")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    closed_at = db.Column(UTCDateTime)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), index=True)
    product = db.relationship(LoanProduct, lazy="joined", foreign_keys=[product_id])
    cross_sell_product = db.relationship(LoanProduct, lazy="joined", foreign_keys=[cross_sell_product_id])
    __table_args__ = (
        # the star ranking reads each consultant's referrals accepted in the last 90 days
        db.Index("ix_lending_referral_consultant_accepted", "consultant", "accepted_at"),
        db.Index("uq_lending_referral_in_progress_phone", "phone", unique=True,
                 postgresql_where=db.text("state = 'in_progress'"),
                 sqlite_where=db.text("state = 'in_progress'")),
    )


class ConsultantCompany(db.Model):
    """A consultant (a user with the ``consultant`` role) serves a finance company."""

    __tablename__ = "lending_consultant_company"
    username = db.Column(db.String(80), primary_key=True)
    company_id = db.Column(db.ForeignKey("lending_company.id"), primary_key=True)


class Offer(db.Model):
    """The case offered to one consultant, and their answer (OFFER_ANSWERS, None while open)."""

    __tablename__ = "lending_offer"
    id = db.Column(db.Integer, primary_key=True)
    referral_id = db.Column(db.ForeignKey("lending_referral.id"), nullable=False, index=True)
    consultant = db.Column(db.String(80), nullable=False, index=True)
    offered_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    answer = db.Column(db.String(20))
    answered_at = db.Column(UTCDateTime)
    reason = db.Column(db.Text)


class Commission(db.Model):
    """The referrer's commission on a disbursed referral: at most one per referral, by the
    policy in force on the day of disbursement; an admin marks it paid."""

    __tablename__ = "lending_referral_commission"
    id = db.Column(db.Integer, primary_key=True)
    referral_id = db.Column(db.ForeignKey("lending_referral.id"), nullable=False, unique=True)
    referrer = db.Column(db.String(80), nullable=False, index=True)
    product_id = db.Column(db.ForeignKey("lending_product.id"), nullable=False)
    policy_id = db.Column(db.ForeignKey("lending_commission.id"), nullable=False)
    rate_percent = db.Column(db.Numeric(6, 3), nullable=False)
    base_amount = db.Column(db.Numeric(18, 2), nullable=False)
    amount = db.Column(db.Numeric(18, 2), nullable=False)
    currency = db.Column(db.String(3), nullable=False, default=domain_currency)  # the referral's
    earned_on = db.Column(db.Date, nullable=False)
    state = db.Column(db.String(10), nullable=False, default="pending")
    paid_at = db.Column(UTCDateTime)
    paid_by = db.Column(db.String(80))
    product = db.relationship(LoanProduct, lazy="joined")


class Setting(db.Model):
    """An admin-set value of the referral procedure (keys and defaults: SETTING_DEFAULTS)."""

    __tablename__ = "lending_setting"
    key = db.Column(db.String(40), primary_key=True)
    value = db.Column(db.String(100), nullable=False)
    updated_by = db.Column(db.String(80), nullable=False)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
