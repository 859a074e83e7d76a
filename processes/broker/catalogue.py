"""The team's edits of a credit product's document checklist and client questions: add an
item, rename it (its text in each language, a document's ``required``), move it up or down,
deactivate or reactivate it. A deal keeps its uploaded files when an item is deactivated;
an item's ``code`` never changes (it is the ``kind`` files were uploaded as).

Every change is one audit event in the product's stream (``broker_product:<id>``) with the
item before and after, in the same transaction.
"""
import re

from flask_babel import gettext as _
from sqlalchemy import select

from engine import audit
from engine.db import db
from engine.errors import NotFoundError, ValidationError
from engine.models import AuditEvent
from engine.types import db_int

from .models import LANGUAGES, ChecklistItem, ClientQuestion, CreditProduct

CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# kind -> (model, text column prefix, longest text, whether the item has ``required``)
KINDS = {"checklist": (ChecklistItem, "title", 200, True), "questions": (ClientQuestion, "text", 500, False)}
MOVES = {"up": -1, "down": 1}


def product(product_id):
    """:raises NotFoundError: no such product"""
    try:
        row = db.session.get(CreditProduct, db_int(product_id))
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise NotFoundError(_("No such credit product."))
    return row


def products():
    """Every credit product, active ones first, by Russian name."""
    return db.session.scalars(select(CreditProduct).order_by(CreditProduct.active.desc(),
                                                             CreditProduct.name_ru)).all()


def _kind(kind):
    if kind not in KINDS:
        raise NotFoundError(_("Not found."))
    return KINDS[kind]


def rows(product_row, kind):
    """The product's items of ``kind``, active and not, in their order."""
    model = _kind(kind)[0]
    return db.session.scalars(select(model).filter_by(product_id=product_row.id)
                              .order_by(model.position, model.id)).all()


def item(product_row, kind, item_id):
    """:raises NotFoundError: no such item of the product"""
    model = _kind(kind)[0]
    try:
        row = db.session.get(model, db_int(item_id))
    except (TypeError, ValueError):
        row = None
    if row is None or row.product_id != product_row.id:
        raise NotFoundError(_("Not found."))
    return row


def _texts(kind, form):
    """``{column: text}`` in every language, checked. :raises ValidationError: a missing or long text"""
    _model, prefix, longest, _required = _kind(kind)
    texts, errors = {}, {}
    for lang in LANGUAGES:
        value = (form.get(f"{prefix}_{lang}") or "").strip()
        if not value:
            errors[f"{prefix}_{lang}"] = _("Enter the text in this language.")
        elif len(value) > longest:
            errors[f"{prefix}_{lang}"] = _("At most %(count)d characters.", count=longest)
        texts[f"{prefix}_{lang}"] = value
    return texts, errors


def _snapshot(row, kind):
    _model, prefix, _longest, has_required = KINDS[kind]
    found = {"code": row.code, "active": row.active, "position": row.position,
             **{f"{prefix}_{lang}": getattr(row, f"{prefix}_{lang}") for lang in LANGUAGES}}
    if has_required:
        found["required"] = row.required
    return found


def _audit(product_row, kind, event, actor, before=None, after=None):
    audit.append(f"broker_product:{product_row.id}", event, actor=actor, data_before=before,
                 data_after=after, details={"kind": kind})


def add(product_row, kind, form, *, actor):
    """A new item at the end of the list.

    :raises ValidationError: a bad or taken code, a missing text (``fields``)
    """
    model, _prefix, _longest, has_required = _kind(kind)
    texts, errors = _texts(kind, form)
    code = (form.get("code") or "").strip().lower()
    existing = rows(product_row, kind)
    if not CODE.match(code):
        errors["code"] = _("Latin letters, digits and _, starting with a letter, at most 40.")
    elif any(row.code == code for row in existing):
        errors["code"] = _("This product already has an item with this code.")
    if errors:
        raise ValidationError(_("Please correct the marked fields."), fields=errors)
    row = model(product_id=product_row.id, code=code, active=True,
                position=max((r.position for r in existing), default=0) + 1, **texts)
    if has_required:
        row.required = form.get("required") in ("on", "1", "true", "yes")
    db.session.add(row)
    db.session.flush()
    _audit(product_row, kind, "catalogue_item_added", actor, after=_snapshot(row, kind))
    db.session.commit()
    return row


def rename(product_row, kind, row, form, *, actor):
    """New texts (and, for a document, ``required``). :raises ValidationError: a missing text"""
    has_required = _kind(kind)[3]
    texts, errors = _texts(kind, form)
    if errors:
        raise ValidationError(_("Please correct the marked fields."), fields=errors)
    before = _snapshot(row, kind)
    for column, value in texts.items():
        setattr(row, column, value)
    if has_required:
        row.required = form.get("required") in ("on", "1", "true", "yes")
    _changed(product_row, kind, "catalogue_item_changed", actor, before, row)


def move(product_row, kind, row, direction, *, actor):
    """One place up or down (nothing at either end). :raises ValidationError: another direction"""
    if direction not in MOVES:
        raise ValidationError(_("Move up or down."), fields={"action": _("Move up or down.")})
    ordered = rows(product_row, kind)
    index = ordered.index(row)
    other = index + MOVES[direction]
    if not 0 <= other < len(ordered):
        return
    before = _snapshot(row, kind)
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered, start=1):
        each.position = position
    _changed(product_row, kind, "catalogue_item_moved", actor, before, row)


def set_active(product_row, kind, row, active, *, actor):
    """Deactivate (no longer asked for new uploads; files kept) or reactivate an item."""
    before = _snapshot(row, kind)
    row.active = bool(active)
    _changed(product_row, kind, "catalogue_item_activated" if active else "catalogue_item_deactivated",
             actor, before, row)


def _changed(product_row, kind, event, actor, before, row):
    db.session.flush()
    _audit(product_row, kind, event, actor, before=before, after=_snapshot(row, kind))
    db.session.commit()


def changes(product_row, limit=20):
    """The product's latest audited changes, newest first."""
    return db.session.scalars(select(AuditEvent).filter_by(stream=f"broker_product:{product_row.id}")
                              .order_by(AuditEvent.id.desc()).limit(limit)).all()
