"""Sending a document for signature: the record written with the case's step.

:func:`send` takes plain values (the document's bytes and name, the counterparty's
ИНН/КПП, the case to report back to and the values its messages carry) and writes an
``edo_document`` row in the caller's transaction; nothing is sent yet. The row commits
with the step that asked for it, so a step that is rolled back or retried sends nothing
twice; :mod:`.sync` hands it to the adapter after commit, the way the outbox sends mail.

In a diagram, the service task operator ``edo/Send`` (:func:`operator`) does the same
with a file the case holds.
"""
import re

from engine import attachments
from engine.db import db
from engine.errors import NotFoundError, ValidationError
from engine.models import AttachmentBlob
from engine.unit import current_unit

from . import adapter as edo
from .models import QUEUED, EdoDocument

INN = re.compile(r"\d{10}|\d{12}")
KPP = re.compile(r"\d{4}[0-9A-Z]{2}\d{3}")


def send(document, counterparty, *, instance_id, actor, correlation=None):
    """Queue ``document`` for ``counterparty``'s signature on behalf of case ``instance_id``.

    :param document: an :class:`~.adapter.File`
    :param counterparty: an :class:`~.adapter.Counterparty`
    :param correlation: values every message about this document carries to the case (its
        correlation key, e.g. ``{"deal_id": 7}``)
    :returns: the new :class:`EdoDocument` (flushed, not committed: the caller commits)
    :raises ValidationError: an empty document, a malformed ИНН or КПП, correlation values
        that are not an object
    """
    _check(document, counterparty, correlation)
    if db.session.get(AttachmentBlob, document.sha256) is None:
        db.session.add(AttachmentBlob(sha256=document.sha256, data=document.data, size=len(document.data)))
        db.session.flush()
    row = EdoDocument(instance_id=instance_id, correlation=dict(correlation or {}),
                      filename=attachments.shorten_filename(document.filename),
                      content_type=document.content_type, size=len(document.data), sha256=document.sha256,
                      counterparty_inn=counterparty.inn, counterparty_kpp=counterparty.kpp or None,
                      counterparty_name=(counterparty.name or None) and counterparty.name[:255],
                      adapter=edo.current().name, state=QUEUED, requested_by=actor)
    db.session.add(row)
    db.session.flush()
    return row


def _check(document, counterparty, correlation):
    fields = {}
    if not document.data:
        fields["document"] = "The document is empty."
    if not (document.filename or "").strip():
        fields["document"] = "The document has no file name."
    if not INN.fullmatch(counterparty.inn or ""):
        fields["inn"] = "An ИНН has 10 digits (an organisation) or 12 (an individual entrepreneur)."
    if counterparty.kpp and not KPP.fullmatch(counterparty.kpp):
        fields["kpp"] = "A КПП has 9 characters: 4 digits, 2 digits or capital letters, 3 digits."
    if counterparty.kpp and len(counterparty.inn or "") == 12:
        fields["kpp"] = "An individual entrepreneur (12-digit ИНН) has no КПП."
    if correlation is not None and not isinstance(correlation, dict):
        fields["correlation"] = 'The correlation values are an object, such as {"deal_id": 7}.'
    if fields:
        raise ValidationError("The document cannot be sent through ЭДО: " + " ".join(fields.values()),
                              fields=fields)


class SendError(Exception):
    """A service task's ``edo/Send`` cannot send: the case gets an incident naming the task."""


def operator(params, _data):
    """``edo/Send``: queue a file of the running case for the counterparty's signature.

    Parameters: ``document`` (a file of this case, as its data holds it:
    ``{"attachment_id": ...}``), ``inn``, ``kpp`` (optional), ``name`` (optional),
    ``correlation`` (optional object). Result: ``{"edo_document_id", "state"}``.
    """
    work = current_unit()
    if work is None:
        raise SendError("edo/Send runs only inside a case's step")
    file = case_file(params.get("document"), work.instance.id)
    counterparty = edo.Counterparty(inn=_text(params.get("inn")), kpp=_text(params.get("kpp")) or None,
                                    name=_text(params.get("name")) or None)
    try:
        row = send(file, counterparty, instance_id=work.instance.id, actor=work.actor,
                   correlation=params.get("correlation"))
    except ValidationError as error:
        raise SendError(error.message) from None
    return {"edo_document_id": row.id, "state": row.state}


def case_file(reference, instance_id):
    """The :class:`~.adapter.File` of a reference the case's data holds (``{"attachment_id":
    ...}``, or the id itself); only a file of case ``instance_id`` itself.

    :raises SendError: not a reference, no such file, or another case's
    """
    attachment_id = reference.get("attachment_id") if isinstance(reference, dict) else reference
    if isinstance(attachment_id, bool) or not isinstance(attachment_id, int):
        raise SendError("the parameter 'document' must be a file of the case "
                        '(its reference in the case data, {"attachment_id": ...})')
    try:
        row, data = attachments.read(attachment_id)
    except NotFoundError:  # named as another case's file is: the case learns nothing of others
        row = data = None
    if row is None or row.instance_id != instance_id:
        raise SendError(f"file {attachment_id} is not a file of this case")
    return edo.File(row.filename, row.content_type, data)


def _text(value):
    return "" if value is None else str(value).strip()
