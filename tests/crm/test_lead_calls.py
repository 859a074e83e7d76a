"""The lead-handling calls and orders written to crm (processes/lead_handling.py, issue 4)."""
from decimal import Decimal

import pytest
from sqlalchemy import select

import engine
from crm.models import Customer, Interaction, Order
from engine.db import db
from engine.models import HumanTask
from processes.leads import entry as leads
from tests.engine.helpers import complete, instance

LAN = {"name": "Nguyễn Thị Lan", "phone": "0162 123 4567", "owner": "sales1"}
ORDER = {"product": "Liệu trình chăm sóc da 10 buổi", "quantity": 2, "amount": 4_500_000}


def new_lead(**fields):
    result = leads.create_lead({**LAN, **fields}, actor="sales1", source="website")
    return result.customer.id, result.instance.id


def customer(customer_id):
    db.session.expire_all()
    return db.session.get(Customer, customer_id)


def interactions(customer_id):
    db.session.expire_all()
    query = select(Interaction).filter_by(customer_id=customer_id).order_by(Interaction.id)
    return db.session.scalars(query).all()


def orders(customer_id):
    db.session.expire_all()
    return db.session.scalars(select(Order).filter_by(customer_id=customer_id)).all()


def test_the_first_call_moves_the_lead_to_in_consultation_and_records_author_and_notes(deployed):
    customer_id, instance_id = new_lead(owner=None)
    assert (customer(customer_id).status, customer(customer_id).first_contact_at) == ("new", None)
    complete(instance_id, "call_lead", {"outcome": "not_reached", "callback_at": "2099-01-01T09:00:00+07:00",
                                        "notes": "Thuê bao không nghe máy"}, actor="sales2")
    lead = customer(customer_id)
    assert lead.status == "in_consultation" and lead.first_contact_at is not None
    [call] = interactions(customer_id)
    assert (call.channel, call.outcome, call.notes, call.author) == (
        "call", "not_reached", "Thuê bao không nghe máy", "sales2")
    assert call.instance_id == instance_id and call.at == lead.first_contact_at


@pytest.mark.parametrize(("outcome", "status"), [("no_need", "closed_no_need"),
                                                 ("wrong_number", "closed_wrong_number")])
def test_no_need_and_wrong_number_close_the_customer_with_that_status(deployed, outcome, status):
    customer_id, instance_id = new_lead()
    complete(instance_id, "call_lead", {"outcome": outcome, "notes": "Người khác nghe máy"})
    assert instance(instance_id).status == "completed"
    lead = customer(customer_id)
    assert lead.status == status and lead.first_contact_at is not None
    [call] = interactions(customer_id)
    assert (call.outcome, call.notes, call.author) == (outcome, "Người khác nghe máy", "sales1")
    assert orders(customer_id) == []


def test_reached_and_closed_on_the_first_call_creates_an_order_and_moves_the_customer_to_orders(deployed):
    customer_id, instance_id = new_lead()
    complete(instance_id, "call_lead", {"outcome": "reached", "closed_now": True, **ORDER}, actor="sales3")
    lead = customer(customer_id)
    assert (lead.status, lead.kind) == ("ordered", "customer") and lead.first_contact_at is not None
    [order] = orders(customer_id)
    assert (order.product, order.quantity, order.amount, order.currency) == (
        ORDER["product"], 2, Decimal("4500000.00"), "VND")
    assert order.created_by == "sales3" and order.instance_id == instance_id
    [call] = interactions(customer_id)
    assert (call.outcome, call.notes, call.author) == ("reached", None, "sales3")


def contact_case():
    """A customer whose case calls the contact back at once (no 24-hour wait)."""
    lead = Customer(kind="lead", status="new", name="Lan", phone="+84321234567", source="zalo",
                    created_by="sales1")
    db.session.add(lead)
    db.session.commit()
    started = engine.start("lead_handling", actor="intake", data={
        "name": lead.name, "phone": lead.phone, "source": lead.source, "customer_id": lead.id,
        "contact_callback_after": "PT0S"})
    lead.instance_id = started.id  # its lead case, as processes.leads.entry.create_lead links it
    db.session.commit()
    return lead.id, started.id


def test_reached_not_closed_makes_a_contact_and_each_contact_call_is_recorded_until_it_buys(deployed):
    customer_id, instance_id = contact_case()
    complete(instance_id, "call_lead", {"outcome": "reached", "closed_now": False, "notes": "Muốn suy nghĩ"})
    lead = customer(customer_id)
    assert (lead.status, lead.kind) == ("contact", "contact")
    first_contact = lead.first_contact_at
    complete(instance_id, "call_contact", {"contact_status": "busy", "next_call_at": "2099-01-01T09:00:00Z"},
             actor="sales2")
    lead = customer(customer_id)
    assert (lead.status, lead.first_contact_at) == ("contact", first_contact)
    assert [(c.outcome, c.notes, c.author) for c in interactions(customer_id)] == [
        ("reached", "Muốn suy nghĩ", "sales1"), ("busy", None, "sales2")]
    assert orders(customer_id) == []


@pytest.mark.parametrize("status", ["not_interested", "bought_elsewhere"])
def test_a_contact_that_no_longer_needs_it_is_closed_no_need(deployed, status):
    customer_id, instance_id = contact_case()
    complete(instance_id, "call_lead", {"outcome": "reached", "closed_now": False})
    complete(instance_id, "call_contact", {"contact_status": status, "notes": "Không gọi nữa"})
    assert customer(customer_id).status == "closed_no_need"
    assert interactions(customer_id)[-1].notes == "Không gọi nữa"


def test_a_contact_that_buys_gets_its_order(deployed):
    customer_id, instance_id = contact_case()
    complete(instance_id, "call_lead", {"outcome": "reached", "closed_now": False})
    complete(instance_id, "call_contact", {"contact_status": "bought", **ORDER, "notes": "Chốt đơn"})
    assert instance(instance_id).status == "completed"
    assert (customer(customer_id).status, customer(customer_id).kind) == ("ordered", "customer")
    [order] = orders(customer_id)
    assert order.amount == Decimal("4500000") and order.quantity == 2
    assert [c.outcome for c in interactions(customer_id)] == ["reached", "bought"]


def test_a_case_without_customer_id_writes_nothing_to_crm(deployed):
    started = engine.start("lead_handling", actor="intake", data={
        "name": "Lan", "phone": "+84321234567", "source": "facebook"})
    complete(started.id, "call_lead", {"outcome": "reached", "closed_now": True, **ORDER})
    assert instance(started.id).status == "completed"
    assert db.session.query(Interaction).count() == 0 and db.session.query(Order).count() == 0


def test_an_unowned_lead_call_task_is_in_the_queue_for_any_sales_user(deployed):
    customer_id, instance_id = new_lead(owner=None)
    db.session.expire_all()
    task = db.session.scalars(select(HumanTask).filter_by(instance_id=instance_id, state="open")).one()
    assert (task.element_id, task.assignee, task.candidate_role) == ("call_lead", None, "sales")
    assert customer(customer_id).owner is None
