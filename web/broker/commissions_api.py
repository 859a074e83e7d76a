"""The partners' commissions over the API (issue 15, step 12): the list with totals earned,
to pay and paid (a partner their own; the team and admins every partner's, by partner),
and an admin marking one paid, once: of two admins at one moment, the second gets a 409
naming who paid. The deal's own ``commission`` field is :func:`deal_commission`.
"""
from marshmallow import Schema, fields, validate

from processes.broker import commissions, deals
from processes.broker.commission_models import COMMISSION_STATES
from processes.broker.models import domain_currency
from web import access
from web.api.common import Viewed, caller, load_query, respond
from web.api.registry import operation
from web.api.schemas import DbInteger, DecimalString

MONEY = {"description": "a decimal string, in the currency beside it (roubles)", "example": "375000.00"}
RATE = {"description": "percent of the approved loan, a decimal string", "example": "2.500"}


class DealCommissionSchema(Schema):
    """A deal's commission as the deal shows it."""

    id = DbInteger()
    rate_percent = DecimalString(places=3, metadata=RATE)
    base_amount = DecimalString(places=2, metadata={**MONEY, "description": "the loan the bank approved"})
    amount = DecimalString(places=2, metadata=MONEY)
    currency = fields.String()
    state = fields.String(metadata={"enum": list(COMMISSION_STATES),
                                    "description": "earned (to pay) or paid"})
    earned_on = fields.Date(metadata={"description": "the day (Moscow) whose rate applied"})
    earned_at = fields.DateTime()
    paid_at = fields.DateTime(allow_none=True)
    paid_by = fields.String(allow_none=True)


class DealCommissionItemSchema(DealCommissionSchema):
    deal_id = DbInteger()
    company_name = fields.String()
    partner = fields.String()
    product_id = DbInteger()
    policy_id = DbInteger(allow_none=True, metadata={"description": "null: the default 2.5%"})


class DealCommissionQuerySchema(Schema):
    partner = fields.String(validate=validate.Length(min=1, max=80),
                            metadata={"description": "the team and admins: one partner's only (a partner "
                                                     "always sees their own)"})
    state = fields.String(validate=validate.OneOf(COMMISSION_STATES))
    page = DbInteger(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = DbInteger(load_default=50, validate=validate.Range(min=1, max=200))


class DealCommissionTotalsSchema(Schema):
    earned = DecimalString(places=2, metadata={**MONEY, "description": "all earned, paid or not"})
    pending = DecimalString(places=2, metadata={**MONEY, "description": "earned, not yet paid"})
    paid = DecimalString(places=2, metadata=MONEY)
    currency = fields.String()


class DealCommissionListSchema(Schema):
    items = fields.List(fields.Nested(DealCommissionItemSchema), required=True)
    totals = fields.Nested(DealCommissionTotalsSchema, required=True,
                           metadata={"description": "of the partner (or every partner), whatever the state "
                                                    "and page asked"})
    total = DbInteger(required=True)
    page = DbInteger(required=True)
    per_page = DbInteger(required=True)


def deal_commission(row):
    """The deal's commission for :class:`DealCommissionSchema`, ``None`` before it is earned."""
    return commissions.of_deal(row.id)


def _viewed(row):
    return Viewed(row, company_name=row.deal.company_name)


@operation("/deals/commissions", "GET", summary="Partners' commissions with totals", tag="deals",
           query=DealCommissionQuerySchema, response=DealCommissionListSchema, errors=(403,))
def deal_commissions_list():
    """Newest first. A partner: their own (``partner`` is ignored); the broker team and
    admins: every partner's, or one's with ``partner``. ``totals``: earned, pending (to pay)
    and paid of the same partner(s), whatever ``state`` and the page.

    :raise 403: neither a partner nor the broker team
    """
    user = caller()
    roles = access.roles(user)
    team = deals.is_team(roles)
    access.check("partner" in roles or team)
    query = load_query(DealCommissionQuerySchema)
    partner = query.get("partner") if team else user.username
    rows, total = commissions.listed(partner=partner, state=query.get("state"), limit=query["per_page"],
                                     offset=(query["page"] - 1) * query["per_page"])
    totals = {**commissions.totals(partner=partner), "currency": domain_currency()}
    return respond(DealCommissionListSchema, {"items": [_viewed(r) for r in rows], "totals": totals,
                                          "total": total, "page": query["page"],
                                          "per_page": query["per_page"]})


@operation("/deals/commissions/<int:commission_id>/pay", "POST", summary="Mark a commission paid (admins)",
           tag="deals", response=DealCommissionItemSchema, errors=(403, 404, 409))
def deal_commission_pay(commission_id):
    """The commission is paid now by the caller, once; audited in the deal's history and the
    partner's bell rings.

    :raise 403: not an admin
    :raise 404: no such commission
    :raise 409: it was paid already: the message and ``winner`` name who paid it; nothing changes
    """
    user = caller()
    access.check("admin" in access.roles(user))
    paid = commissions.mark_paid(commission_id, actor=user.username)
    return respond(DealCommissionItemSchema, _viewed(paid))
