"""Customers (leads, contacts, customers), their interactions, orders and pipeline stages.

One ``crm_customer`` row per person as they were entered: a phone number may be
shared by several rows (duplicates are detected and shown, never merged).
"""
from engine.db import db
from engine.places import place
from engine.types import UTCDateTime, utcnow

KINDS = ("lead", "contact", "customer")
SOURCES = ("website", "facebook", "zalo", "referral", "event", "import", "manual", "api", "other")
CLASSIFICATIONS = ("urgent", "potential", "not_potential")
GENDERS = ("female", "male", "other")
# Seed 003. "new" with first_contact_at null is "new, not yet contacted" (seed 001 III.A).
STATUSES = ("new", "in_consultation", "contact", "ordered", "closed_no_need", "closed_wrong_number")
CHANNELS = ("call", "email", "sms", "note")
# Seed 004: a stage is worked on (open), a sale (won: the prospect becomes a customer) or the
# end of the care (lost).
STAGE_KINDS = ("open", "won", "lost")
# An order is placed, or cancelled (a mistaken cancel may be undone). A correction is not a
# state but an event of its history: ``version``, ``updated_at`` / ``updated_by`` and the
# audit trail keep it (docs/crm.md "Orders").
ORDER_STATUSES = ("placed", "cancelled")


class Customer(db.Model):
    __tablename__ = "crm_customer"
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(20), nullable=False, default="lead")
    name = db.Column(db.String(255), nullable=False)
    gender = db.Column(db.String(10))
    phone = db.Column(db.String(32), nullable=False, index=True)
    email = db.Column(db.String(255))
    birthday = db.Column(db.Date)
    source = db.Column(db.String(20), nullable=False)
    classification = db.Column(db.String(20))
    owner = db.Column(db.String(80), index=True)
    status = db.Column(db.String(30), nullable=False, default="new", index=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    created_by = db.Column(db.String(80), nullable=False)
    first_contact_at = db.Column(UTCDateTime)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), index=True)
    # The prospect pipeline (seed 004): its case, the stage it is in, since when, and when
    # it was converted into the customer catalogue.
    pipeline_instance_id = db.Column(db.ForeignKey("process_instance.id"), index=True)
    stage_id = db.Column(db.ForeignKey("crm_stage.id"), index=True)
    stage_changed_at = db.Column(UTCDateTime)
    converted_at = db.Column(UTCDateTime)


class Stage(db.Model):
    """A stage of the prospect pipeline; an admin names and orders them (docs/pipeline.md)."""

    __tablename__ = "crm_stage"
    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(40), nullable=False, unique=True)
    position = db.Column(db.Integer, nullable=False)
    kind = db.Column(db.String(10), nullable=False, default="open")
    name_vi = db.Column(db.String(120), nullable=False)
    name_en = db.Column(db.String(120), nullable=False)
    name_ru = db.Column(db.String(120), nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)

    def name(self, locale):
        return getattr(self, f"name_{locale}", None) or self.name_en


class StageChange(db.Model):
    """One move of a prospect between stages, with its note and attached files."""

    __tablename__ = "crm_stage_change"
    id = db.Column(db.Integer, primary_key=True)
    customer_id = db.Column(db.ForeignKey("crm_customer.id"), nullable=False, index=True)
    from_stage_id = db.Column(db.ForeignKey("crm_stage.id"))
    to_stage_id = db.Column(db.ForeignKey("crm_stage.id"), nullable=False)
    note = db.Column(db.Text)
    attachments = db.Column(db.JSON)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    author = db.Column(db.String(80), nullable=False)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), index=True)


class Interaction(db.Model):
    """A call, e-mail, SMS or note about a customer."""

    __tablename__ = "crm_interaction"
    id = db.Column(db.Integer, primary_key=True)
    customer_id = db.Column(db.ForeignKey("crm_customer.id"), nullable=False, index=True)
    channel = db.Column(db.String(10), nullable=False)
    outcome = db.Column(db.String(40))
    notes = db.Column(db.Text)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    author = db.Column(db.String(80), nullable=False)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), index=True)


class Order(db.Model):
    """An order of a customer, written by the step that closed the sale; its owner may
    correct it (:mod:`crm.orders`), each correction raising ``version`` by one."""

    __tablename__ = "crm_order"
    id = db.Column(db.Integer, primary_key=True)
    customer_id = db.Column(db.ForeignKey("crm_customer.id"), nullable=False, index=True)
    product = db.Column(db.String(255), nullable=False)
    quantity = db.Column(db.Integer, nullable=False, default=1)
    amount = db.Column(db.Numeric(18, 2), nullable=False)
    currency = db.Column(db.String(3), nullable=False, default=lambda: place().currency)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    created_by = db.Column(db.String(80), nullable=False)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), index=True)
    status = db.Column(db.String(20), nullable=False, default="placed")
    version = db.Column(db.Integer, nullable=False, default=1)
    updated_at = db.Column(UTCDateTime)
    updated_by = db.Column(db.String(80))
