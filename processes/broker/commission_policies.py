"""The partner's commission rates an admin sets (issue 15, step 12): per credit product or
for every product, each in force from one day to another (both included; no last day:
until further notice). Periods of the same product (or of "every product") never overlap,
so on any day at most one policy of a kind applies; a product's own goes before the one for
every product, and 2.5% applies when neither does (:func:`.commissions.rate_on`).

To change a rate, end the policy in force and add one from the next day. A policy that
commissions were recorded under cannot be ended before the last day it was used on.
Every change is checked whole (nothing stored on bad input), audited in the stream
``broker:commission_policies`` and committed.
"""
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from engine import audit
from engine.db import db
from engine.errors import NotFoundError, ValidationError
from engine.models import AuditStream
from forms import inputs, messages

from .commission_models import Commission, CommissionPolicy
from .models import CreditProduct

STREAM = "broker:commission_policies"


class PolicySchema(inputs.RatePeriodSchema):
    """A policy: the product (empty: every product), its rate and the days it is in force."""

    product_id = inputs.Whole(1, 2**31 - 1, message=lambda: _("Choose a credit product from the list."))


def policies(product_id=None, *, every=True):
    """Policies newest first: of one product (with ``every``, also those for every product),
    or all of them when ``product_id`` is ``None``."""
    query = select(CommissionPolicy)
    if product_id is not None:
        scope = CommissionPolicy.product_id == product_id
        query = query.where(or_(scope, CommissionPolicy.product_id.is_(None)) if every else scope)
    newest = (CommissionPolicy.valid_from.desc(), CommissionPolicy.id.desc())
    return db.session.scalars(query.order_by(*newest)).all()


def last_used(policy_ids):
    """``{policy_id: the last day a commission was earned under it}`` for those used."""
    if not policy_ids:
        return {}
    rows = db.session.execute(select(Commission.policy_id, func.max(Commission.earned_on))
                              .where(Commission.policy_id.in_(list(policy_ids))).group_by(Commission.policy_id))
    return dict(rows.all())


def add_policy(values, *, actor):
    """A new policy from ``values`` (``product_id`` empty: every product; ``rate_percent``
    above 0 up to 100, at most 3 decimals; ``valid_from``; optional ``valid_to``).

    :raises ValidationError: every bad field at once; a period overlapping another policy of
        the same product names that policy; nothing is stored
    """
    _lock()
    loaded = _check(PolicySchema(), values)
    product_id = loaded.get("product_id")
    if product_id is not None and db.session.get(CreditProduct, product_id) is None:
        _refuse({"product_id": _("Choose a credit product from the list.")})
    policy = CommissionPolicy(product_id=product_id, rate_percent=loaded["rate_percent"],
                              valid_from=loaded["valid_from"], valid_to=loaded.get("valid_to"),
                              created_by=actor)
    _no_overlap(policy)
    db.session.add(policy)
    db.session.flush()
    audit.append(STREAM, "commission_policy_created", actor=actor, data_after=_record(policy))
    db.session.commit()
    return policy


def end_policy(policy_id, values, *, actor):
    """Set the policy's last day (``valid_to``).

    :raises NotFoundError: no such policy
    :raises ValidationError: the day is missing, before the first day, before the last day a
        commission was earned under it, or the new period overlaps another; nothing changes
    """
    _lock()
    policy = db.session.get(CommissionPolicy, policy_id, with_for_update=True)
    if policy is None:
        db.session.rollback()
        raise NotFoundError(_("Not found."))
    loaded = _check(PolicySchema(first=policy.valid_from, only=("valid_to",)), values)
    day = loaded.get("valid_to")
    if day is None:
        _refuse({"valid_to": messages.required()})
    used = last_used([policy.id]).get(policy.id)
    if used is not None and day < used:
        _refuse({"valid_to": _("Commissions were earned under this policy until %(day)s: end it on that day "
                               "or later.", day=format_date(used, "medium"))})
    before = _record(policy)
    policy.valid_to = day
    _no_overlap(policy)
    audit.append(STREAM, "commission_policy_ended", actor=actor, data_before=before,
                 data_after=_record(policy))
    db.session.commit()
    return policy


def _no_overlap(policy):
    """:raises ValidationError: another policy of the same product covers one of its days"""
    scope = (CommissionPolicy.product_id.is_(None) if policy.product_id is None
             else CommissionPolicy.product_id == policy.product_id)
    query = select(CommissionPolicy).where(scope, or_(CommissionPolicy.valid_to.is_(None),
                                                      CommissionPolicy.valid_to >= policy.valid_from))
    if policy.valid_to is not None:
        query = query.where(CommissionPolicy.valid_from <= policy.valid_to)
    if policy.id is not None:
        query = query.where(CommissionPolicy.id != policy.id)
    other = db.session.scalars(query.order_by(CommissionPolicy.valid_from)).first()
    if other is None:
        return
    rate, first = format_decimal(other.rate_percent, "#,##0.###"), format_date(other.valid_from, "medium")
    if other.valid_to is None:
        message = _("These days overlap the policy of %(rate)s%% from %(first)s until further notice for the "
                    "same product. End that policy first, or choose days outside it.", rate=rate, first=first)
    else:
        message = _("These days overlap the policy of %(rate)s%% from %(first)s to %(last)s for the same "
                    "product. End that policy first, or choose days outside it.", rate=rate, first=first,
                    last=format_date(other.valid_to, "medium"))
    _refuse({"valid_from": message})


def _lock():
    # Two admins adding at one moment would both find no overlap; the stream head's row lock
    # makes the second wait for the first and then see its policy.
    db.session.get(AuditStream, STREAM, with_for_update=True)


def _refuse(errors):
    db.session.rollback()
    raise ValidationError(messages.form_invalid(), fields=errors)


def _check(schema, values):
    loaded, errors = inputs.load(schema, values if isinstance(values, dict) else {})
    if errors:
        _refuse(errors)
    return loaded


def _record(policy):
    return {"id": policy.id, "product_id": policy.product_id, "rate_percent": str(policy.rate_percent),
            "valid_from": policy.valid_from.isoformat(),
            "valid_to": policy.valid_to.isoformat() if policy.valid_to else None}
