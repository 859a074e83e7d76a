"""A customer's orders on the pages (issue 13): listed on the customer's page in the reader's
language and money, corrected through the order's form by the owner, refused to others."""
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time

import engine
from accounts import service
from crm.models import Order
from engine.db import db
from engine.models import AuditEvent
from processes.leads import entry as leads
from tests.conftest import ROOT
from tests.engine.helpers import complete
from tests.web.conftest import post

SALE = {"outcome": "reached", "closed_now": True, "product": "Liệu trình chăm sóc da 10 buổi",
        "quantity": 1, "amount": 4_500_000}
# The order's form as it comes, filled with the stored values (typed as a Vietnamese reader types them).
FORM = {"product": SALE["product"], "quantity": "1", "amount": "4.500.000", "status": "placed",
        "version": "1"}


@pytest.fixture
def deployed(app, users):
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles=service.role_names())
    db.session.commit()


def sold(owner="sales1"):
    """``(customer_id, instance_id, order_id)`` of a lead of ``owner`` who bought on the first call."""
    result = leads.create_lead({"name": "Nguyễn Gia Khương", "phone": "0903456789", "owner": owner},
                               actor="manager", source="website")
    complete(result.instance.id, "call_lead", SALE, actor=owner)
    order = db.session.query(Order).filter_by(customer_id=result.customer.id).one()
    return result.customer.id, result.instance.id, order.id


def stored(order_id):
    db.session.expire_all()
    return db.session.get(Order, order_id)


def row_of(html, order_id):
    return re.search(rf'<tr data-order="{order_id}".*?</tr>', html, re.S).group(0)


def test_the_customer_page_lists_the_order_in_vietnamese_with_dong_and_the_makers_name(deployed, sign_in):
    customer_id, _case, order_id = sold()
    html = sign_in("sales1").get(f"/pipeline/{customer_id}").get_data(as_text=True)
    assert "Đơn hàng" in html
    row = row_of(html, order_id)
    assert "4.500.000\xa0₫" in row and SALE["product"] in row
    assert "Nguyễn Văn An" in row                          # sales1's name, not the username
    assert 'data-status="placed"' in row and "Đã đặt" in row
    made = stored(order_id).created_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))   # sales1's zone
    assert f"{format_date(made, 'medium', locale='vi')} {format_time(made, 'short', locale='vi')}" in row
    assert f"/orders/{order_id}/edit" in row


def test_an_auditor_sees_the_order_in_english_but_no_correct_button(deployed, sign_in):
    customer_id, _case, order_id = sold()
    row = row_of(sign_in("auditor").get(f"/pipeline/{customer_id}").get_data(as_text=True), order_id)
    assert "₫4,500,000" in row and "Placed" in row and f"/orders/{order_id}/edit" not in row


def test_the_owner_corrects_the_order_through_its_form_and_the_case_timeline_shows_it(deployed, sign_in):
    customer_id, instance_id, order_id = sold()
    client = sign_in("sales1")
    form = client.get(f"/orders/{order_id}/edit").get_data(as_text=True)
    assert 'value="4.500.000"' in form and 'name="version" value="1"' in form
    corrected = {**FORM, "product": "Liệu trình 20 buổi", "quantity": "2", "amount": "9.000.000"}
    response = post(client, f"/orders/{order_id}/edit", corrected)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/pipeline/{customer_id}#orders")
    row = stored(order_id)
    assert (row.product, row.quantity, row.amount, row.version, row.updated_by) == (
        "Liệu trình 20 buổi", 2, Decimal("9000000.00"), 2, "sales1")
    page = client.get(f"/pipeline/{customer_id}").get_data(as_text=True)
    assert "9.000.000\xa0₫" in row_of(page, order_id) and "Nguyễn Văn An" in row_of(page, order_id)
    case = client.get(f"/cases/{instance_id}").get_data(as_text=True)
    assert 'data-kind="order_corrected"' in case and "Đã sửa đơn hàng" in case


def test_a_cancel_through_the_form_is_shown_as_cancelled(deployed, sign_in):
    customer_id, instance_id, order_id = sold()
    client = sign_in("manager")
    response = post(client, f"/orders/{order_id}/edit", {**FORM, "status": "cancelled"})
    assert response.status_code == 302
    assert stored(order_id).status == "cancelled"
    row = row_of(client.get(f"/pipeline/{customer_id}").get_data(as_text=True), order_id)
    assert 'data-status="cancelled"' in row and "Đã hủy" in row
    kinds = [e.kind for e in db.session.query(AuditEvent).filter_by(instance_id=instance_id)]
    assert kinds[-1] == "order_cancelled"


def test_bad_values_mark_each_field_and_change_nothing(deployed, sign_in):
    _customer, _case, order_id = sold()
    response = post(sign_in("sales1"), f"/orders/{order_id}/edit", {
        "product": "", "quantity": "hai", "amount": "nhiều", "status": "placed", "version": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count("is-invalid") == 3 and "Trường này là bắt buộc." in html and 'value="hai"' in html
    assert (stored(order_id).quantity, stored(order_id).version) == (1, 1)


def test_a_form_posted_on_an_old_version_is_409_naming_who_corrected_it(deployed, sign_in):
    _customer, _case, order_id = sold()
    values = {**FORM, "quantity": "3"}
    assert post(sign_in("manager"), f"/orders/{order_id}/edit", values).status_code == 302
    late = post(sign_in("sales1"), f"/orders/{order_id}/edit", {**values, "quantity": "5"})
    assert late.status_code == 409 and "Đơn hàng vừa được manager sửa." in late.get_data(as_text=True)
    assert 'name="version" value="2"' in late.get_data(as_text=True)
    assert stored(order_id).quantity == 3


@pytest.mark.parametrize("username", ["sales2", "auditor"])
def test_another_rep_and_an_auditor_may_not_correct_and_nothing_changes(deployed, sign_in, username):
    _customer, _case, order_id = sold()
    client = sign_in(username)
    assert client.get(f"/orders/{order_id}/edit").status_code == 403
    refused = post(client, f"/orders/{order_id}/edit", {
        "product": "x", "quantity": "9", "amount": "1", "status": "cancelled", "version": "1"})
    assert refused.status_code == 403
    assert (stored(order_id).status, stored(order_id).version) == ("placed", 1)
