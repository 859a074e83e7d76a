"""Issuing a numbered document for a case, and filling a template in without one.

:func:`issue` is what the deal's helper calls: under the case's lock it takes the next
number, fills the template in force in with the deal's context, stores the DOCX and the
PDF as attachments of the case and the document in ``broker_document``, audits it on the
case, and commits all of it at once. Anything failing on the way rolls all of it back, the
number included (docs/broker.md "Documents", numbering). :func:`record` does the same
inside a change the caller already holds (a script helper in a unit of work).
"""
from datetime import datetime

from flask_babel import gettext as _
from jinja2 import TemplateError

from engine import attachments, side
from engine.db import db
from engine.errors import ValidationError
from engine.places import place
from forms.uploads import Upload

from . import numbering, rendering, requisites, templates
from .context import TITLES, build
from .models import PLACE, IssuedDocument
from .rendering import DOCX_TYPE


def business_today():
    """Today in the brokerage's zone: the date of a document that names none."""
    return datetime.now(place(PLACE).tz).date()


def _failed(template, error, where):
    message = _("Version %(version)d of the template cannot be filled in with this deal: %(problem)s",
                version=template.version, problem=rendering.problem(error, where=where))
    return ValidationError(message, fields={"template": message})


def _fill(template, context):
    """``(docx, pdf)`` of ``template`` filled in.

    :raises ValidationError: the template fails on this context (its problem named)
    """
    refused = (TemplateError, ValueError, TypeError, ArithmeticError)
    try:
        docx = rendering.render_docx(template.docx, context)
    except refused as error:
        raise _failed(template, error, "docx") from None
    try:
        pdf = rendering.html_to_pdf(rendering.render_html(template.html, context))
    except refused as error:
        raise _failed(template, error, "html") from None
    return docx, pdf


def _context(kind, given, number=""):
    lacking = requisites.missing()
    if lacking:
        message = _("Fill in our company's requisites first: %(names)s.", names=", ".join(lacking))
        raise ValidationError(message, fields={"requisites": message})
    return build(kind, given, number=number, company=requisites.for_documents(), today=business_today())


def _numbered(kind, given):
    """The checked context with the next number taken (in the current transaction)."""
    context = _context(kind, given)
    year = context["date"].year
    return {**context, "number": numbering.format_number(kind, year, numbering.allocate(kind, year))}


def render(kind, context):
    """The template in force of ``kind`` filled in with ``context``, numbered.

    The number is taken in the current transaction: commit it with what you store, or roll
    back and it is taken again (no gap). Most callers want :func:`issue`, which stores.

    :returns: ``(docx bytes, pdf bytes, number)``
    :raises ValidationError: the context lacks a value the kind needs, or a requisite is empty
    :raises NotFoundError: an unknown kind
    """
    template = templates.current(kind)
    filled = _numbered(kind, context)
    docx, pdf = _fill(template, filled)
    return docx, pdf, filled["number"]


def preview(kind, context=None, *, template=None):
    """A template (the one in force, or ``template``) filled in with ``context`` (the sample
    deal by default), numbered ``Д-2026-0000``; no number is taken.

    :returns: ``(docx bytes, pdf bytes, number)``
    """
    template = template or templates.current(kind)
    today = business_today()
    filled = templates.sample_context(kind, today) if context is None else build(
        kind, context, number="", company=requisites.for_documents(), today=today)
    filled = {**filled, "number": numbering.sample_number(kind, filled["date"].year)}
    docx, pdf = _fill(template, filled)
    return docx, pdf, filled["number"]


def record(change, kind, context, *, actor=None):
    """Issue a document inside ``change`` (an ``engine.side.Change`` or a unit of work:
    anything with ``instance``, ``actor``, ``now`` and ``audit``), which commits it.

    :param actor: who issues it (default: the change's actor)

    :returns: the :class:`IssuedDocument` row
    :raises ValidationError: see :func:`render`
    """
    actor = actor or change.actor
    template = templates.current(kind, commit=False)
    filled = _numbered(kind, context)
    docx, pdf = _fill(template, filled)
    stored = {}
    for form, data, content_type in (("docx", docx, DOCX_TYPE), ("pdf", pdf, "application/pdf")):
        upload = Upload(f"{TITLES[kind]} {filled['number']}.{form}", content_type, data)
        row = attachments.store(upload, instance_id=change.instance.id, actor=actor, at=change.now)
        change.audit("attachment_added", actor=actor, details=attachments.reference(row))
        stored[form] = row
    document = IssuedDocument(
        kind=kind, year=filled["date"].year, seq=int(filled["number"].rsplit("-", 1)[1]),
        number=filled["number"], document_date=filled["date"], instance_id=change.instance.id,
        template_id=template.id, docx_attachment_id=stored["docx"].id, pdf_attachment_id=stored["pdf"].id,
        amount=filled["amount"], currency=place(PLACE).currency, issued_by=actor, issued_at=change.now)
    db.session.add(document)
    db.session.flush()
    change.audit("document_issued", actor=actor, details={
        "kind": kind, "number": document.number, "date": document.document_date.isoformat(),
        "template_version": template.version, "amount": str(document.amount) if document.amount is not None
        else None, "docx_attachment_id": document.docx_attachment_id,
        "pdf_attachment_id": document.pdf_attachment_id})
    return document


def issue(kind, context, instance_id, actor):
    """Issue a ``kind`` document (contract, act, invoice) for case ``instance_id``: numbered,
    filled in, its DOCX and PDF attached to the case, audited; committed.

    :param context: the deal's plain dict (docs/broker.md "Documents")
    :returns: the :class:`IssuedDocument` row (``number``, ``docx_attachment_id``,
        ``pdf_attachment_id``, ...)
    :raises ValidationError: a value the kind needs is missing or not valid, a requisite of
        ours is empty, or the template fails on this deal; nothing is stored, no number taken
    :raises NotFoundError: no such case, or an unknown kind
    :raises PendingChangesError: the caller left changes uncommitted
    """
    templates.current(kind)          # the shipped templates, stored before the case is locked
    return side.apply(instance_id, actor, lambda change: record(change, kind, context))


def documents(instance_id):
    """The documents issued for a case, oldest first."""
    return (db.session.query(IssuedDocument).filter_by(instance_id=instance_id)
            .order_by(IssuedDocument.id).all())
