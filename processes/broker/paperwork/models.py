"""The tables of the broker's paperwork (issue 15, steps 9 and 11): document templates
in versions, the yearly counters that number documents, the documents issued, and our
company's requisites.

A template version is never changed: an edit adds the next version, and the newest one is
the template in force (docs/broker.md "Documents").
"""
from engine.db import db
from engine.types import UTCDateTime, utcnow

# The place whose zone dates a document and whose currency its amounts are in (engine/places.py).
PLACE = "brokerage"
KINDS = ("contract", "act", "invoice")


class DocumentTemplate(db.Model):
    """One version of the template of a kind: a DOCX for docxtpl and an HTML page for the PDF."""

    __tablename__ = "broker_document_template"
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(20), nullable=False)
    version = db.Column(db.Integer, nullable=False)
    docx = db.deferred(db.Column(db.LargeBinary, nullable=False))
    docx_name = db.Column(db.String(255), nullable=False)
    html = db.deferred(db.Column(db.Text, nullable=False))
    note = db.Column(db.String(500), nullable=False, default="")
    created_by = db.Column(db.String(80), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    __table_args__ = (db.UniqueConstraint("kind", "version"),)


class DocumentCounter(db.Model):
    """The last number given to a document of ``kind`` dated in ``year``; its row lock
    orders concurrent issues, and a rolled-back issue rolls the counter back too."""

    __tablename__ = "broker_document_counter"
    kind = db.Column(db.String(20), primary_key=True)
    year = db.Column(db.Integer, primary_key=True, autoincrement=False)
    last = db.Column(db.Integer, nullable=False, default=0)


class IssuedDocument(db.Model):
    """A numbered document issued for a case: its DOCX and PDF are attachments of the case."""

    __tablename__ = "broker_document"
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(20), nullable=False)
    year = db.Column(db.Integer, nullable=False)
    seq = db.Column(db.Integer, nullable=False)
    number = db.Column(db.String(40), nullable=False, unique=True)
    document_date = db.Column(db.Date, nullable=False)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), nullable=False, index=True)
    template_id = db.Column(db.ForeignKey("broker_document_template.id"), nullable=False)
    docx_attachment_id = db.Column(db.ForeignKey("attachment.id"), nullable=False)
    pdf_attachment_id = db.Column(db.ForeignKey("attachment.id"), nullable=False)
    amount = db.Column(db.Numeric(18, 2))
    currency = db.Column(db.String(3), nullable=False)
    issued_by = db.Column(db.String(80), nullable=False)
    issued_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    template = db.relationship(DocumentTemplate, lazy="joined")
    __table_args__ = (db.UniqueConstraint("kind", "year", "seq"),)


class PaperworkSetting(db.Model):
    """One of our company's requisites or document settings (:mod:`.requisites`)."""

    __tablename__ = "broker_paperwork_setting"
    key = db.Column(db.String(40), primary_key=True)
    value = db.Column(db.Text, nullable=False)
    updated_by = db.Column(db.String(80), nullable=False)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
