"""Records of the loan broker's partner deal (seed 002, issue 15): the credit products with
their document checklists and client questions, the deals partners register, and the
documents uploaded against a checklist item.

A deal is the record the pages and the API read; its case (``broker_deal``) keeps it in
step through the domain's script helpers (:mod:`.helpers`), so nobody reads the workflow
to know where a deal stands. ``version`` is optimistic locking: a change made on a stale
copy is refused (SQLAlchemy's ``version_id_col``), never silently overwritten.

Money is roubles (the ``brokerage`` place: Europe/Moscow, RU, ru, RUB; engine/places.py),
stored as ``Numeric(18, 2)`` with its currency beside it, as every amount elsewhere.
"""
from engine.db import db
from engine.places import place
from engine.types import UTCDateTime, utcnow

# The domain's name for its place (engine/places.py, tasklane/config.py DOMAIN_PLACES).
DOMAIN = "brokerage"
LANGUAGES = ("ru", "vi", "en")
STATES = ("open", "refused", "closed", "completed")
STEPS = tuple(range(1, 13))
# What the pre-check's decision table reads (bpmn/broker_deal/broker_precheck.dmn), with the
# value a fact has before the partner answers.
FACTS = {
    "business_age_months": 0,     # since the company's (or entrepreneur's) registration
    "arrears_days": 0,            # the longest overdue debt now, in days
    "court_cases": 0,             # court cases where the client is the defendant, last 12 months
    "tax_debt": False,            # a tax debt over 1 000 roubles (the tax service's certificate)
    "turnover_change_percent": 0,  # turnover of the last 12 months against the 12 before
    "bankruptcy": False,          # bankruptcy or liquidation under way
}


def domain_currency():
    """Roubles unless the brokerage's place says otherwise (a model default)."""
    return place(DOMAIN).currency


class CreditProduct(db.Model):
    """A credit product the broker takes deals to (a bank's loan, a guarantee, a credit
    line), named in each language; the team keeps it, its checklist and its questions."""

    __tablename__ = "broker_product"
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(40), nullable=False, unique=True)
    name_ru = db.Column(db.String(200), nullable=False)
    name_vi = db.Column(db.String(200), nullable=False)
    name_en = db.Column(db.String(200), nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    checklist = db.relationship("ChecklistItem", order_by="ChecklistItem.position", lazy="selectin",
                                back_populates="product")
    questions = db.relationship("ClientQuestion", order_by="ClientQuestion.position", lazy="selectin",
                                back_populates="product")


class ChecklistItem(db.Model):
    """A document a deal of the product needs (``code`` is the ``kind`` a file is uploaded
    as); ``required``: the deal cannot go to the pre-check without it."""

    __tablename__ = "broker_checklist_item"
    id = db.Column(db.Integer, primary_key=True)
    product_id = db.Column(db.ForeignKey("broker_product.id"), nullable=False, index=True)
    code = db.Column(db.String(40), nullable=False)
    title_ru = db.Column(db.String(200), nullable=False)
    title_vi = db.Column(db.String(200), nullable=False)
    title_en = db.Column(db.String(200), nullable=False)
    required = db.Column(db.Boolean, nullable=False, default=True)
    active = db.Column(db.Boolean, nullable=False, default=True)
    position = db.Column(db.Integer, nullable=False, default=0)
    product = db.relationship(CreditProduct, back_populates="checklist")
    __table_args__ = (db.UniqueConstraint("product_id", "code"),)


class ClientQuestion(db.Model):
    """A question the partner answers with the client when presenting the service (step 2);
    the partner ticks the ones answered."""

    __tablename__ = "broker_client_question"
    id = db.Column(db.Integer, primary_key=True)
    product_id = db.Column(db.ForeignKey("broker_product.id"), nullable=False, index=True)
    code = db.Column(db.String(40), nullable=False)
    text_ru = db.Column(db.String(500), nullable=False)
    text_vi = db.Column(db.String(500), nullable=False)
    text_en = db.Column(db.String(500), nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    position = db.Column(db.Integer, nullable=False, default=0)
    product = db.relationship(CreditProduct, back_populates="questions")
    __table_args__ = (db.UniqueConstraint("product_id", "code"),)


class Deal(db.Model):
    """A client a partner brought, from registration to the commission (steps 1-12)."""

    __tablename__ = "broker_deal"
    id = db.Column(db.Integer, primary_key=True)
    partner = db.Column(db.String(80), nullable=False, index=True)
    company_name = db.Column(db.String(300), nullable=False)
    inn = db.Column(db.String(12), nullable=False, index=True)
    ogrn = db.Column(db.String(15))
    contact_name = db.Column(db.String(200), nullable=False)
    phone = db.Column(db.String(32), nullable=False)
    email = db.Column(db.String(254))
    amount = db.Column(db.Numeric(18, 2), nullable=False)
    currency = db.Column(db.String(3), nullable=False, default=domain_currency)  # of every amount
    term_months = db.Column(db.Integer, nullable=False)
    purpose = db.Column(db.Text, nullable=False)
    product_id = db.Column(db.ForeignKey("broker_product.id"), nullable=False, index=True)
    answered_questions = db.Column(db.JSON, nullable=False, default=list)  # ClientQuestion codes
    state = db.Column(db.String(20), nullable=False, default="open")
    step = db.Column(db.Integer, nullable=False, default=1)
    # the last pre-check: {"passed": bool, "reasons": [code, ...], "at": ISO-8601}
    precheck = db.Column(db.JSON)
    facts = db.Column(db.JSON, nullable=False, default=dict)  # what the pre-check reads (.precheck.FACTS)
    analysis_due_at = db.Column(UTCDateTime)
    range_from = db.Column(db.Numeric(18, 2))
    range_to = db.Column(db.Numeric(18, 2))
    approved_amount = db.Column(db.Numeric(18, 2))  # the bank's approval (step 10): the commission's base
    payment_received_at = db.Column(UTCDateTime)    # step 12: the client paid for the broker's work
    act_signed_at = db.Column(UTCDateTime)          # step 12: the signed act of completed work is in
    close_reason = db.Column(db.Text)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), index=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    version = db.Column(db.Integer, nullable=False)
    product = db.relationship(CreditProduct, lazy="joined")
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (db.Index("ix_broker_deal_state_step", "state", "step"),)


class DealDocument(db.Model):
    """A file uploaded against a checklist item of the deal's product; the file itself is
    an attachment of the deal's case (engine/attachments.py), so it is audited with it."""

    __tablename__ = "broker_deal_document"
    id = db.Column(db.Integer, primary_key=True)
    deal_id = db.Column(db.ForeignKey("broker_deal.id"), nullable=False, index=True)
    item_id = db.Column(db.ForeignKey("broker_checklist_item.id"), nullable=False)
    attachment_id = db.Column(db.ForeignKey("attachment.id"), nullable=False, unique=True)
    uploaded_by = db.Column(db.String(80), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    item = db.relationship(ChecklistItem, lazy="joined")
