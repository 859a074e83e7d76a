"""A customer's orders over the API (issue 13): listed with the customer, corrected by the
customer's owner or a manager, refused to others, checked field by field, audited, raced."""
from decimal import Decimal

import pytest

import engine
from accounts import service
from crm.models import Order
from engine.db import db
from engine.models import AuditEvent
from processes.leads import entry as leads
from tests.api.conftest import error_of
from tests.conftest import ROOT
from tests.engine.helpers import complete

SALE = {"outcome": "reached", "closed_now": True, "product": "Liệu trình chăm sóc da 10 buổi",
        "quantity": 1, "amount": 4_500_000}


@pytest.fixture
def deployed(users):
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles=service.role_names())
    db.session.commit()


def sold(owner="sales1", phone="0903456789"):
    """A lead of ``owner`` who bought on the first call: ``(customer_id, instance_id, order_id)``."""
    result = leads.create_lead({"name": "Nguyễn Gia Khương", "phone": phone, "owner": owner}, actor="manager",
                               source="website")
    complete(result.instance.id, "call_lead", SALE, actor=owner)
    order = db.session.query(Order).filter_by(customer_id=result.customer.id).one()
    return result.customer.id, result.instance.id, order.id


def stored(order_id):
    db.session.expire_all()
    return db.session.get(Order, order_id)


def order_events(instance_id):
    db.session.expire_all()
    return (db.session.query(AuditEvent).filter(AuditEvent.instance_id == instance_id,
                                                AuditEvent.kind.in_(("order_corrected", "order_cancelled")))
            .order_by(AuditEvent.seq).all())


def test_a_customer_is_read_with_its_orders(api, deployed):
    customer_id, instance_id, order_id = sold()
    body = api("sales1").get(f"/customers/{customer_id}").get_json()
    assert body["id"] == customer_id and body["status"] == "ordered" and body["owner"] == "sales1"
    [order] = body["orders"]
    assert order == {
        "id": order_id, "customer_id": customer_id, "product": SALE["product"], "quantity": 1,
        "amount": "4500000.00", "currency": "VND", "status": "placed", "created_at": order["created_at"],
        "created_by": "sales1", "instance_id": instance_id, "version": 1, "updated_at": None,
        "updated_by": None}
    assert order["created_at"].endswith("+00:00")
    assert api("auditor").get(f"/customers/{customer_id}").status_code == 200


def test_another_reps_customer_and_an_unknown_one_are_refused(api, deployed):
    customer_id, _case, _order = sold(owner="sales2")
    assert error_of(api("sales1").get(f"/customers/{customer_id}"), 403)["code"] == "forbidden"
    assert error_of(api("partner1").get(f"/customers/{customer_id}"), 403)
    assert error_of(api("sales1").get("/customers/999999"), 404)["code"] == "not_found"


def test_the_owner_corrects_an_order_and_the_case_trail_has_old_and_new_values(api, deployed):
    _customer, instance_id, order_id = sold()
    response = api("sales1").open("PATCH", f"/orders/{order_id}",
                                  json={"version": 1, "quantity": 2, "amount": "9.000.000"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["quantity"], body["amount"], body["version"], body["updated_by"]) == (
        2, "9000000.00", 2, "sales1")
    row = stored(order_id)
    assert (row.quantity, row.amount, row.product, row.status) == (2, Decimal("9000000.00"), SALE["product"],
                                                                   "placed")
    [event] = order_events(instance_id)
    assert (event.kind, event.actor) == ("order_corrected", "sales1")
    assert event.data_before == {"quantity": 1, "amount": "4500000.00"}
    assert event.data_after == {"quantity": 2, "amount": "9000000.00"}
    assert event.details["order_id"] == order_id
    history = api("sales1").get(f"/instances/{instance_id}/history?per_page=100").get_json()["items"]
    assert history[-1]["kind"] == "order_corrected"
    assert engine.audit.verify(f"instance:{instance_id}") == []


def test_a_manager_cancels_an_order_and_the_cancel_is_its_own_event(api, deployed):
    _customer, instance_id, order_id = sold()
    response = api("manager").open("PATCH", f"/orders/{order_id}", json={"version": 1, "status": "cancelled"})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    [event] = order_events(instance_id)
    assert (event.kind, event.actor, event.data_before, event.data_after) == (
        "order_cancelled", "manager", {"status": "placed"}, {"status": "cancelled"})


@pytest.mark.parametrize("username", ["sales2", "auditor", "partner1", "owner"])
def test_others_may_not_correct_an_order_and_nothing_changes(api, deployed, username):
    _customer, instance_id, order_id = sold()
    refused = api(username).open("PATCH", f"/orders/{order_id}", json={"version": 1, "status": "cancelled"})
    assert error_of(refused, 403)["code"] == "forbidden"
    row = stored(order_id)
    assert (row.status, row.version) == ("placed", 1) and order_events(instance_id) == []


def test_bad_values_are_422_naming_each_field_and_nothing_changes(api, deployed):
    _customer, instance_id, order_id = sold()
    refused = api("sales1").open("PATCH", f"/orders/{order_id}", json={
        "version": 1, "product": "  ", "quantity": 0, "amount": "-5", "status": "lost"})
    fields = error_of(refused, 422)["fields"]
    assert fields == {   # in sales1's language, Vietnamese
        "product": "Trường này là bắt buộc.", "quantity": "Nhập số nguyên từ 1 đến 1000000.",
        "amount": "Tối thiểu là 0.", "status": "Chọn một trong các lựa chọn có sẵn."}
    assert error_of(api("sales1").open("PATCH", f"/orders/{order_id}", json={"status": "cancelled"}), 422)[
        "fields"] == {"version": "Trường này là bắt buộc."}
    unknown = api("sales1").open("PATCH", f"/orders/{order_id}", json={"version": 1, "price": 1})
    assert set(error_of(unknown, 422)["fields"]) == {"price"}
    row = stored(order_id)
    assert (row.product, row.quantity, row.amount, row.status, row.version) == (
        SALE["product"], 1, Decimal("4500000.00"), "placed", 1)
    assert order_events(instance_id) == []


def test_a_correction_made_on_an_old_version_is_409_naming_who_corrected_it(api, deployed):
    _customer, instance_id, order_id = sold()
    first = api("manager").open("PATCH", f"/orders/{order_id}", json={"version": 1, "quantity": 3})
    assert first.status_code == 200
    late = api("sales1").open("PATCH", f"/orders/{order_id}", json={"version": 1, "quantity": 5})
    error = error_of(late, 409)
    assert error["code"] == "conflict" and error["winner"] == "manager"
    assert stored(order_id).quantity == 3 and len(order_events(instance_id)) == 1


def test_sending_the_stored_values_changes_and_audits_nothing(api, deployed):
    _customer, instance_id, order_id = sold()
    same = api("sales1").open("PATCH", f"/orders/{order_id}",
                              json={"version": 1, "product": SALE["product"], "amount": 4500000})
    assert same.status_code == 200 and same.get_json()["version"] == 1
    assert order_events(instance_id) == []


def test_an_unknown_order_is_404(api, deployed):
    assert error_of(api("manager").open("PATCH", "/orders/999999", json={"version": 1}), 404)
