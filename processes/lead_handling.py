"""Helpers of bpmn/lead_handling.bpmn (seed 003, issue 4): calls and orders written to crm.

They run inside the instance's unit of work (a script task right after a call task),
so the crm rows are committed with the step, or not at all. Each does nothing and
returns ``None`` when the case has no ``customer_id`` (started without a crm
customer: tests, other tools) or the customer does not exist.
"""
from decimal import Decimal

from crm.models import Customer, Interaction, Order
from engine.db import db
from engine.types import utcnow
from engine.unit import current_unit

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


def call_author():
    """The user who completed the task this step continues from (``None`` if none, e.g. a timer)."""
    unit = current_unit()
    if unit is None:
        return None
    if unit.completed:
        return unit.completed[1]
    return None


def customer_of(customer_id):
    """The crm customer a case names, or ``None`` (no ``customer_id``, or no such row)."""
    if customer_id in (None, ""):
        return None
    return db.session.get(Customer, int(customer_id))


def _move(customer, status):
    customer.status = status
    if status in STATUS_KIND:
        customer.kind = STATUS_KIND[status]


def step_author(unit):
    """Who a step's record is by: the user who completed the task it follows, else the unit's actor."""
    return call_author() or (unit.actor if unit is not None else None) or "system"


def record_call(customer_id, outcome, notes=None):
    """Write the call as an interaction of the customer and move its status.

    The first interaction sets ``first_contact_at`` and moves a ``new`` customer to
    ``in_consultation``; then ``reached`` makes it a contact, ``no_need`` /
    ``wrong_number`` (and a contact's ``not_interested`` / ``bought_elsewhere``) close it.
    A closed or ordered customer keeps its status. The author is the user who
    completed the call task.

    :returns: the interaction's id, or ``None`` when there is no customer
    """
    customer = customer_of(customer_id)
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


def record_order(customer_id, product, quantity, amount):
    """Write the customer's order and move the customer to ``ordered`` (the "Orders" list).

    :returns: the order's id, or ``None`` when there is no customer
    """
    customer = customer_of(customer_id)
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


HELPERS = {
    "call_author": call_author,
    "record_call": record_call,
    "record_order": record_order,
}
