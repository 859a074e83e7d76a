"""Correcting an order made without a case (crm.orders): its own audit chain, the same race rule."""
from decimal import Decimal

import pytest

from crm import orders
from crm.models import Customer, Order
from engine import audit
from engine.db import db
from engine.errors import ConflictError
from engine.models import AuditEvent


def caseless_order():
    customer = Customer(name="Lan", phone="+84901234567", source="manual", owner="sales1",
                        created_by="sales1")
    db.session.add(customer)
    db.session.flush()
    order = Order(customer_id=customer.id, product="Kem dưỡng", quantity=3, amount=Decimal("900000"),
                  created_by="sales1")
    db.session.add(order)
    db.session.commit()
    return order.id


def test_an_order_without_a_case_is_corrected_on_a_chain_of_its_own(ctx):
    order_id = caseless_order()
    correction = orders.correct(order_id, {"version": "1", "amount": "1,200,000"}, actor="boss", partial=True)
    assert (correction.kind, correction.before, correction.after) == (
        "order_corrected", {"amount": "900000.00"}, {"amount": "1200000.00"})
    [event] = db.session.query(AuditEvent).filter_by(stream=f"order:{order_id}").all()
    assert (event.kind, event.actor, event.instance_id) == ("order_corrected", "boss", None)
    assert audit.verify(f"order:{order_id}") == []


def test_a_second_correction_on_the_same_version_loses_and_names_the_first(ctx):
    order_id = caseless_order()
    orders.correct(order_id, {"version": 1, "status": "cancelled"}, actor="boss", partial=True)
    with pytest.raises(ConflictError) as lost:
        orders.correct(order_id, {"version": 1, "quantity": 4}, actor="sales1", partial=True)
    assert lost.value.winner == "boss"
    db.session.expire_all()
    row = db.session.get(Order, order_id)
    assert (row.status, row.quantity, row.version) == ("cancelled", 3, 2)
