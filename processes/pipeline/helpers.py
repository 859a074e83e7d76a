"""Helpers of bpmn/prospect_pipeline.bpmn (seed 004, issue 4): stages written to crm.

They run inside the pipeline case's unit of work (script tasks), so the crm rows
commit with the step or not at all. The stage *choice* is checked before the
message is sent (:func:`processes.pipeline.prospects.move`); these helpers check it again, as a
message may come from the API or another tool. Every helper acts only on the customer
whose pipeline case is the running one (:func:`pipeline_customer`); only
:func:`enter_pipeline`, in a ``prospect_pipeline`` case, links a customer to its case.

``RULES``: pipeline cases start from their customer (``processes.pipeline.prospects.enter``, or a lead
that becomes a contact) and ``stage_changed`` is sent by ``processes.pipeline.prospects.move``, never
through the generic API endpoints (issue 11).
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from crm.models import Order, Stage, StageChange
from engine import outbox
from engine.db import db
from engine.errors import ForbiddenError, ValidationError
from engine.models import ProcessInstance
from engine.types import utcnow
from engine.unit import current_unit
from processes.common import case_customer, customer_of, customer_of_case, step_author
from processes.pipeline import stages
from processes.rules import Message, ProcessRules, Start

PROCESS = "prospect_pipeline"
OPEN_STATUSES = ("new", "in_consultation", "contact")


def _unit_now():
    unit = current_unit()
    return unit, (unit.now if unit is not None else utcnow())


def pipeline_customer(customer_id):
    """The customer whose pipeline case is the running one (:func:`customer_of_case`)."""
    return customer_of_case(customer_id, "pipeline_instance_id")


def in_pipeline(customer):
    """Whether ``customer`` has a running pipeline case."""
    if customer.pipeline_instance_id is None:
        return False
    case = db.session.get(ProcessInstance, customer.pipeline_instance_id)
    return case is not None and case.status == "running"


def start_pipeline(customer_id):
    """Ask for a pipeline case for this customer once the current step commits (the lead
    became a contact; called by its lead case). :returns: whether one was asked for

    :raises ForbiddenError: the customer's lead case is another one
    """
    customer = case_customer(customer_id)
    if customer is None or in_pipeline(customer) or customer.converted_at is not None:
        return False
    outbox.start_after_commit(PROCESS, data=case_data(customer), business_key=customer.phone)
    return True


def case_data(customer):
    """The start data of a customer's pipeline case."""
    return {"customer_id": customer.id, "name": customer.name, "phone": customer.phone,
            "owner": customer.owner}


def enter_pipeline(customer_id):
    """Put the customer on the pipeline's first stage, linked to this case.

    :returns: the stage key, or ``None`` when there is no such customer, it is already
        in another running pipeline case or converted (this case then ends)
    :raises ForbiddenError: this case is not a prospect pipeline case
    """
    customer = customer_of(customer_id)
    unit, now = _unit_now()
    if unit is None or unit.instance.definition_key != PROCESS:
        raise ForbiddenError("only a prospect pipeline case enters a customer into the pipeline")
    if customer is None or (in_pipeline(customer) and customer.pipeline_instance_id != unit.instance.id):
        return None
    if customer.converted_at is not None:
        return None
    first = stages.first()
    customer.pipeline_instance_id = unit.instance.id if unit is not None else None
    _write_change(customer, first, note=None, attachments=None, unit=unit, now=now)
    return first.key


def _write_change(customer, stage, *, note, attachments, unit, now):
    db.session.add(StageChange(customer_id=customer.id, from_stage_id=customer.stage_id,
                               to_stage_id=stage.id, note=note or None, attachments=attachments or None,
                               at=now, author=step_author(unit),
                               instance_id=unit.instance.id if unit is not None else None))
    customer.stage_id, customer.stage_changed_at = stage.id, now
    db.session.flush()


