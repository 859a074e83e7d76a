"""Paying referrers their commissions (seed 000, issue 6): the list an admin pays from, and
marking one paid.

Marking is one conditional UPDATE (``state = 'pending'`` -> ``'paid'``): of two admins
marking the same commission at one moment, the database lets exactly one change it, and
the other is told who paid it and when. See docs/referrals.md.
"""
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, update

from engine import audit
from engine.db import db
from engine.errors import ConflictError, NotFoundError
from engine.types import utcnow

from .models import COMMISSION_STATES, Commission

PER_PAGE = 50


def _filtered(query, state, referrer):
    if state in COMMISSION_STATES:
        query = query.filter(Commission.state == state)
    if referrer:
        query = query.filter(Commission.referrer == referrer)
    return query


def commissions(*, state=None, referrer=None, page=1, per_page=PER_PAGE):
    """One page of commissions, newest first: ``(rows, more)``.

    :param state: ``pending`` or ``paid``; anything else: both
    :param referrer: a referrer's username, or ``None`` for all
    """
    query = _filtered(db.session.query(Commission), state, referrer)
    rows = (query.order_by(Commission.earned_on.desc(), Commission.id.desc())
            .limit(per_page + 1).offset((max(page, 1) - 1) * per_page).all())
    return rows[:per_page], len(rows) > per_page


def total(*, state=None, referrer=None):
    """The sum of the commissions the filter selects (in the domain's currency: its rows share it)."""
    query = _filtered(db.session.query(func.coalesce(func.sum(Commission.amount), 0)), state, referrer)
    return query.scalar()


def referrers():
    """Everyone who earned a commission, by username."""
    return [row[0] for row in db.session.query(Commission.referrer).distinct().order_by(Commission.referrer)]


def mark_paid(commission_id, *, actor):
    """Mark a pending commission paid by ``actor`` now (audited as ``commission_paid`` in
    the referral's stream).

    :raises NotFoundError: no such commission
    :raises ConflictError: it was paid already (``winner``: who paid it); nothing changes
    """
    now = utcnow()
    changed = db.session.execute(
        update(Commission).where(Commission.id == commission_id, Commission.state == "pending")
        .values(state="paid", paid_at=now, paid_by=actor)).rowcount
    if changed != 1:
        db.session.rollback()
        row = db.session.get(Commission, commission_id)
        if row is None:
            raise NotFoundError(_("Not found."))
        message = _("This commission was already marked paid by %(who)s on %(when)s; nothing changed.",
                    who=row.paid_by, when=format_datetime(row.paid_at, "short"))
        raise ConflictError(message, winner=row.paid_by)
    row = db.session.get(Commission, commission_id, populate_existing=True)
    audit.append(f"referral:{row.referral_id}", "commission_paid", actor=actor, data_after={
        "commission_id": row.id, "amount": str(row.amount), "currency": row.currency,
        "paid_at": now.isoformat(), "paid_by": actor})
    db.session.commit()
    return row
