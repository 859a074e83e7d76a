"""The prospect pipeline (seed 004) as the pages, the board and the API use it.

A prospect is a customer with a running ``prospect_pipeline`` case
(``pipeline_instance_id``). Moving it is one check — the stage is one of the
admin's active stages and not the one it is in, the case is waiting for a move,
and the note and files pass the ``prospect-stage`` form — then the BPMN message
``stage_changed`` to its case, whose script writes the change. The prospect page,
the board's drag and drop and the API all go through :func:`move`.
"""
from flask_babel import gettext as _
from sqlalchemy import func, or_

import engine
import forms
from crm.models import Customer, Stage, StageChange
from engine.db import db
from engine.errors import ConflictError, NotFoundError, ScriptError, ValidationError
from engine.models import HumanTask, ProcessInstance
from engine.places import place
from forms import phone_search

from . import stages

PROCESS = "prospect_pipeline"
DOMAIN = "pipeline"  # its place (engine/places.py): the zone of a move's date-times
MESSAGE = "stage_changed"
FORM = "prospect-stage"
BOARD_LIMIT = 200  # cards per column; the list view pages through the rest


def customer(customer_id):
    """:raises NotFoundError: no such customer"""
    row = db.session.get(Customer, customer_id)
    if row is None:
        raise NotFoundError(_("No such customer."))
    return row


def case_of(row):
    """The customer's pipeline case, or ``None``."""
    return db.session.get(ProcessInstance, row.pipeline_instance_id) if row.pipeline_instance_id else None


def enter(customer_id, *, actor):
    """Start the pipeline for a customer by hand ("add to the pipeline").

    :raises ConflictError: already in a running pipeline case, or converted already
    """
    row = customer(customer_id)
    current = case_of(row)
    if current is not None and current.status == "running":
        raise ConflictError(_("This customer is already in the pipeline."))
    if row.converted_at is not None:
        raise ConflictError(_("This prospect has been converted into a customer already."))
    data = {"customer_id": row.id, "name": row.name, "phone": row.phone, "owner": row.owner}
    return engine.start(PROCESS, actor=actor, data=data, business_key=row.phone)


def check_move(row, stage_key):
    """The target stage of a move, after the checks every way of moving shares.

    :raises ValidationError: unknown or inactive stage, or the stage it is in
    :raises ConflictError: not in the pipeline, or its case is not waiting for a move
    """
    target = stages.by_key(stage_key)
    case = case_of(row)
    if case is None or case.status != "running":
        raise ConflictError(_("This customer is not in the pipeline."))
    if row.stage_id == target.id:
        raise ValidationError(_("Please correct the marked fields."),
                              fields={"stage": _("The prospect is in this stage already.")})
    if waiting_for_conversion(case):
        raise ConflictError(_("The conversion of this prospect is waiting in the inbox; "
                              "complete it (or choose 'not signed yet') first."))
    return target


def waiting_for_conversion(case):
    return db.session.query(HumanTask.id).filter_by(instance_id=case.id, state="open").first() is not None


def move(customer_id, stage_key, *, actor, formdata=None, json=None, files=None, locale="en",
         timezone=None):
    """Move a prospect to ``stage_key`` with the note and files of the ``prospect-stage`` form.

    Every problem is reported at once and nothing is stored then. The payload names
    the stage the prospect was in when checked (``from``): of two moves racing from
    the same stage, the second is refused by the case and stores nothing.

    :returns: the target :class:`~crm.models.Stage`
    :raises ValidationError: with ``fields`` (stage, note, files)
    :raises ConflictError: see :func:`check_move`; a concurrent move of the same prospect
    """
    row = customer(customer_id)
    errors, target, values = {}, None, {}
    try:
        target = check_move(row, stage_key)
    except ValidationError as error:
        errors.update(error.fields or {})
    try:
        values = forms.validate(FORM, f"{FORM}-uischema", formdata=formdata, json=json, files=files,
                                locale=locale, timezone=timezone or place(DOMAIN).zone)
    except ValidationError as error:
        errors.update(error.fields or {})
    if errors:
        raise ValidationError(_("Please correct the marked fields."), fields=errors)
    current = db.session.get(Stage, row.stage_id) if row.stage_id else None
    payload = {"stage": target.key, "from": current.key if current else None, "note": values["note"],
               "files": values.get("files") or []}
    try:
        engine.send_message(row.pipeline_instance_id, MESSAGE, actor=actor, payload=payload)
    except (ConflictError, ScriptError) as error:
        raise ConflictError(_("This prospect was just moved or closed by someone else; "
                              "reload and try again.")) from error
    return target


def history(row):
    """The customer's stage changes, newest first, with their stages."""
    return (db.session.query(StageChange).filter_by(customer_id=row.id)
            .order_by(StageChange.at.desc(), StageChange.id.desc()).all())


def prospects(*, owner=None, stage_id=None, search=None, include_closed=False):
    """The query of prospects (customers with a pipeline case), for the board and the list."""
    query = db.session.query(Customer).join(ProcessInstance,
                                            ProcessInstance.id == Customer.pipeline_instance_id)
    if not include_closed:
        query = query.filter(ProcessInstance.status == "running")
    if owner:
        query = query.filter(Customer.owner == owner)
    if stage_id:
        query = query.filter(Customer.stage_id == stage_id)
    if search and search.strip():
        query = query.filter(matching(search))
    return query


def matching(search):
    """Customers whose name contains ``search`` (any case), or whose phone is the number it
    writes or holds its digits (:func:`forms.phone_search.read`, in the pipeline's region)."""
    name = func.lower(Customer.name).contains(search.strip().lower(), autoescape=True)
    phone = phone_search.read(search, place(DOMAIN).region)
    return name if phone is None else or_(name, phone.condition(Customer.phone))


def board(*, owner=None, search=None, narrow=None):
    """``[(stage, cards, total)]`` for every active stage in order; cards newest move first.

    :param narrow: ``narrow(query) -> query``, the reader's visibility (cards and counts)
    """
    columns, narrow = [], narrow or (lambda query: query)
    counted = narrow(prospects(owner=owner, search=search)).with_entities(Customer.stage_id,
                                                                          func.count(Customer.id))
    counts = dict(counted.group_by(Customer.stage_id).all())
    for stage in stages.ordered():
        cards = (narrow(prospects(owner=owner, search=search, stage_id=stage.id))
                 .order_by(Customer.stage_changed_at.desc(), Customer.id.desc()).limit(BOARD_LIMIT).all())
        columns.append((stage, cards, counts.get(stage.id, 0)))
    return columns


def stage_names(locale):
    """``{stage id: name in locale}`` of every stage, active or not (for history)."""
    return {s.id: s.name(locale) for s in db.session.query(Stage).all()}
