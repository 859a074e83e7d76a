"""Loan referrals over the API (seed 000, issue 6), for referrers (the ``partner`` role):
the products and star consultants to choose from, submitting a referral, the caller's
own referrals with their history, the answer to a cross-sell request, commissions.

The same calls as the referrer's portal (web/referrals/portal.py): processes.referrals.views and
processes.referrals.referrals.own always with the caller's username, so another referrer's referral
is a 404; processes.referrals.helpers for the two changes.
"""
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate

from engine.db import db
from engine.errors import NotFoundError
from processes.referrals import consultants, referrals
from processes.referrals import helpers as referral_process
from processes.referrals import views as referral_views
from processes.referrals.models import CONSULTANT_CHOICES, CUSTOMER_STATUSES, STATES, FinanceCompany
from web import access
from web.api.common import Viewed, caller, load_body, load_query, respond
from web.api.registry import operation
from web.api.schemas import DbInteger, DecimalString

from . import portal_texts

MONEY = {"description": "a decimal string, in the currency beside it", "example": "30000000.00"}


class StrictBoolean(fields.Boolean):
    """``true`` or ``false`` only: ``"yes"``, ``1`` or ``"true"`` are refused (422)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError(self.error_messages["invalid"])
        return value


class CompanySchema(Schema):
    id = DbInteger()
    code = fields.String(metadata={"example": "fe_credit"})
    name = fields.String(metadata={"example": "FE Credit"})


class ProductBriefSchema(Schema):
    id = DbInteger()
    code = fields.String(metadata={"example": "cash_loan"})
    name = fields.String(metadata={"example": "Vay tiền mặt"})
    company = fields.Nested(CompanySchema)


class LoanProductSchema(ProductBriefSchema):
    min_amount = DecimalString(places=2, metadata=MONEY)
    max_amount = DecimalString(places=2, metadata=MONEY)
    currency = fields.String(metadata={"description": "ISO 4217 code of the amounts"})
    min_term_months = DbInteger()
    max_term_months = DbInteger()


class LoanProductListSchema(Schema):
    items = fields.List(fields.Nested(LoanProductSchema), required=True)


class StarQuerySchema(Schema):
    company_id = DbInteger(required=True)


class StarSchema(Schema):
    username = fields.String()
    full_name = fields.String()
    phone = fields.String(metadata={
        "description": "E.164; send it as consultant_phone with consultant_choice star"})
    rate = fields.Float(metadata={"description": "smoothed disbursement rate over 90 days, 0..1"})
    median_days = fields.Float(allow_none=True, metadata={"description": "median days from accepting to "
                                                                         "disbursing; null: none yet"})
    load = DbInteger(metadata={"description": "referrals in progress they hold now"})


class StarListSchema(Schema):
    items = fields.List(fields.Nested(StarSchema), required=True)


class ReferralRequestSchema(Schema):
    """Checked by processes.referrals.referrals (every field at once); required fields are listed there."""

    customer_name = fields.String(metadata={"example": "Nguyễn Văn Vay"})
    phone = fields.String(metadata={"example": "0912 345 678"})
    national_id = fields.String(allow_none=True, metadata={"description": "9 or 12 digits; optional"})
    product_id = DbInteger()
    customer_status = fields.String(metadata={"enum": list(CUSTOMER_STATUSES)})
    amount = fields.Raw(metadata={"type": ["integer", "string"], "example": 30000000,
                         "description": "in the referrals' currency (forms.inputs.Money: a number, or "
                                        "digits grouped as people type them)"})
    term_months = DbInteger(metadata={"example": 12})
    consultant_choice = fields.String(metadata={"enum": list(CONSULTANT_CHOICES), "default": "auto"})
    consultant_phone = fields.String(allow_none=True, metadata={
        "description": "for phone (typed) and star (a phone from /lending/stars)"})
    cross_sell_consent = StrictBoolean(metadata={"description": "required: true or false"})


class CommissionSchema(Schema):
    id = DbInteger()
    referral_id = DbInteger()
    product = fields.Nested(ProductBriefSchema)
    base_amount = DecimalString(places=2, metadata=MONEY)
    rate_percent = DecimalString(places=3, metadata={"description": "percent, a decimal string"})
    amount = DecimalString(places=2, metadata=MONEY)
    currency = fields.String(metadata={"description": "ISO 4217 code of the amounts"})
    earned_on = fields.Date()
    state = fields.String(metadata={"enum": ["pending", "paid"]})
    paid_at = fields.DateTime(allow_none=True)


class ReferralEventSchema(Schema):
    kind = fields.String(metadata={"example": "referral_accepted"})
    actor = fields.String()
    at = fields.DateTime()
    before = fields.Raw(attribute="data_before", allow_none=True)
    after = fields.Raw(attribute="data_after", allow_none=True)
    text = fields.String(metadata={"description": "the event as a sentence in the caller's language"})


class ReferralSchema(Schema):
    id = DbInteger()
    state = fields.String(metadata={"enum": list(STATES)})
    customer_name = fields.String()
    phone = fields.String(metadata={"description": "E.164"})
    national_id = fields.String(allow_none=True)
    product = fields.Nested(ProductBriefSchema)
    customer_status = fields.String()
    amount = DecimalString(places=2, metadata=MONEY)
    currency = fields.String(metadata={"description": "ISO 4217 code of the amounts"})
    term_months = DbInteger()
    consultant_choice = fields.String()
    consultant_phone = fields.String(allow_none=True)
    consultant = fields.String(allow_none=True, metadata={
        "description": "who took it (username), once accepted"})
    cross_sell_consent = fields.Boolean()
    cross_sell_state = fields.String(allow_none=True)
    cross_sell_product = fields.Nested(ProductBriefSchema, allow_none=True)
    result = fields.String(allow_none=True)
    progress = fields.String(allow_none=True, metadata={
        "description": "the last step the consultant reported on the way: contacted, submitted"})
    disbursed_amount = DecimalString(places=2, allow_none=True, metadata=MONEY)
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class ReferralDetailSchema(ReferralSchema):
    commission = fields.Nested(CommissionSchema, allow_none=True)
    history = fields.List(fields.Nested(ReferralEventSchema))


class ReferralQuerySchema(Schema):
    state = fields.String(validate=validate.OneOf(STATES))
    page = DbInteger(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = DbInteger(load_default=referral_views.PAGE, validate=validate.Range(min=1, max=200))


class ReferralListSchema(Schema):
    items = fields.List(fields.Nested(ReferralSchema), required=True)
    total = DbInteger(required=True)
    page = DbInteger(required=True)
    per_page = DbInteger(required=True)


class CrossSellAnswerSchema(Schema):
    approved = StrictBoolean(required=True)


class EarningsSchema(Schema):
    items = fields.List(fields.Nested(CommissionSchema), attribute="rows", required=True)
    earned = DecimalString(places=2, required=True, metadata=MONEY)
    pending = DecimalString(places=2, required=True, metadata=MONEY)
    paid = DecimalString(places=2, required=True, metadata=MONEY)
    currency = fields.String(required=True, metadata={"description": "ISO 4217 code of the amounts"})


def _referrer():
    """The caller, when a referrer. :raise 403: any other role"""
    user = caller()
    access.check("partner" in access.roles(user))
    return user


def _detail(row):
    events = referral_views.history(row)
    steps = portal_texts.steps(events)
    history = [Viewed(event, text=step.text) for event, step in zip(events, steps, strict=True)]
    return Viewed(row, commission=referral_views.commission_of(row), history=history)


@operation("/lending/products", "GET", summary="Loan products a referral can be for", tag="referrals",
           response=LoanProductListSchema, errors=(403,))
def lending_products_list():
    """Active products of active finance companies, by company and name, with their limits.

    :raise 403: not a referrer
    """
    _referrer()
    return respond(LoanProductListSchema, {"items": referrals.offered_products()})


@operation("/lending/stars", "GET", summary="Star consultants of a finance company", tag="referrals",
           query=StarQuerySchema, response=StarListSchema, errors=(403, 404))
def lending_stars_list():
    """The best available consultants, ranked as docs/referrals.md says.

    :raise 403: not a referrer
    :raise 404: no such active company
    """
    _referrer()
    company = db.session.get(FinanceCompany, load_query(StarQuerySchema)["company_id"])
    if company is None or not company.active:
        raise NotFoundError(_("No such finance company."))
    return respond(StarListSchema, {"items": consultants.stars(company.id)})


@operation("/referrals", "POST", summary="Refer a customer", tag="referrals", status=201,
           body=ReferralRequestSchema, response=ReferralSchema, errors=(403, 409))
def referrals_create():
    """Stores the referral in progress and starts its case (``loan_referral``).

    :raise 403: not a referrer
    :raise 409: the customer already has a referral in progress; ``winner`` names its referrer
    :raise 422: invalid fields, every one named; nothing stored
    """
    user = _referrer()
    row = referral_process.submit_referral(load_body(ReferralRequestSchema), actor=user.username)
    return respond(ReferralSchema, row, 201, {"Location": f"/api/v1/referrals/{row.id}"})


@operation("/referrals", "GET", summary="The caller's referrals, newest first", tag="referrals",
           query=ReferralQuerySchema, response=ReferralListSchema, errors=(403,))
def referrals_list():
    """Only the caller's own; ``state`` narrows to in_progress, disbursed or failed.

    :raise 403: not a referrer
    """
    user = _referrer()
    query = load_query(ReferralQuerySchema)
    state = query.get("state")
    rows = referral_views.referrals_of(user.username, state=state, limit=query["per_page"],
                                       offset=(query["page"] - 1) * query["per_page"])
    counts = referral_views.counts_of(user.username)
    total = counts.get(state, 0) if state else sum(counts.values())
    return respond(ReferralListSchema, {"items": rows, "total": total, "page": query["page"],
                                        "per_page": query["per_page"]})


@operation("/referrals/<int:referral_id>", "GET", summary="One of the caller's referrals, with its history",
           tag="referrals", response=ReferralDetailSchema, errors=(403, 404))
def referrals_get(referral_id):
    """History events oldest first as ``{kind, actor, at, before, after, text}``.

    :raise 403: not a referrer
    :raise 404: no such referral of the caller's
    """
    user = _referrer()
    return respond(ReferralDetailSchema, _detail(referrals.own(user.username, referral_id)))


@operation("/referrals/<int:referral_id>/cross-sell", "POST", summary="Answer a cross-sell request",
           tag="referrals", body=CrossSellAnswerSchema, response=ReferralSchema, errors=(403, 404, 409))
def referrals_cross_sell(referral_id):
    """``{"approved": true}`` allows the consultant to offer the other product, ``false`` refuses.

    :raise 403: not a referrer
    :raise 404: no such referral of the caller's
    :raise 409: no open request (answered already, expired, or never asked)
    :raise 422: ``approved`` missing or not a boolean
    """
    user = _referrer()
    referrals.own(user.username, referral_id)
    approved = load_body(CrossSellAnswerSchema)["approved"]
    row = referral_process.answer_cross_sell(referral_id, approved, actor=user.username)
    return respond(ReferralSchema, row)


@operation("/commissions", "GET", summary="The caller's commissions with totals", tag="referrals",
           response=EarningsSchema, errors=(403,))
def commissions_list():
    """Newest first; ``earned`` = ``pending`` + ``paid``.

    :raise 403: not a referrer
    """
    return respond(EarningsSchema, referral_views.earnings(_referrer().username))
