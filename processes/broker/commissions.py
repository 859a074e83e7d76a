"""The partner's commission (issue 15, step 12): earned once per deal when the client's
payment and the signed act are both in (either order), at the rate in force on that day
(:func:`rate_on`: the product's policy, else the one for every product, else 2.5%), on the
loan the bank approved; an admin marks it paid, once.

Earning runs inside the deal's case (the commission step's helpers), so it commits with the
step or not at all, under the case's lock; ``deal_id`` being unique is the last word.
Paying is one conditional UPDATE (``state = 'earned'`` -> ``'paid'``, ``version`` + 1): of
two admins paying at one moment the database lets one change it; the other is told who
paid and when (409). See docs/broker.md.
"""
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select, update

from engine import audit, outbox
from engine.db import db
from engine.errors import ConflictError, NotFoundError
from engine.models import AuditStream
from engine.places import place

from .commission_models import COMMISSION_STATES, DEFAULT_RATE, Commission, CommissionPolicy
from .models import DOMAIN

KOPECK = Decimal("0.01")
PER_PAGE = 50
PORTAL_LINK = "/portal/deals/{id}"


def today():
    """The day in the brokerage's place (Moscow): the day that picks a policy."""
    return datetime.now(timezone.utc).astimezone(place(DOMAIN).tz).date()


def policy_on(product_id, day):
    """The policy in force on ``day`` for the product: its own, else the one for every
    product; ``None`` when neither."""
    covers = and_(CommissionPolicy.valid_from <= day,
                  or_(CommissionPolicy.valid_to.is_(None), CommissionPolicy.valid_to >= day))
    rows = db.session.scalars(select(CommissionPolicy).where(
        covers, or_(CommissionPolicy.product_id == product_id, CommissionPolicy.product_id.is_(None)))).all()
    own = [row for row in rows if row.product_id is not None]
    return (own or rows or [None])[0]


def rate_on(product_id, day):
    """``(rate_percent, policy)`` on ``day``: the policy's, or 2.5 with ``None``."""
    policy = policy_on(product_id, day)
    return (Decimal(policy.rate_percent), policy) if policy is not None else (DEFAULT_RATE, None)


def amount_of(base, rate):
    """``rate`` percent of ``base``, in kopecks (half up, as accountants round)."""
    return (Decimal(base) * Decimal(rate) / 100).quantize(KOPECK, rounding=ROUND_HALF_UP)


def record_receipts(deal, *, payment=False, act=False, actor="system"):
    """Note the client's payment and/or the signed act on the deal (a receipt stays once
    noted: a later form without it does not take it back), and earn the commission when both
    are in. :returns: whether both are in"""
    now = datetime.now(timezone.utc)
    if payment and deal.payment_received_at is None:
        deal.payment_received_at = now
        audit.append(f"deal:{deal.id}", "deal_payment_received", actor=actor,
                     data_after={"at": now.isoformat()})
    if act and deal.act_signed_at is None:
        deal.act_signed_at = now
        audit.append(f"deal:{deal.id}", "deal_act_signed", actor=actor, data_after={"at": now.isoformat()})
    both = deal.payment_received_at is not None and deal.act_signed_at is not None
    if both:
        earn(deal, actor=actor)
    return both


def earn(deal, *, actor="system"):
    """The deal's commission, recorded now if it is not yet (so calling it twice records one).

    :raises ValueError: the bank's approved amount is not on the deal, or the payment or the
        signed act is missing (the case's step then fails as an incident, nothing is recorded)
    """
    existing = db.session.scalars(select(Commission).filter_by(deal_id=deal.id)).first()
    if existing is not None:
        return existing
    if deal.payment_received_at is None or deal.act_signed_at is None:
        raise ValueError(f"deal {deal.id}: the commission needs both the client's payment and the signed act")
    if deal.approved_amount is None:
        raise ValueError(f"deal {deal.id}: the bank's approved amount is not recorded")
    day = today()
    rate, policy = rate_on(deal.product_id, day)
    row = Commission(deal_id=deal.id, partner=deal.partner, product_id=deal.product_id,
                     policy_id=policy.id if policy is not None else None, rate_percent=rate,
                     base_amount=deal.approved_amount, amount=amount_of(deal.approved_amount, rate),
                     currency=deal.currency, earned_on=day, state="earned")
    db.session.add(row)
    db.session.flush()
    audit.append(f"deal:{deal.id}", "commission_earned", actor=actor, data_after={
        "commission_id": row.id, "rate_percent": str(rate), "base_amount": str(row.base_amount),
        "amount": str(row.amount), "currency": row.currency, "policy_id": row.policy_id,
        "earned_on": day.isoformat()})
    _tell(deal, row, "deal_commission_earned")
    return row


