"""The development ЭДО adapter: records what would be sent and plays the counterparty.

Nothing leaves the machine. Each send is a row of ``edo_dev_message`` (the file, the
counterparty, who sent it and when). The simulated counterparty receives the document
``TASKLANE_EDO_DEV_DELIVER_SECONDS`` after it was sent and signs it
``TASKLANE_EDO_DEV_SIGN_SECONDS`` after that (0: only by hand); by hand, :func:`deliver`,
:func:`sign` and :func:`reject` do it at once (tests, the dev page). The signed copy is the
document as sent with a detached signature file that says, in Russian and English, that it
is simulated and not a qualified electronic signature.

Its rows stand for the operator's side, so each call commits its own transaction; the
caller (:mod:`.sync`) calls it with nothing of its own pending.
"""
import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from engine.db import db
from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.models import AttachmentBlob
from engine.types import utcnow

from .adapter import DELIVERED, REJECTED, SENT, SIGNED, EdoRefusedError, File, Signed, Status
from .models import EdoDevMessage

NAME = "development"
SIGNATURE_SUFFIX = ".SIMULATED-signature.txt"


class DevelopmentAdapter:
    """:class:`~.adapter.Adapter` that keeps everything in the database (see the module)."""

    name = NAME

    def __init__(self, config):
        self.deliver_after = float(config.get("TASKLANE_EDO_DEV_DELIVER_SECONDS", 30))
        self.sign_after = float(config.get("TASKLANE_EDO_DEV_SIGN_SECONDS", 120))

    def send(self, document, counterparty, *, key, sender):
        existing = db.session.scalar(select(EdoDevMessage.id).where(EdoDevMessage.key == key))
        if existing is not None:
            db.session.rollback()
            return existing
        if not counterparty.inn:
            raise EdoRefusedError("the counterparty has no ИНН: no ЭДО box can be found")
        _keep_blob(document)
        row = EdoDevMessage(id=str(uuid.uuid4()), key=key, filename=document.filename,
                            content_type=document.content_type, size=len(document.data),
                            sha256=document.sha256, counterparty_inn=counterparty.inn,
                            counterparty_kpp=counterparty.kpp, counterparty_name=counterparty.name,
                            sent_by=sender, sent_at=utcnow())
        db.session.add(row)
        try:
            db.session.commit()
        except IntegrityError:  # the same key sent at once by another worker: theirs stands
            db.session.rollback()
            return db.session.scalar(select(EdoDevMessage.id).where(EdoDevMessage.key == key))
        return row.id

    def status(self, sent_id):
        row = _message(sent_id)
        self._advance(row, utcnow())
        row = _message(sent_id)
        db.session.rollback()
        if row.signed_at is not None:
            return Status(SIGNED, row.signed_at)
        if row.rejected_at is not None:
            return Status(REJECTED, row.rejected_at, row.reason)
        if row.delivered_at is not None:
            return Status(DELIVERED, row.delivered_at)
        return Status(SENT, row.sent_at)

    def signed_document(self, sent_id):
        row = _message(sent_id)
        if row.signed_at is None:
            raise EdoRefusedError(f"document {sent_id} is not signed")
        data = db.session.get(AttachmentBlob, row.sha256).data
        signature = File(row.filename + SIGNATURE_SUFFIX, "text/plain", _signature_text(row).encode())
        db.session.rollback()
        return Signed(File(row.filename, row.content_type, data), signature)

    def _advance(self, row, now):
        """What the simulated counterparty has done by ``now`` (the configured delays)."""
        if self.deliver_after > 0 and row.delivered_at is None:
            due = row.sent_at + timedelta(seconds=self.deliver_after)
            if due <= now:
                _set(row.id, EdoDevMessage.delivered_at.is_(None), delivered_at=due)
                row.delivered_at = due
        if self.sign_after > 0 and row.delivered_at is not None and row.signed_at is None \
                and row.rejected_at is None:
            due = row.delivered_at + timedelta(seconds=self.sign_after)
            if due <= now:
                _set(row.id, EdoDevMessage.signed_at.is_(None), EdoDevMessage.rejected_at.is_(None),
                     signed_at=due)


