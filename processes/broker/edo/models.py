"""The ЭДО tables: the documents the platform sent for signature (:class:`EdoDocument`) and
what the development adapter would have sent (:class:`EdoDevMessage`).

Bytes are kept once per SHA-256 in ``attachment_blob`` (engine.attachments), like a
case's files.
"""
from sqlalchemy import Index

from engine.db import db
from engine.types import UTCDateTime, utcnow

# EdoDocument.state: queued (written with the case's step) -> sending (claimed by one
# worker) -> sent -> delivered -> signed | rejected; failed when the operator refused it.
QUEUED, SENDING, FAILED = "queued", "sending", "failed"


class EdoDocument(db.Model):
    """A document sent for signature through ЭДО on behalf of a case.

    ``correlation`` holds the values the case's messages must carry (its correlation key,
    e.g. ``{"deal_id": 7}``); ``reported_at`` is set, once, in the transaction that delivers
    the outcome to the case (or when the case has ended and can take none).
    """

    __tablename__ = "edo_document"
    __table_args__ = (Index("ix_edo_document_state", "state", "reported_at"),)
    id = db.Column(db.Integer, primary_key=True)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), nullable=False, index=True)
    correlation = db.Column(db.JSON)
    filename = db.Column(db.String(255), nullable=False)
    content_type = db.Column(db.String(120), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.ForeignKey("attachment_blob.sha256"), nullable=False)
    counterparty_inn = db.Column(db.String(12), nullable=False)
    counterparty_kpp = db.Column(db.String(9))
    counterparty_name = db.Column(db.String(255))
    adapter = db.Column(db.String(100), nullable=False)
    sent_id = db.Column(db.String(255))
    state = db.Column(db.String(20), nullable=False, default=QUEUED)
    state_at = db.Column(UTCDateTime)
    reason = db.Column(db.Text)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    last_error = db.Column(db.Text)
    requested_by = db.Column(db.String(80), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = db.Column(UTCDateTime)
    reported_at = db.Column(UTCDateTime)
    report_attempts = db.Column(db.Integer, nullable=False, default=0)
    report_after = db.Column(UTCDateTime)  # a failed report is tried again from then on
    report_error = db.Column(db.Text)
    signed_attachment_id = db.Column(db.ForeignKey("attachment.id"))
    signature_attachment_id = db.Column(db.ForeignKey("attachment.id"))


class EdoDevMessage(db.Model):
    """What the development adapter would have sent, and what its simulated counterparty
    did with it. Nothing of it leaves the machine."""

    __tablename__ = "edo_dev_message"
    id = db.Column(db.String(36), primary_key=True)  # the adapter's sent_id
    key = db.Column(db.String(100), nullable=False, unique=True)  # the sender's idempotency key
    filename = db.Column(db.String(255), nullable=False)
    content_type = db.Column(db.String(120), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.ForeignKey("attachment_blob.sha256"), nullable=False)
    counterparty_inn = db.Column(db.String(12), nullable=False)
    counterparty_kpp = db.Column(db.String(9))
    counterparty_name = db.Column(db.String(255))
    sent_by = db.Column(db.String(80), nullable=False)
    sent_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    delivered_at = db.Column(UTCDateTime)
    signed_at = db.Column(UTCDateTime)
    rejected_at = db.Column(UTCDateTime)
    reason = db.Column(db.Text)
