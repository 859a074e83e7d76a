"""Records of the partner's commission (issue 15, step 12): the rate an admin sets per
credit product (or for every product) with the days it is in force, and the commission a
deal earns once the client's payment and the signed act are both in.

A commission is recorded once per deal (``deal_id`` is unique: the database decides a
race) at the rate in force on the day it is earned; it never changes after, except that an
admin marks it paid, once (``state`` 'earned' -> 'paid' by one conditional UPDATE that also
steps ``version``). See docs/broker.md.
"""
from decimal import Decimal

from engine.db import db
from engine.types import UTCDateTime, utcnow

from .models import domain_currency

DEFAULT_RATE = Decimal("2.5")   # percent of the approved loan when no policy applies
COMMISSION_STATES = ("earned", "paid")


class CommissionPolicy(db.Model):
    """The partner's rate for one product (``product_id``) or for every product (``None``)
    from ``valid_from`` to ``valid_to`` (both included; no end: until further notice).
    Periods of the same product never overlap; on a day, a product's own policy goes before
    the one for every product."""

    __tablename__ = "broker_commission_policy"
    id = db.Column(db.Integer, primary_key=True)
    product_id = db.Column(db.ForeignKey("broker_product.id"), index=True)
    rate_percent = db.Column(db.Numeric(6, 3), nullable=False)
    valid_from = db.Column(db.Date, nullable=False)
    valid_to = db.Column(db.Date)
    created_by = db.Column(db.String(80), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    product = db.relationship("CreditProduct", lazy="selectin")


class Commission(db.Model):
    """A partner's commission on one completed deal: ``rate_percent`` of ``base_amount``
    (the loan the bank approved), rounded to kopecks."""

    __tablename__ = "broker_commission"
    id = db.Column(db.Integer, primary_key=True)
    deal_id = db.Column(db.ForeignKey("broker_deal.id"), nullable=False, unique=True)
    partner = db.Column(db.String(80), nullable=False, index=True)
    product_id = db.Column(db.ForeignKey("broker_product.id"), nullable=False)
    policy_id = db.Column(db.ForeignKey("broker_commission_policy.id"))  # None: the default rate
    rate_percent = db.Column(db.Numeric(6, 3), nullable=False)
    base_amount = db.Column(db.Numeric(18, 2), nullable=False)
    amount = db.Column(db.Numeric(18, 2), nullable=False)
    currency = db.Column(db.String(3), nullable=False, default=domain_currency)  # the deal's
    earned_on = db.Column(db.Date, nullable=False)  # the day in Moscow that picked the rate
    earned_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    state = db.Column(db.String(10), nullable=False, default="earned")
    paid_at = db.Column(UTCDateTime)
    paid_by = db.Column(db.String(80))
    version = db.Column(db.Integer, nullable=False)
    deal = db.relationship("Deal", lazy="joined")
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (db.Index("ix_broker_commission_state", "state"),)