def messages(limit=200):
    """The latest sends, newest first (the dev page)."""
    return db.session.scalars(select(EdoDevMessage).order_by(EdoDevMessage.sent_at.desc()).limit(limit)).all()


def deliver(sent_id):
    """The simulated counterparty receives document ``sent_id`` now.

    :raises NotFoundError: no such document
    """
    _message(sent_id)
    _set(sent_id, EdoDevMessage.delivered_at.is_(None), delivered_at=utcnow())


def sign(sent_id):
    """The simulated counterparty signs document ``sent_id`` now (receiving it first).

    :raises NotFoundError: no such document
    :raises ConflictError: it was rejected, or signed already
    """
    row = _message(sent_id)
    if row.signed_at is not None or row.rejected_at is not None:
        db.session.rollback()
        raise ConflictError(f"document {sent_id} was {'signed' if row.signed_at else 'rejected'} already")
    deliver(sent_id)
    if not _set(sent_id, EdoDevMessage.signed_at.is_(None), EdoDevMessage.rejected_at.is_(None),
                signed_at=utcnow()):
        raise ConflictError(f"document {sent_id} was answered meanwhile")


def reject(sent_id, reason):
    """The simulated counterparty refuses to sign document ``sent_id``, saying ``reason``.

    :raises ValidationError: no reason
    :raises NotFoundError: no such document
    :raises ConflictError: it was signed, or rejected already
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("a rejection needs the counterparty's reason", fields={"reason": "required"})
    row = _message(sent_id)
    if row.signed_at is not None or row.rejected_at is not None:
        db.session.rollback()
        raise ConflictError(f"document {sent_id} was {'signed' if row.signed_at else 'rejected'} already")
    deliver(sent_id)
    if not _set(sent_id, EdoDevMessage.signed_at.is_(None), EdoDevMessage.rejected_at.is_(None),
                rejected_at=utcnow(), reason=reason[:5000]):
        raise ConflictError(f"document {sent_id} was answered meanwhile")


def _message(sent_id):
    row = db.session.get(EdoDevMessage, str(sent_id), populate_existing=True)
    if row is None:
        db.session.rollback()
        raise NotFoundError(f"the development ЭДО has no document {sent_id}")
    return row


def _set(sent_id, *conditions, **values):
    changed = db.session.execute(update(EdoDevMessage).where(EdoDevMessage.id == sent_id, *conditions)
                                 .values(**values).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return changed == 1


def _keep_blob(document):
    if db.session.get(AttachmentBlob, document.sha256) is None:
        db.session.add(AttachmentBlob(sha256=document.sha256, data=document.data, size=len(document.data)))
        db.session.flush()


def _signature_text(row):
    kpp = f", КПП {row.counterparty_kpp}" if row.counterparty_kpp else ""
    counterparty = f"ИНН {row.counterparty_inn}{kpp}"
    return "\n".join([
        "ИМИТАЦИЯ ПОДПИСИ. НЕ ЯВЛЯЕТСЯ КВАЛИФИЦИРОВАННОЙ ЭЛЕКТРОННОЙ ПОДПИСЬЮ.",
        "SIMULATED SIGNATURE. THIS IS NOT A QUALIFIED ELECTRONIC SIGNATURE.",
        "",
        "Made by Tasklane's development ЭДО adapter: the document was sent to no one and",
        "no one signed it. A production adapter returns the counterparty's CMS signature.",
        "",
        f"document: {row.filename}",
        f"sha256: {row.sha256}",
        f"counterparty: {row.counterparty_name or ''} {counterparty}".replace("  ", " "),
        f"sent by: {row.sent_by} at {row.sent_at.isoformat()}",
        f"signed at: {row.signed_at.isoformat()}",
        "",
    ])