def record_stage(customer_id, change):
    """Move the customer to ``change["stage"]`` with its note and attached files.

    :returns: the new stage's kind (``open``, ``won``, ``lost``)
    :raises ValidationError: unknown or inactive stage, the stage it is in already, a
        ``from`` stage it is no longer in (a concurrent move), or no note (nothing is stored)
    """
    customer = pipeline_customer(customer_id)
    change = change if isinstance(change, dict) else {}
    stage = stages.by_key(change.get("stage"))
    note = str(change.get("note") or "").strip()
    if customer is None:
        raise ValidationError("no such customer", fields={"customer_id": "unknown"})
    if stage.id == customer.stage_id:
        raise ValidationError("already in that stage", fields={"stage": "already"})
    seen, now_in = change.get("from"), db.session.get(Stage, customer.stage_id) if customer.stage_id else None
    if seen is not None and (now_in is None or now_in.key != seen):
        raise ValidationError("moved by someone else meanwhile", fields={"stage": "stale"})
    if not note:
        raise ValidationError("a stage change needs a note", fields={"note": "required"})
    files = [item for item in change.get("files") or [] if isinstance(item, dict)]
    unit, now = _unit_now()
    _write_change(customer, stage, note=note, attachments=files, unit=unit, now=now)
    return stage.kind


def reopen_stage(customer_id, note=None):
    """Not converted after all: back to the last active open stage it was in.

    :returns: that stage's key
    """
    customer = pipeline_customer(customer_id)
    unit, now = _unit_now()
    visited = (db.session.query(Stage).join(StageChange, StageChange.to_stage_id == Stage.id)
               .filter(StageChange.customer_id == customer.id, Stage.kind == "open", Stage.active.is_(True))
               .order_by(StageChange.id.desc()).first())
    previous = visited or stages.first()
    _write_change(customer, previous, note=note, attachments=None, unit=unit, now=now)
    return previous.key


def prospect_details(customer_id):
    """The fields the conversion form shows, as they are on file."""
    customer = pipeline_customer(customer_id)
    return {"name": customer.name, "email": customer.email or "", "gender": customer.gender or "",
            "birthday": customer.birthday.isoformat() if customer.birthday else "",
            "classification": customer.classification or ""}


def convert_customer(customer_id, details):
    """Convert the prospect into the customer catalogue, keeping its history.

    ``details`` are the confirmed ``name``, ``email``, ``gender``, ``birthday``,
    ``classification``, and optionally the signed ``product`` with its ``deposit``
    (VND), which becomes an order. :returns: the order id or ``None``
    """
    customer = pipeline_customer(customer_id)
    unit, now = _unit_now()
    details = details if isinstance(details, dict) else {}
    customer.name = str(details.get("name") or customer.name).strip()
    for name in ("email", "gender", "classification"):
        customer.__setattr__(name, details.get(name) or None)
    customer.birthday = _date(details.get("birthday")) or customer.birthday
    customer.kind, customer.converted_at = "customer", now
    order_id = None
    product = str(details.get("product") or "").strip()
    if product:
        order = Order(customer_id=customer.id, product=product, quantity=1,
                      amount=_amount(details.get("deposit")), created_by=step_author(unit), created_at=now,
                      instance_id=unit.instance.id if unit is not None else None)
        db.session.add(order)
        db.session.flush()
        order_id = order.id
    if customer.status in OPEN_STATUSES:
        customer.status = "ordered"
    db.session.flush()
    return order_id


def close_prospect(customer_id):
    """The care stopped (a lost stage): an open lead or contact is closed as "no need"."""
    customer = pipeline_customer(customer_id)
    if customer is not None and customer.status in OPEN_STATUSES:
        customer.status = "closed_no_need"
        db.session.flush()
    return True


def _date(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _amount(value):
    try:
        return Decimal(str(value or 0))
    except InvalidOperation:
        return Decimal(0)


RULES = ProcessRules(
    PROCESS,
    Start(owner=_l("A prospect pipeline case starts from its customer: add the customer to the pipeline "
                   "(POST /api/v1/prospects) or let its lead become a contact.")),
    messages={"stage_changed": Message(procedure=_l(
        "Stage changes are sent by moving the prospect (POST /api/v1/prospects/<id>/stage, the board or "
        "the prospect page), which checks them first."))},
)

HELPERS = {
    "start_pipeline": start_pipeline,
    "enter_pipeline": enter_pipeline,
    "record_stage": record_stage,
    "reopen_stage": reopen_stage,
    "prospect_details": prospect_details,
    "convert_customer": convert_customer,
    "close_prospect": close_prospect,
}
