"""The e-mail path: a document sent to the client by e-mail, for a client without ЭДО.

The e-mail is an outbox row of channel ``email`` that carries the file
(``engine.outbox.add(..., attachments=...)``): it is written with the case's step and sent
after commit by the workers (SMTP, or the development mailbox when no SMTP server is set),
once. The client's signed scan comes back as an upload the team checks, in the diagram.
"""
from email.utils import parseaddr

from engine import outbox
from engine.errors import ValidationError
from engine.unit import current_unit

from .sending import SendError, case_file


def send_document(to, subject, body, documents, *, instance_id=None):
    """Queue an e-mail to ``to`` carrying ``documents`` (:class:`~.adapter.File`), in the caller's
    transaction.

    :returns: the outbox row
    :raises ValidationError: not one e-mail address, an empty subject, or no document
    """
    address = parseaddr(to or "")[1]
    fields = {}
    if not address or "@" not in address or address != (to or "").strip():
        fields["to"] = "Give one e-mail address, such as client@example.ru."
    if not (subject or "").strip():
        fields["subject"] = "The e-mail needs a subject."
    if not documents:
        fields["document"] = "The e-mail carries at least one document."
    if fields:
        raise ValidationError("The document cannot be sent by e-mail: " + " ".join(fields.values()),
                              fields=fields)
    files = [outbox.keep_file(document) for document in documents]
    return outbox.add("email", address, subject=subject.strip(), body=body or "", instance_id=instance_id,
                      attachments=files)


def operator(params, _data):
    """``email/SendDocument``: e-mail files of the running case.

    Parameters: ``to``, ``subject``, ``body``, ``document`` (a file of this case, as its data
    holds it, or a list of them). Result: ``{"outbox_id"}``.
    """
    work = current_unit()
    if work is None:
        raise SendError("email/SendDocument runs only inside a case's step")
    references = params.get("document")
    references = references if isinstance(references, list) else [references]
    files = [case_file(reference, work.instance.id) for reference in references]
    try:
        row = send_document(params.get("to"), params.get("subject"), params.get("body"), files,
                            instance_id=work.instance.id)
    except ValidationError as error:
        raise SendError(error.message) from None
    return {"outbox_id": row.id}
