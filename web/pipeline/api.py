"""The prospect pipeline over the API: its stages, the prospects, moving one, adding one.

Moving goes through :func:`processes.pipeline.prospects.move`, the check the prospect page and the
board use; files travel as data URLs (``data:<mime>;name=<name>;base64,...``).
"""
from marshmallow import Schema, fields, validate

from crm.models import STAGE_KINDS, Customer, Stage
from engine.db import db
from processes.pipeline import prospects as pipeline
from processes.pipeline import stages
from web import access
from web.api.common import caller, load_body, load_query, respond
from web.api.registry import operation
from web.api.schemas import CustomerSchema, DbInteger
from web.i18n import user_zone


class StageSchema(Schema):
    key = fields.String(metadata={"example": "first_meeting"})
    kind = fields.String(metadata={"enum": list(STAGE_KINDS)})
    position = DbInteger()
    active = fields.Boolean()
    name_vi = fields.String()
    name_en = fields.String()
    name_ru = fields.String()


class StageListSchema(Schema):
    items = fields.List(fields.Nested(StageSchema), required=True)


class ProspectSchema(CustomerSchema):
    stage = fields.Function(lambda row: _stage_key(row.stage_id), allow_none=True)
    stage_changed_at = fields.DateTime(allow_none=True)
    converted_at = fields.DateTime(allow_none=True)
    pipeline_instance_id = DbInteger(allow_none=True)


class ProspectListSchema(Schema):
    items = fields.List(fields.Nested(ProspectSchema), required=True)
    more = fields.Boolean(required=True, metadata={"description": "another page follows"})


class ProspectQuerySchema(Schema):
    stage = fields.String(validate=validate.Length(max=40))
    owner = fields.String(validate=validate.Length(max=80))
    q = fields.String(validate=validate.Length(max=100))
    page = DbInteger(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = DbInteger(load_default=50, validate=validate.Range(min=1, max=200))


class MoveRequestSchema(Schema):
    stage = fields.String(required=True, metadata={"example": "first_meeting"})
    note = fields.String(required=True, metadata={"example": "Khách hẹn gặp tại văn phòng thứ Bảy"})
    files = fields.List(fields.String(), metadata={"description": "data URLs, at most 5"})


class EnterRequestSchema(Schema):
    customer_id = DbInteger(required=True)


def _stage_key(stage_id):
    return db.session.get(Stage, stage_id).key if stage_id else None


def _prospect(user, customer_id, *, change=False):
    row = pipeline.customer(customer_id)
    access.check(access.may_see_customer(user, row))
    if change:
        access.check(access.may_change_customer(user, row))
    return row


@operation("/pipeline/stages", "GET", summary="The pipeline's stages in board order", tag="pipeline",
           response=StageListSchema, errors=(403,))
def pipeline_stages():
    """Active and inactive stages, ordered; sales, managers, admins and auditors.

    :raise 403: any other role
    """
    access.check(bool(access.roles(caller()) & access.CUSTOMER_READERS))
    return respond(StageListSchema, {"items": stages.ordered(include_inactive=True)})


@operation("/prospects", "GET", summary="Prospects in the pipeline", tag="pipeline",
           query=ProspectQuerySchema, response=ProspectListSchema, errors=(403,))
def prospects_list():
    """Prospects with a running pipeline case, the newest move first; sales see their
    own and unowned ones.

    :raise 403: any other role
    :raise 422: an unknown stage
    """
    user = caller()
    access.check(bool(access.roles(user) & access.CUSTOMER_READERS))
    args = load_query(ProspectQuerySchema)
    stage = stages.by_key(args["stage"], active=False) if args.get("stage") else None
    query = pipeline.prospects(owner=args.get("owner"), stage_id=stage.id if stage else None,
                               search=args.get("q"))
    query = access.visible_customers(query, user)
    per_page, page = args["per_page"], args["page"]
    rows = (query.order_by(Customer.stage_changed_at.desc(), Customer.id.desc())
            .limit(per_page + 1).offset((page - 1) * per_page).all())
    return respond(ProspectListSchema, {"items": rows[:per_page], "more": len(rows) > per_page})


@operation("/prospects", "POST", summary="Add a customer to the pipeline", tag="pipeline", status=201,
           body=EnterRequestSchema, response=ProspectSchema, errors=(403, 404, 409))
def prospects_create():
    """Starts the customer's ``prospect_pipeline`` case on the first stage.

    :raise 403: not the caller's customer, or an auditor
    :raise 404: no such customer, or prospect_pipeline is not deployed
    :raise 409: already in the pipeline, or converted already
    """
    user = caller()
    row = _prospect(user, load_body(EnterRequestSchema)["customer_id"], change=True)
    pipeline.enter(row.id, actor=user.username)
    db.session.expire_all()
    return respond(ProspectSchema, pipeline.customer(row.id), 201)


@operation("/prospects/<int:customer_id>/stage", "POST", summary="Move a prospect to another stage",
           tag="pipeline", body=MoveRequestSchema, response=ProspectSchema, errors=(403, 404, 409))
def prospects_move(customer_id):
    """The same check as the prospect page and the board: an active stage other than
    the current one, a note, allowed files. A won stage opens the conversion task.

    :raise 403: not the caller's prospect, or an auditor
    :raise 404: no such customer
    :raise 409: not in the pipeline, its conversion is pending, or moved by someone else meanwhile
    :raise 422: unknown or current stage, no note, a refused file; nothing stored
    """
    user = caller()
    row = _prospect(user, customer_id, change=True)
    body = load_body(MoveRequestSchema)
    stage = body.pop("stage")
    pipeline.move(row.id, stage, actor=user.username, json=body, locale=user.locale or "en",
                  timezone=user_zone(user))
    db.session.expire_all()
    return respond(ProspectSchema, pipeline.customer(row.id))
