"""Reporting a document's outcome to its case, once, as a BPMN message.

``edo_signed`` (with the signed document and the counterparty's signature, stored as
files of the case), ``edo_rejected`` (with the counterparty's reason) or ``edo_failed``
(the operator refused the document, with its reason). Each carries the document's
``correlation`` values, so a case whose catching message has a correlation key takes it.

The conditional update that marks the row reported runs in the transaction that delivers
the message (``engine.send_message(..., claim=...)``): a second run, or a second worker,
finds the row reported and delivers nothing. A case not waiting for the message yet is
tried again later, less and less often; a case that has ended takes no message and the
row is closed with the reason.
"""
from datetime import timedelta

from sqlalchemy import or_, select, update

import engine
from engine import attachments
from engine.db import db
from engine.errors import ConflictError, TasklaneError
from engine.models import ProcessInstance
from engine.types import utcnow
from engine.unit import current_unit

from . import adapter as edo
from .batches import each
from .models import FAILED, EdoDocument

SIGNED_MESSAGE, REJECTED_MESSAGE, FAILED_MESSAGE = "edo_signed", "edo_rejected", "edo_failed"
MESSAGES = {edo.SIGNED: SIGNED_MESSAGE, edo.REJECTED: REJECTED_MESSAGE, FAILED: FAILED_MESSAGE}
ACTOR = "system"
BATCH = 100
LONGEST_WAIT = timedelta(hours=1)


def deliver_outcomes(now=None):
    """Report every answered document whose case has not been told. :returns: how many were delivered"""
    now = now or utcnow()
    ids = db.session.scalars(select(EdoDocument.id).where(
        EdoDocument.state.in_(tuple(MESSAGES)), EdoDocument.reported_at.is_(None),
        or_(EdoDocument.report_after.is_(None), EdoDocument.report_after <= now))
        .order_by(EdoDocument.id).limit(BATCH)).all()
    db.session.rollback()
    return each(ids, deliver)


def deliver(row_id):
    """Deliver document ``row_id``'s outcome to its case unless someone did.

    :returns: 1 if this call delivered it, else 0 (someone did, or it failed and is tried
        again later: ``report_error`` says why)
    """
    row = db.session.get(EdoDocument, row_id, populate_existing=True)
    if row is None or row.reported_at is not None or row.state not in MESSAGES:
        db.session.rollback()
        return 0
    instance_id, state, name = row.instance_id, row.state, MESSAGES[row.state]
    payload = {**(row.correlation or {}), "edo_document_id": row.id, "state": state,
               "at": row.state_at.isoformat() if row.state_at else None, "reason": row.reason}
    signed = None
    if state == edo.SIGNED:
        signed = _signed(row)
        if signed is None:
            return 0
    db.session.rollback()
    try:
        delivered = engine.send_message(instance_id, name, actor=ACTOR, payload=payload,
                                        claim=lambda: _claim(row_id, signed, payload))
    except ConflictError as error:
        _failed(row_id, error, ended=_ended(instance_id))
        return 0
    except TasklaneError as error:  # a correlation value missing, a script failing after the catch
        _failed(row_id, error, ended=False)
        return 0
    except Exception as error:  # a defect: tried again later, less often, and raised to the job
        db.session.rollback()
        _failed(row_id, error, ended=False)
        raise
    return int(delivered is not None)


def _signed(row):
    """The signed copy, or ``None`` when the adapter could not give it now (tried again later,
    less often; a refusal too, since the document is signed and the copy must come)."""
    try:
        return edo.current().signed_document(row.sent_id)
    except edo.EdoError as error:
        row_id = row.id
        db.session.rollback()
        _failed(row_id, error, ended=False)
        return None


def _claim(row_id, signed, payload):
    """Inside the case's transaction: mark the row reported; store the signed files as files
    of the case and name them in the message's payload."""
    work = current_unit()
    claimed = db.session.execute(
        update(EdoDocument).where(EdoDocument.id == row_id, EdoDocument.reported_at.is_(None))
        .values(reported_at=work.now, report_error=None).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    if signed is not None:
        stored = {name: attachments.store(file, instance_id=work.instance.id, actor=ACTOR, at=work.now,
                                          field=f"{SIGNED_MESSAGE}.{name}")
                  for name, file in (("document", signed.document), ("signature", signed.signature))}
        payload.update({name: attachments.reference(row) for name, row in stored.items()})
        db.session.execute(update(EdoDocument).where(EdoDocument.id == row_id).values(
            signed_attachment_id=stored["document"].id, signature_attachment_id=stored["signature"].id)
            .execution_options(synchronize_session=False))
    return True


def _ended(instance_id):
    status = db.session.scalar(select(ProcessInstance.status).where(ProcessInstance.id == instance_id))
    db.session.rollback()
    return status not in (None, "running")


def _failed(row_id, error, *, ended):
    """Record why the report failed: a case that has ended is closed; another is tried again
    after a wait that doubles (30 s, 1 min, ... at most an hour)."""
    message = getattr(error, "message", None) or str(error)
    row = db.session.get(EdoDocument, row_id, populate_existing=True)
    now = utcnow()
    values = {"report_error": message[:2000], "report_attempts": EdoDocument.report_attempts + 1}
    if ended:
        values["reported_at"] = now
    else:
        wait = timedelta(seconds=30) * 2 ** min(row.report_attempts, 10)
        values["report_after"] = now + min(wait, LONGEST_WAIT)
    db.session.execute(update(EdoDocument).where(EdoDocument.id == row_id, EdoDocument.reported_at.is_(None))
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()
