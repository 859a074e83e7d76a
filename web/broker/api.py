"""The broker's deals over the API (seed 002, issue 15): the credit products, registering a
deal (partners), reading deals (a partner their own, another partner's is a 404; the team
every deal) and uploading a document against a checklist item.

Everything after registration goes through the usual task endpoints with the forms of
bpmn/broker_deal.bpmn; this module reads the deal's record, never the workflow.
"""
from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import Schema, fields, validate
from sqlalchemy import or_, select

from engine.db import db
from engine.models import AuditEvent, HumanTask
from processes.broker import deals, documents
from processes.broker import steps as deal_steps
from processes.broker.models import STATES
from web import access, timeline
from web.api.common import Viewed, caller, load_body, load_query, respond
from web.api.registry import operation
from web.api.schemas import DbInteger, DecimalString
from web.broker.commissions_api import DealCommissionSchema, deal_commission

from . import views

MONEY = {"description": "a decimal string, in the currency beside it (roubles)", "example": "15000000.00"}
DOCUMENT_UPLOAD = {"multipart/form-data": {"schema": {
    "type": "object", "required": ["kind", "file"], "properties": {
        "kind": {"type": "string", "description": "the checklist item's code (GET /deals/products)"},
        "file": {"type": "string", "format": "binary"}}}}}


class ChecklistItemSchema(Schema):
    code = fields.String(metadata={"example": "bank_statements"})
    title = fields.String(metadata={"description": "in the caller's language"})
    required = fields.Boolean()


class QuestionSchema(Schema):
    code = fields.String()
    text = fields.String(metadata={"description": "in the caller's language"})


class ProductSchema(Schema):
    id = DbInteger()
    code = fields.String(metadata={"example": "working_capital"})
    name = fields.String(metadata={"description": "in the caller's language"})
    checklist = fields.List(fields.Nested(ChecklistItemSchema))
    questions = fields.List(fields.Nested(QuestionSchema))


class ProductListSchema(Schema):
    items = fields.List(fields.Nested(ProductSchema), required=True)


class DealRequestSchema(Schema):
    """Checked by processes.broker.deals (every field at once, messages in the caller's language)."""

    company_name = fields.String(metadata={"example": "ООО «Ромашка»"})
    inn = fields.String(metadata={"description": "10 digits (a company) or 12 (an entrepreneur), "
                                                 "control digits checked", "example": "7707083893"})
    ogrn = fields.String(allow_none=True, metadata={"description": "optional: ОГРН (13) or ОГРНИП (15)"})
    contact_name = fields.String()
    phone = fields.String(metadata={"description": "a Russian number (+7)", "example": "+7 916 123-45-67"})
    email = fields.String(allow_none=True, metadata={"description": "optional"})
    amount = fields.Raw(metadata={"type": ["integer", "string"], "example": 15000000,
                                  "description": "roubles: a number, or digits grouped as people type them"})
    term_months = DbInteger(metadata={"example": 36})
    purpose = fields.String()
    product_id = DbInteger()


class PrecheckSchema(Schema):
    passed = fields.Boolean()
    reasons = fields.List(fields.Dict(), metadata={"description": "[{code, text}], text in the caller's "
                                                                  "language"})
    at = fields.String(metadata={"description": "ISO 8601"})


class DocumentSchema(Schema):
    id = DbInteger()
    kind = fields.String(attribute="item.code")
    attachment_id = DbInteger()
    uploaded_by = fields.String()
    created_at = fields.DateTime()


class EventSchema(Schema):
    kind = fields.String()
    actor = fields.String()
    at = fields.DateTime()
    text = fields.String(metadata={"description": "the event as the caller reads it"})


