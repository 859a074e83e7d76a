"""What the loan referral procedure (bpmn/loan_referral.bpmn) writes to the referral:
offers to consultants and their answers, the consultant's result and adjustments, the
cross-sell, the commission, the close. Each change is one audit event in the stream
``referral:<id>``, which the referrer's portal shows as the referral's history.

These run inside the case's unit of work (processes.referrals.helpers), so they never commit:
the step commits them with the case, or not at all.
"""
from decimal import Decimal

from engine import audit
from engine.db import db
from engine.durations import after
from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.types import utcnow

from . import consultants
from . import settings as referral_settings
from .models import PROGRESS, RESULTS, Commission, LoanProduct, Offer, Referral, business_today
from .referrals import commission_policy

CENT = Decimal("0.01")


def referral(referral_id):
    """The referral, locked for update.

    :raises NotFoundError: no such referral
    """
    row = (db.session.query(Referral).filter(Referral.id == int(referral_id))
           .with_for_update(of=Referral).populate_existing().one_or_none())
    if row is None:
        raise NotFoundError(f"referral {referral_id} not found")
    return row


def _log(row, kind, *, actor, before=None, after_=None):
    audit.append(f"referral:{row.id}", kind, actor=actor or "system", data_before=before, data_after=after_)


def link_case(referral_id, instance_id):
    row = referral(referral_id)
    row.instance_id = instance_id


def offer(referral_id, tried=(), *, now=None):
    """Offer the referral to the next consultant: the one the referrer chose, while they
    have not been tried and are available; else the best available of the company.

    :returns: the consultant's username, or ``None`` when nobody is available
    """
    row = referral(referral_id)
    tried = set(tried or ())
    chosen = consultants.by_phone(row.consultant_phone) if row.consultant_phone else None
    first = db.session.query(Offer).filter_by(referral_id=row.id).count() == 0
    standings = consultants.ranking(row.product.company_id, now=now)
    name = None
    if chosen is not None and first and chosen.username not in tried:
        standing = next((s for s in standings if s.username == chosen.username), None)
        # the referrer's choice, even of another company's consultant, unless they are full
        if standing is None or standing.available:
            name = chosen.username
    if name is None:
        name = consultants.best_available(row.product.company_id, exclude=tried, standings=standings)
    if name is None:
        _log(row, "referral_unassigned", actor="system", after_={"tried": sorted(tried)})
        return None
    db.session.add(Offer(referral_id=row.id, consultant=name, offered_at=now or utcnow()))
    _log(row, "referral_offered", actor="system", after_={"consultant": name})
    return name


def answer_offer(referral_id, consultant, answer, *, by=None, reason=None, now=None):
    """Close the open offer to ``consultant`` with ``answer`` (accepted, handed_back,
    timed_out). ``by``: who answered, when not the consultant it was offered to (the task
    was put back in the queue or reassigned by a manager); an accepted referral is the
    answerer's from now on.

    :returns: the username who holds the referral now (``None`` unless accepted)
    """
    row = referral(referral_id)
    now = now or utcnow()
    open_offer = (db.session.query(Offer).filter_by(referral_id=row.id, consultant=consultant, answer=None)
                  .order_by(Offer.id.desc()).first())
    if open_offer is None:
        raise ConflictError(f"referral {row.id} has no open offer to {consultant}")
    by = by or consultant
    open_offer.answer, open_offer.answered_at, open_offer.reason = answer, now, reason
    if answer == "accepted":
        row.consultant, row.accepted_at = by, now
    kinds = {"accepted": "referral_accepted", "handed_back": "referral_handed_back",
             "timed_out": "referral_offer_timed_out"}
    _log(row, kinds[answer], actor=by if answer != "timed_out" else "system",
         after_={"consultant": by if answer == "accepted" else consultant, "reason": reason})
    return row.consultant if answer == "accepted" else None


def record_result(referral_id, values, *, actor):
    """The consultant's result: adjusts the customer's wishes (amount, term) when changed,
    stores the result. ``values``: result, amount, term_months, note, disbursed_amount,
    cross_sell_product_id.

    A step on the way (PROGRESS: contacted, submitted) is recorded for the referrer and
    the case goes on.

    :returns: whether a cross-sell should follow (not eligible, another product named)
    :raises ValidationError: an unknown result, a disbursement without an amount, or a
        cross-sell product that is not an active product other than this one
    """
    row = referral(referral_id)
    result = values.get("result")
    if result not in RESULTS + PROGRESS:
        raise ValidationError("unknown result", fields={"result": result})
    changes = {key: values[key] for key in ("amount", "term_months") if values.get(key) not in (None, "")
               and Decimal(str(values[key])) != Decimal(str(getattr(row, key)))}
    if changes:
        before = {key: str(getattr(row, key)) for key in changes}
        row.amount = Decimal(str(changes.get("amount", row.amount)))
        row.term_months = int(changes.get("term_months", row.term_months))
        _log(row, "referral_adjusted", actor=actor, before=before,
             after_={key: str(value) for key, value in changes.items()})
    if actor and actor != row.consultant and consultants.is_consultant(actor):
        row.consultant = actor   # a manager gave the work to another consultant: theirs now
    if result in PROGRESS:
        row.progress = result
        _log(row, "referral_progress", actor=actor,
             after_={"progress": result, "note": values.get("note") or None})
        return False
    cross_sell = None
    if result == "not_eligible" and values.get("cross_sell_product_id") not in (None, ""):
        cross_sell = _other_product(row, values["cross_sell_product_id"])
    if result == "disbursed":
        amount = values.get("disbursed_amount") or row.amount
        if Decimal(str(amount)) <= 0:
            raise ValidationError("a disbursement needs its amount", fields={"disbursed_amount": amount})
        row.disbursed_amount = Decimal(str(amount)).quantize(CENT)
    row.result = result
    _log(row, "referral_result", actor=actor, after_={
        "result": result, "note": values.get("note") or None,
        "disbursed_amount": str(row.disbursed_amount) if result == "disbursed" else None,
        "cross_sell_product": cross_sell.code if cross_sell else None,
        "cross_sell_product_id": cross_sell.id if cross_sell else None})
    if cross_sell is not None:
        row.cross_sell_product_id = cross_sell.id
    return cross_sell is not None


