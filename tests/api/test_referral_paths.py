"""bpmn/loan_referral.bpmn driven through the REST API alone, as an outside client would:
the referrer's token submits and answers, each consultant's token finds their task in
``GET /tasks`` and completes it; every end of the diagram is reached."""
import pytest

from engine.db import db
from engine.models import Outbox
from processes.referrals.models import Commission
from tests.referral_data import catalogue, deploy_procedure, referral_form
from workers import delivery


@pytest.fixture
def shop(users):
    products = catalogue()
    deploy_procedure()
    return products


def refer(api, product_id, **changes):
    response = api("partner1").post("/referrals", json=referral_form(product_id, **changes))
    assert response.status_code == 201, response.get_data(as_text=True)
    for row in db.session.query(Outbox).filter_by(channel="start", state="pending"):
        delivery.deliver(row.id)   # what the worker does
    return response.get_json()["id"]


def my_task(api, consultant, element):
    """The consultant's one open task of that kind, found as their inbox lists it."""
    listed = api(consultant).get("/tasks?tab=mine").get_json()
    found = [t for t in listed["items"] if t["element_id"] == element]
    assert len(found) == 1, listed
    return found[0]["id"]


def do(api, consultant, element, data):
    task_id = my_task(api, consultant, element)
    response = api(consultant).post(f"/tasks/{task_id}/complete", json={"data": data})
    assert response.status_code == 200, response.get_data(as_text=True)


def work(api, consultant, result, **values):
    data = {"result": result, "amount": 30_000_000, "term_months": 12, **values}
    do(api, consultant, "work_referral", data)


def state(api, referral_id):
    return api("partner1").get(f"/referrals/{referral_id}").get_json()


def test_accepted_and_disbursed_earns_the_commission_shown_to_the_referrer(shop, api):
    referral_id = refer(api, shop.cash_loan)
    do(api, "consultant1", "accept_referral", {"decision": "accept"})
    work(api, "consultant1", "disbursed", disbursed_amount=20_000_000)
    assert state(api, referral_id)["state"] == "disbursed"
    commissions = api("partner1").get("/commissions").get_json()
    assert [c["amount"] for c in commissions["items"]] == ["500000.00"]


def test_handed_back_then_accepted_by_the_next_consultant_and_rejected(shop, api):
    referral_id = refer(api, shop.cash_loan)
    do(api, "consultant1", "accept_referral", {"decision": "hand_back", "reason": "Quá tải"})
    do(api, "consultant2", "accept_referral", {"decision": "accept"})
    work(api, "consultant2", "rejected", note="Lịch sử tín dụng xấu")
    assert state(api, referral_id)["state"] == "failed"
    assert api("consultant1").get("/tasks?tab=mine").get_json()["items"] == []


def test_a_hand_back_without_a_reason_is_refused_by_the_form(shop, api):
    refer(api, shop.cash_loan)
    task_id = my_task(api, "consultant1", "accept_referral")
    refused = api("consultant1").post(f"/tasks/{task_id}/complete", json={"data": {"decision": "hand_back"}})
    assert refused.status_code == 422
    assert my_task(api, "consultant1", "accept_referral") == task_id


def test_a_cross_sell_product_not_offered_by_the_case_is_refused_by_the_form(shop, api):
    refer(api, shop.cash_loan, cross_sell_consent=True)
    do(api, "consultant1", "accept_referral", {"decision": "accept"})
    task_id = my_task(api, "consultant1", "work_referral")
    refused = api("consultant1").post(f"/tasks/{task_id}/complete", json={"data": {
        "result": "not_eligible", "amount": 30_000_000, "term_months": 12, "cross_sell_product_id": "999"}})
    assert refused.status_code == 422


@pytest.mark.parametrize("consent, answer, end", [
    (True, None, "disbursed"),      # consent given: the cross-sell starts at once
    (False, True, "disbursed"),     # asked, allowed
    (False, False, "failed"),       # asked, refused
])
def test_not_eligible_with_another_product(shop, api, consent, answer, end):
    referral_id = refer(api, shop.cash_loan, cross_sell_consent=consent)
    do(api, "consultant1", "accept_referral", {"decision": "accept"})
    work(api, "consultant1", "not_eligible", cross_sell_product_id=str(shop.consumer_loan))
    if answer is not None:
        assert state(api, referral_id)["cross_sell_state"] == "requested"
        answered = api("partner1").post(f"/referrals/{referral_id}/cross-sell", json={"approved": answer})
        assert answered.status_code == 200
    if end == "disbursed":
        work(api, "consultant1", "disbursed", disbursed_amount=10_000_000)
    assert state(api, referral_id)["state"] == end
    commissions = db.session.query(Commission).all()
    assert [c.product_id for c in commissions] == ([shop.consumer_loan] if end == "disbursed" else [])


def test_not_eligible_without_another_product_fails(shop, api):
    referral_id = refer(api, shop.cash_loan, cross_sell_consent=True)
    do(api, "consultant1", "accept_referral", {"decision": "accept"})
    work(api, "consultant1", "not_eligible")
    assert state(api, referral_id)["state"] == "failed"
