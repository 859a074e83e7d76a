"""What a referrer reads about their own referrals (the portal and the API): the list,
one referral's history (its audit stream), open cross-sell requests, commissions.
Every function takes the referrer, so one referrer never reads another's."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func

from engine.db import db
from engine.models import AuditEvent

from .models import Commission, Referral, domain_currency

PAGE = 50


def referrals_of(referrer, *, state=None, limit=PAGE, offset=0):
    """``referrer``'s referrals, newest first; ``state`` narrows to in_progress / disbursed / failed."""
    query = db.session.query(Referral).filter(Referral.referrer == referrer)
    if state:
        query = query.filter(Referral.state == state)
    return query.order_by(Referral.created_at.desc(), Referral.id.desc()).offset(offset).limit(limit).all()


def counts_of(referrer):
    """``{state: count}`` of ``referrer``'s referrals."""
    return dict(db.session.query(Referral.state, func.count()).filter(Referral.referrer == referrer)
                .group_by(Referral.state).all())


def history(referral):
    """The referral's events, oldest first (kind, actor, at, data_before, data_after)."""
    return (db.session.query(AuditEvent).filter(AuditEvent.stream == f"referral:{referral.id}")
            .order_by(AuditEvent.seq).all())


def open_requests(referrer):
    """``referrer``'s referrals waiting on their cross-sell answer."""
    return (db.session.query(Referral)
            .filter(Referral.referrer == referrer, Referral.state == "in_progress",
                    Referral.cross_sell_state == "requested")
            .order_by(Referral.created_at).all())


@dataclass
class Earnings:
    rows: list
    earned: Decimal
    pending: Decimal
    paid: Decimal
    currency: str   # of the totals: the domain's, which its commissions share


def earnings(referrer):
    """``referrer``'s commissions, newest first, with the totals earned, pending and paid."""
    rows = (db.session.query(Commission).filter(Commission.referrer == referrer)
            .order_by(Commission.earned_on.desc(), Commission.id.desc()).all())
    pending = sum((row.amount for row in rows if row.state == "pending"), Decimal(0))
    paid = sum((row.amount for row in rows if row.state == "paid"), Decimal(0))
    return Earnings(rows, pending + paid, pending, paid, domain_currency())


def commission_of(referral):
    return db.session.query(Commission).filter_by(referral_id=referral.id).one_or_none()