def mark_paid(commission_id, *, actor):
    """Mark an earned commission paid by ``actor`` now (audited as ``commission_paid`` in
    the deal's stream; the partner's bell rings) and commit.

    :raises NotFoundError: no such commission
    :raises ConflictError: it was paid already (``winner``: who paid it); nothing changes
    """
    now = datetime.now(timezone.utc)
    changed = db.session.execute(
        update(Commission).where(Commission.id == commission_id, Commission.state == "earned")
        .values(state="paid", paid_at=now, paid_by=actor, version=Commission.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.rollback()
        row = db.session.get(Commission, commission_id)
        if row is None:
            raise NotFoundError(_("Not found."))
        message = _("This commission was already marked paid by %(who)s on %(when)s; nothing changed.",
                    who=row.paid_by, when=format_datetime(row.paid_at, "short"))
        raise ConflictError(message, winner=row.paid_by)
    row = db.session.get(Commission, commission_id, populate_existing=True)
    # the deal's stream may be written by its case at this moment: take its head's lock first
    db.session.get(AuditStream, f"deal:{row.deal_id}", with_for_update=True)
    audit.append(f"deal:{row.deal_id}", "commission_paid", actor=actor, data_after={
        "commission_id": row.id, "amount": str(row.amount), "currency": row.currency,
        "paid_at": now.isoformat(), "paid_by": actor})
    _tell(row.deal, row, "deal_commission_paid")
    db.session.commit()
    return row


def of_deal(deal_id):
    """The deal's commission, or ``None`` before it is earned."""
    return db.session.scalars(select(Commission).filter_by(deal_id=deal_id)).first()


def _filtered(query, partner, state):
    if partner:
        query = query.where(Commission.partner == partner)
    if state in COMMISSION_STATES:
        query = query.where(Commission.state == state)
    return query


def listed(*, partner=None, state=None, limit=PER_PAGE, offset=0):
    """``(rows, total)``: newest first. :param partner: one partner's only (``None``: all)"""
    rows = db.session.scalars(_filtered(select(Commission), partner, state)
                              .order_by(Commission.earned_at.desc(), Commission.id.desc())
                              .limit(limit).offset(offset)).all()
    total = db.session.scalar(_filtered(select(func.count(Commission.id)), partner, state))
    return rows, total


def totals(*, partner=None):
    """``{"earned", "pending", "paid"}``: the sums of every commission earned, of those still to
    pay and of those paid (``Decimal``; in the brokerage's currency, which every deal has)."""
    pending = func.coalesce(func.sum(case((Commission.state == "earned", Commission.amount), else_=0)), 0)
    paid = func.coalesce(func.sum(case((Commission.state == "paid", Commission.amount), else_=0)), 0)
    earned = func.coalesce(func.sum(Commission.amount), 0)
    values = db.session.execute(_filtered(select(earned, pending, paid), partner, None)).one()
    return {name: Decimal(value).quantize(KOPECK)
            for name, value in zip(("earned", "pending", "paid"), values, strict=True)}


def partners():
    """Everyone who earned a commission, by username."""
    return db.session.scalars(select(Commission.partner).distinct().order_by(Commission.partner)).all()


def _tell(deal, row, kind):
    params = {"deal": deal.id, "company": deal.company_name, "step": deal.step, "amount": str(row.amount),
              "currency": row.currency}
    outbox.add("in_app", deal.partner, subject=deal.company_name, body="",
               link=PORTAL_LINK.format(id=deal.id), kind=kind, params=params, instance_id=deal.instance_id)