def _other_product(row, product_id):
    product = db.session.get(LoanProduct, int(product_id))
    if product is None or not product.active or not product.company.active or product.id == row.product_id:
        raise ValidationError("not another active product", fields={"cross_sell_product_id": product_id})
    return product


def _cross_sold(row, **extra):
    """An event's data naming the cross-sold product (by id: a code is unique only within
    its company)."""
    return {"product": row.cross_sell_product.code, "product_id": row.cross_sell_product_id, **extra}


def start_cross_sell(referral_id, *, actor, approved=False):
    """The consultant works the cross-sold product from now on (consent given at submission,
    or ``approved`` by the referrer when asked)."""
    row = referral(referral_id)
    row.cross_sell_state = "approved" if approved else "started"
    row.result = row.progress = None   # the new product starts from the beginning
    _log(row, "cross_sell_started", actor=actor, after_=_cross_sold(
        row, consent="asked" if approved else "given"))


def request_cross_sell(referral_id, *, actor, now=None):
    """Ask the referrer to allow this one cross-sell.

    :returns: ``(remind_at, expires_at)`` as ISO-8601, from the admin's settings
    """
    row = referral(referral_id)
    now = now or utcnow()
    remind_at = after(now, referral_settings.get("consent_remind_after"))
    expires_at = after(now, referral_settings.get("consent_expires_after"))
    row.cross_sell_state = "requested"
    _log(row, "cross_sell_requested", actor=actor, after_=_cross_sold(
        row, expires_at=expires_at.isoformat()))
    return remind_at.isoformat(), expires_at.isoformat()


def remind_cross_sell(referral_id):
    row = referral(referral_id)
    _log(row, "cross_sell_reminded", actor="system", after_=_cross_sold(row))


def answer_cross_sell(referral_id, approved, *, actor):
    """The referrer's answer to the request, as the case received it."""
    row = referral(referral_id)
    if row.cross_sell_state != "requested":
        raise ConflictError(f"referral {row.id} has no open cross-sell request")
    row.cross_sell_state = "approved" if approved else "refused"
    _log(row, "cross_sell_approved" if approved else "cross_sell_refused", actor=actor,
         after_=_cross_sold(row))


def expire_cross_sell(referral_id):
    """Nobody answered in time: the request closes as refused."""
    row = referral(referral_id)
    row.cross_sell_state = "expired"
    _log(row, "cross_sell_expired", actor="system", after_=_cross_sold(row))


def record_disbursement(referral_id, *, actor, day=None):
    """The referral was disbursed: the referrer's commission by the policy in force on
    ``day`` for the product actually disbursed (the cross-sold one if any), then closed.

    :returns: the commission, or ``None`` when no policy was in force that day
    """
    row = referral(referral_id)
    day = day or business_today()
    cross_sold = row.cross_sell_state in ("started", "approved")
    product_id = row.cross_sell_product_id if cross_sold else row.product_id
    policy = commission_policy(product_id, day)
    commission = None
    if policy is None:
        _log(row, "commission_none", actor="system", after_={"day": day.isoformat()})
    elif db.session.query(Commission).filter_by(referral_id=row.id).first() is None:
        base = row.disbursed_amount or row.amount
        commission = Commission(referral_id=row.id, referrer=row.referrer, product_id=product_id,
                                policy_id=policy.id, rate_percent=policy.rate_percent, base_amount=base,
                                amount=(base * policy.rate_percent / 100).quantize(CENT), earned_on=day,
                                currency=row.currency)
        db.session.add(commission)
        _log(row, "commission_recorded", actor="system", after_={
            "rate_percent": str(policy.rate_percent), "amount": str(commission.amount),
            "currency": commission.currency,
            "day": day.isoformat()})
    close(referral_id, "disbursed", actor=actor)
    return commission


def close(referral_id, state, *, actor):
    """The final result: ``disbursed`` or ``failed``; a new referral of the customer is
    allowed from now on."""
    row = referral(referral_id)
    if row.state != "in_progress":
        raise ConflictError(f"referral {row.id} is already {row.state}")
    row.state, row.closed_at = state, utcnow()
    _log(row, "referral_closed", actor=actor, after_={"state": state, "result": row.result})


def deadline_for_answer(now=None):
    """When a consultant's offer times out (ISO-8601), from the admin's settings."""
    return after(now or utcnow(), referral_settings.get("accept_within")).isoformat()