class DealSchema(Schema):
    id = DbInteger()
    partner = fields.String()
    company_name = fields.String()
    inn = fields.String()
    ogrn = fields.String(allow_none=True)
    contact_name = fields.String()
    phone = fields.String(metadata={"description": "E.164"})
    email = fields.String(allow_none=True)
    amount = DecimalString(places=2, metadata=MONEY)
    currency = fields.String()
    term_months = DbInteger()
    purpose = fields.String()
    product_id = DbInteger()
    state = fields.String(metadata={"enum": list(STATES)})
    step = DbInteger(metadata={"description": "1-12"})
    step_name = fields.String(metadata={"description": "in the caller's language"})
    missing_documents = fields.List(fields.String(), metadata={"description": "checklist item codes"})
    precheck = fields.Nested(PrecheckSchema, allow_none=True)
    analysis_due_at = fields.DateTime(allow_none=True)
    range_from = DecimalString(places=2, allow_none=True, metadata=MONEY)
    range_to = DecimalString(places=2, allow_none=True, metadata=MONEY)
    approved_amount = DecimalString(places=2, allow_none=True, metadata={
        **MONEY, "description": "the loan the bank approved (step 10): the commission's base"})
    payment_received_at = fields.DateTime(allow_none=True, metadata={"description": "step 12: client paid"})
    act_signed_at = fields.DateTime(allow_none=True, metadata={"description": "step 12: signed act in"})
    commission = fields.Nested(DealCommissionSchema, allow_none=True, metadata={
        "description": "the partner's commission: rate, amount, earned/paid; null until earned"})
    close_reason = fields.String(allow_none=True)
    instance_id = DbInteger(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class DealDetailSchema(DealSchema):
    documents = fields.List(fields.Nested(DocumentSchema))
    history = fields.List(fields.Nested(EventSchema))


class DealQuerySchema(Schema):
    state = fields.String(validate=validate.OneOf(STATES))
    page = DbInteger(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = DbInteger(load_default=50, validate=validate.Range(min=1, max=200))


class DealListSchema(Schema):
    items = fields.List(fields.Nested(DealSchema), required=True)
    total = DbInteger(required=True)
    page = DbInteger(required=True)
    per_page = DbInteger(required=True)


def _language():
    return str(get_locale() or "ru")[:2]


def _reader(team=True):
    """The caller and their roles. :raise 403: neither a partner nor (with ``team``) the team"""
    user = caller()
    roles = access.roles(user)
    access.check("partner" in roles or (team and deals.is_team(roles)))
    return user, roles


def _product(row):
    lang = _language()
    return {"id": row.id, "code": row.code, "name": getattr(row, f"name_{lang}", None) or row.name_ru,
            "checklist": [{"code": i.code, "title": documents.title(i, lang), "required": i.required}
                          for i in row.checklist if i.active],
            "questions": [{"code": q.code, "text": getattr(q, f"text_{lang}", None) or q.text_ru}
                          for q in row.questions if q.active]}


def _precheck(row):
    if not row.precheck:
        return None
    return {**row.precheck, "reasons": [{"code": code, "text": deal_steps.reason(code)}
                                        for code in row.precheck.get("reasons", [])]}


def _viewed(row, **extra):
    return Viewed(row, step_name=deal_steps.name(row.step), precheck=_precheck(row),
                  commission=deal_commission(row),
                  missing_documents=[item.code for item in documents.missing(row)], **extra)


def _history(row):
    streams = [AuditEvent.stream == f"deal:{row.id}"]
    if row.instance_id is not None:
        streams.append(AuditEvent.instance_id == row.instance_id)
    events = db.session.scalars(select(AuditEvent).where(or_(*streams))
                                .order_by(AuditEvent.at, AuditEvent.id)).all()
    tasks = db.session.scalars(select(HumanTask).filter_by(instance_id=row.instance_id)).all() \
        if row.instance_id is not None else []
    shown = [e for e in timeline.entries(events, tasks) if not e.quiet and e.event.kind != "script_run"]
    return [{"kind": e.event.kind, "actor": e.event.actor, "at": e.event.at,
             "text": f"{e.label}: {e.element}" if e.element else _event_label(e)} for e in shown]


def _event_label(entry):
    labels = {"deal_registered": _("Deal registered"),
              "deal_payment_received": _("The client's payment received"),
              "deal_act_signed": _("The signed act received"), "commission_earned": _("Commission earned"),
              "commission_paid": _("Commission paid")}
    return labels.get(entry.event.kind, entry.label)


@operation("/deals/products", "GET", summary="The active credit products", tag="deals",
           response=ProductListSchema, errors=(403,))
def deal_products_list():
    """With their document checklists and client questions, named in the caller's language.

    :raise 403: neither a partner nor the broker team
    """
    _reader()
    return respond(ProductListSchema, {"items": [_product(p) for p in deals.products()]})


@operation("/deals", "POST", summary="Register a deal (a partner's client)", tag="deals", status=201,
           body=DealRequestSchema, response=DealSchema, errors=(403,),
           headers={"Location": "the deal's address"})
def deals_create():
    """Stores the deal and starts its case (``broker_deal``) in one transaction.

    :raise 403: not a partner
    :raise 422: invalid fields, every one named (an INN whose control digits do not match too);
        nothing stored
    """
    user, _roles = _reader(team=False)
    row = deals.register(load_body(DealRequestSchema), actor=user.username)
    return respond(DealSchema, _viewed(row), 201, {"Location": f"/api/v1/deals/{row.id}"})


@operation("/deals", "GET", summary="Deals, newest first", tag="deals", query=DealQuerySchema,
           response=DealListSchema, errors=(403,))
def deals_list():
    """A partner's own deals; the team's: every deal. ``state`` narrows the list.

    :raise 403: neither a partner nor the broker team
    """
    user, roles = _reader()
    query = load_query(DealQuerySchema)
    rows, total = deals.listed(user.username, roles, state=query.get("state"), limit=query["per_page"],
                               offset=(query["page"] - 1) * query["per_page"])
    return respond(DealListSchema, {"items": [_viewed(r) for r in rows], "total": total,
                                    "page": query["page"], "per_page": query["per_page"]})


@operation("/deals/<int:deal_id>", "GET", summary="One deal, with its documents and history", tag="deals",
           response=DealDetailSchema, errors=(403, 404))
def deals_get(deal_id):
    """:raise 403: neither a partner nor the broker team
    :raise 404: no such deal, or another partner's
    """
    user, roles = _reader()
    row = deals.readable(user.username, roles, deal_id)
    return respond(DealDetailSchema, _viewed(row, documents=documents.documents(row), history=_history(row)))


@operation("/deals/<int:deal_id>/documents", "POST", summary="Upload a document of the checklist",
           tag="deals", status=201, content=DOCUMENT_UPLOAD, response=DocumentSchema, errors=(403, 404, 409))
def deal_documents_create(deal_id):
    """Multipart ``kind`` (a checklist item's code) and ``file``; stored with the deal's case.

    :raise 403: neither a partner nor the broker team
    :raise 404: no such deal, or another partner's
    :raise 409: the deal is closed
    :raise 422: no file, a refused type or size, or a kind not on the product's checklist
    """
    user, roles = _reader()
    row = deals.readable(user.username, roles, deal_id)
    document = views.upload(row, request.form.get("kind"), request.files.get("file"), actor=user.username)
    return respond(DocumentSchema, document, 201)
