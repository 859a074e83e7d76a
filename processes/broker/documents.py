"""The documents of a deal (step 3): files uploaded against the checklist items of its
product, and what is still missing.

A file is an attachment of the deal's case (engine/attachments.py): stored once per
SHA-256, with an ``attachment_added`` event in the case's audit chain naming the
checklist item, in the same transaction as the :class:`~.models.DealDocument` row.
"""
from flask_babel import gettext as _
from sqlalchemy import select

from engine import attachments, side
from engine.db import db
from engine.errors import ConflictError, ValidationError

from .models import ChecklistItem, DealDocument


def items(deal):
    """The active checklist items of the deal's product, in their order."""
    return [item for item in deal.product.checklist if item.active]


def item_of(deal, kind):
    """The active checklist item ``kind`` (its code) of the deal's product.

    :raises ValidationError: no such item (``fields["kind"]``)
    """
    for item in items(deal):
        if item.code == kind:
            return item
    message = _("Choose a document of this product's checklist.")
    raise ValidationError(message, fields={"kind": message})


def documents(deal):
    """The deal's documents, oldest first."""
    return db.session.scalars(select(DealDocument).filter_by(deal_id=deal.id)
                              .order_by(DealDocument.id)).all()


def missing(deal):
    """The required checklist items no file has been uploaded for yet."""
    have = set(db.session.scalars(select(DealDocument.item_id).filter_by(deal_id=deal.id)))
    return [item for item in items(deal) if item.required and item.id not in have]


def add(deal, kind, upload, *, actor):
    """Store ``upload`` (forms.uploads.Upload) as the deal's document of item ``kind``.

    :raises ValidationError: an unknown ``kind``
    :raises ConflictError: the deal is closed or has no case
    """
    item = item_of(deal, kind)
    if deal.state != "open" or deal.instance_id is None:
        raise ConflictError(_("This deal is closed; its documents can no longer change."))

    def action(change):
        row = attachments.store(upload, instance_id=deal.instance_id, actor=actor, at=change.now)
        change.audit("attachment_added", details={**attachments.reference(row), "kind": item.code,
                                                   "deal_id": deal.id})
        document = DealDocument(deal_id=deal.id, item_id=item.id, attachment_id=row.id, uploaded_by=actor,
                                created_at=change.now)
        db.session.add(document)
        db.session.flush()
        return document

    return side.apply(deal.instance_id, actor, action)


def title(item, language):
    """The item's title in ``language`` (Russian when the language has none)."""
    return getattr(item, f"title_{language}", None) or item.title_ru


__all__ = ["ChecklistItem", "add", "documents", "item_of", "items", "missing", "title"]
