"""Helpers of bpmn/lead_handling.bpmn (seed 003, issue 4): calls and orders written to crm.

They run inside the instance's unit of work (a script task right after a call task),
so the crm rows are committed with the step, or not at all. Each does nothing and
returns ``None`` when the case has no ``customer_id`` (started without a crm
customer: tests, other tools) or the customer does not exist, and refuses a customer
whose lead case is another one (:func:`case_customer`): the id comes from the case's
data, which its starter chose.

``RULES`` says who may start a lead case through the API and with what (issue 11).
"""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import update

from crm.models import Customer, Interaction, Order
from crm.records import active_sales, sales_reps
from engine import outbox
from engine.db import db
from engine.errors import ForbiddenError, ValidationError
from engine.types import utcnow
from engine.unit import current_unit
from forms.phone import display
from processes.common import call_author, case_customer, customer_of, customer_of_case, step_author  # noqa: F401
from processes.rules import OVERSEERS, ProcessRules, Start

PROCESS = "lead_handling"

# What a call outcome (call_lead) or contact status (call_contact) does to the customer.
# Outcomes not listed (not_reached, interested, thinking, busy, ...) change nothing but
# the first contact; "bought" is written by record_order.
OUTCOME_STATUS = {
    "reached": "contact",
    "no_need": "closed_no_need",
    "wrong_number": "closed_wrong_number",
    "not_interested": "closed_no_need",
    "bought_elsewhere": "closed_no_need",
}
STATUS_KIND = {"contact": "contact", "ordered": "customer"}


def _move(customer, status):
    customer.status = status
    if status in STATUS_KIND:
        customer.kind = STATUS_KIND[status]


def remind_call(recipient, name, phone, link=outbox.OPEN_TASK):
    """Ring ``recipient``'s bell: time to call ``name`` back; shown in the reader's language.
    It links to the call task this step opens (:data:`engine.outbox.OPEN_TASK`)."""
    outbox.add("in_app", recipient, subject=f"{name} {phone}".strip(), link=link, kind="callback_due",
               params={"name": name, "phone": phone})
    return True



def callback_text(note):
    """``(title, body)`` of the call-back bell (:func:`remind_call`) in the reader's language."""
    params = note.params or {}
    name, phone = params.get("name"), params.get("phone")
    title = _("Call back %(name)s", name=name) if name else _("Time for a call-back")
    body = (_("The call-back time has come: %(phone)s.", phone=display(phone)) if phone
            else _("The call-back time has come."))
    return title, body

def record_call(customer_id, outcome, notes=None):
    """Write the call as an interaction of the customer and move its status.

    The first interaction sets ``first_contact_at`` and moves a ``new`` customer to
    ``in_consultation``; then ``reached`` makes it a contact, ``no_need`` /
    ``wrong_number`` (and a contact's ``not_interested`` / ``bought_elsewhere``) close it.
    A closed or ordered customer keeps its status. The author is the user who
    completed the call task.

    :returns: the interaction's id, or ``None`` when there is no customer
    :raises ForbiddenError: the customer belongs to another case
    """
    customer = case_customer(customer_id)
    if customer is None:
        return None
    unit = current_unit()
    now = unit.now if unit is not None else utcnow()
    interaction = Interaction(customer_id=customer.id, channel="call", outcome=outcome, notes=notes or None,
                              at=now, author=step_author(unit),
                              instance_id=unit.instance.id if unit is not None else None)
    db.session.add(interaction)
    if customer.first_contact_at is None:
        customer.first_contact_at = now
        if customer.status == "new":
            customer.status = "in_consultation"
    target = OUTCOME_STATUS.get(outcome)
    if target and customer.status in ("new", "in_consultation", "contact"):
        _move(customer, target)
    db.session.flush()
    return interaction.id


def keep_lead(customer_id, owner, caller):
    """The lead's owner after a call: a lead stays with the rep who works it.

    An owned lead keeps its owner. An unowned one becomes the caller's when the caller is
    a sales rep (:func:`crm.records.sales_reps`), on the customer too, so it stays in their
    ``/leads`` after it becomes a contact and its next tasks open assigned to them.

    :returns: the owner (a username) or ``None``
    """
    if owner or not caller or not sales_reps(caller):
        return owner or None
    customer = case_customer(customer_id)
    if customer is not None and customer.owner is None:
        customer.owner = caller
        db.session.flush()
    return caller


def record_order(customer_id, product, quantity, amount):
    """Write the customer's order and move the customer to ``ordered`` (the "Orders" list).

    :returns: the order's id, or ``None`` when there is no customer
    :raises ForbiddenError: the customer belongs to another case
    """
    customer = case_customer(customer_id)
    if customer is None:
        return None
    unit = current_unit()
    order = Order(customer_id=customer.id, product=product, quantity=int(quantity or 1),
                  amount=Decimal(str(amount)), created_by=step_author(unit),
                  created_at=unit.now if unit is not None else utcnow(),
                  instance_id=unit.instance.id if unit is not None else None)
    db.session.add(order)
    _move(customer, "ordered")
    db.session.flush()
    return order.id


# -- who may start a lead case through POST /process-definitions/lead_handling/instances --

START_FORM = {
    "type": "object",
    "required": ["name", "phone", "source"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "phone": {"type": "string", "minLength": 1, "maxLength": 40},
        "source": {"type": "string", "minLength": 1, "maxLength": 40},
        "owner": {"type": ["string", "null"], "maxLength": 80},
        "customer_id": {"type": "integer"},
        "contact_callback_after": {"type": "string", "maxLength": 40},
    },
}


def check_customer(user, customer_id, access):
    """A start may name a customer the caller may change (``access.may_change_customer``)
    that has no lead case yet; its new case becomes its lead case (:func:`link_customer`).

    :raises ForbiddenError: another's customer, an unknown one, or one that has its case
    """
    customer = db.session.get(Customer, customer_id)
    if customer is None or not access.may_change_customer(user, customer):
        raise ForbiddenError(_("You may not start a case for this customer."),
                             fields={"data.customer_id": _("Not one of your customers.")})
    if customer.instance_id is not None:
        raise ForbiddenError(_("This customer has its lead case already."),
                             fields={"data.customer_id": _("Has its lead case already.")})


def check_owner(_user, owner, _access):
    """The owner a start names gets the call-back bells: an active sales user, as for
    ``POST /leads``.

    :raises ValidationError: anyone else
    """
    if not active_sales(owner):
        message = _("Not an active sales user.")
        raise ValidationError(message, fields={"data.owner": message})


def link_customer(instance, data):
    """Make the new case the lead case of the customer it names (if it still has none)."""
    if data.get("customer_id") is not None:
        db.session.execute(update(Customer).where(Customer.id == data["customer_id"],
                                                  Customer.instance_id.is_(None))
                           .values(instance_id=instance.id).execution_options(synchronize_session=False))
        db.session.commit()


RULES = ProcessRules(PROCESS, Start(roles=OVERSEERS | {"sales"}, form=START_FORM,
                                    records={"customer_id": check_customer, "owner": check_owner},
                                    after_start=link_customer))

NOTIFICATIONS = {"callback_due": callback_text}

HELPERS = {
    "remind_call": remind_call,
    "call_author": call_author,
    "record_call": record_call,
    "keep_lead": keep_lead,
    "record_order": record_order,
}
