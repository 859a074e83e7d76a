"""Customers (leads, contacts, customers), their interactions and orders.

One ``crm_customer`` row per person as they were entered: a phone number may be
shared by several rows (duplicates are detected and shown, never merged).
"""
from engine.db import db
from engine.types import UTCDateTime, utcnow

KINDS = ("lead", "contact", "customer")
SOURCES = ("website", "facebook", "zalo", "referral", "event", "import", "manual", "api", "other")
CLASSIFICATIONS = ("urgent", "potential", "not_potential")
GENDERS = ("female", "male", "other")
# Seed 003. "new" with first_contact_at null is "new, not yet contacted" (seed 001 III.A).
STATUSES = ("new", "in_consultation", "contact", "ordered", "closed_no_need", "closed_wrong_number")
CHANNELS = ("call", "email", "sms", "note")


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
    __tablename__ = "crm_order"
    id = db.Column(db.Integer, primary_key=True)
    customer_id = db.Column(db.ForeignKey("crm_customer.id"), nullable=False, index=True)
    product = db.Column(db.String(255), nullable=False)
    quantity = db.Column(db.Integer, nullable=False, default=1)
    amount = db.Column(db.Numeric(18, 2), nullable=False)
    currency = db.Column(db.String(3), nullable=False, default="VND")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    created_by = db.Column(db.String(80), nullable=False)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), index=True)
