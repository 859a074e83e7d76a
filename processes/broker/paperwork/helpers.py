"""The paperwork's script helper: a step of a deal's diagram issues a document for its own
case (``contract = issue_document("contract", context)``), in the step's unit of work, so
that a step that fails leaves no document and takes no number."""
from engine.errors import ForbiddenError
from engine.unit import current_unit
from processes.common import step_author

from .issuing import record


def issue_document(kind, context):
    """Issue a ``kind`` document for the running case (see :func:`.issuing.issue`), by the
    user who completed the task the step follows.

    :returns: plain values for the case's data: ``kind``, ``number``, ``date``, ``amount``,
        ``docx_attachment_id``, ``pdf_attachment_id``
    :raises ForbiddenError: called outside a case's step
    :raises ValidationError: the context or our requisites lack a value, or the template fails
    """
    unit = current_unit()
    if unit is None:
        raise ForbiddenError("issue_document runs in a step of a case")
    document = record(unit, kind, context, actor=step_author(unit))
    amount = str(document.amount) if document.amount is not None else None
    return {"kind": document.kind, "number": document.number, "date": document.document_date.isoformat(),
            "amount": amount, "docx_attachment_id": document.docx_attachment_id,
            "pdf_attachment_id": document.pdf_attachment_id}


HELPERS = {"issue_document": issue_document}
