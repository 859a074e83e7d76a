"""Loan referrals over the API (seed 000, issue 6): products and stars, submitting, the
caller's own referrals with history, cross-sell answers, commissions; referrers only,
each seeing only their own."""
from datetime import date
from decimal import Decimal

import pytest

from engine.db import db
from engine.models import Outbox, ProcessInstance
from processes.referrals import helpers as procedure
from processes.referrals.models import Commission, CommissionPolicy, Referral
from tests.api.conftest import error_of
from tests.engine.helpers import complete, open_tasks
from tests.referral_data import CONSULTANT_PHONES, catalogue, deploy_procedure, referral_form
from workers import delivery


@pytest.fixture
def shop(users):
    """The catalogue, consultant1..3 and partner2 besides the API users (partner1 among them)."""
    return catalogue()


def submitted(actor, product_id, **changes):
    return procedure.submit_referral(referral_form(product_id, **changes), actor=actor)


def fresh(referral_id):
    db.session.expire_all()
    return db.session.get(Referral, referral_id)


def paid_commission(row, product_id, amount):
    policy = db.session.query(CommissionPolicy).filter_by(product_id=product_id).first()
    row.state = "disbursed"
    db.session.add(Commission(referral_id=row.id, referrer=row.referrer, product_id=product_id,
                              policy_id=policy.id, rate_percent=policy.rate_percent,
                              base_amount=row.amount, amount=Decimal(amount), earned_on=date(2025, 5, 1)))
    db.session.commit()


@pytest.mark.parametrize("method, path", [
    ("GET", "/lending/products"), ("GET", "/lending/stars?company_id=1"), ("POST", "/referrals"),
    ("GET", "/referrals"), ("GET", "/referrals/1"), ("POST", "/referrals/1/cross-sell"),
    ("GET", "/commissions"),
])
def test_every_referral_route_is_for_referrers_only(shop, api, method, path):
    for username in ("sales1", "manager", "admin", "auditor", "customer1"):
        error_of(api(username).open(method, path, json={}), 403)
    error_of(api(None).open(method, path, json={}), 401)


def test_products_are_listed_with_their_company_and_limits(shop, api):
    items = api("partner1").get("/lending/products").get_json()["items"]
    cash = next(item for item in items if item["id"] == shop.cash_loan)
    assert cash["company"] == {"id": shop.fe_credit, "code": "fe_credit", "name": "FE Credit"}
    assert (cash["min_amount"], cash["max_amount"]) == ("10000000.00", "70000000.00")
    assert (cash["min_term_months"], cash["max_term_months"]) == (6, 36)
    assert {item["id"] for item in items} == {shop.cash_loan, shop.consumer_loan, shop.card}


def test_the_stars_of_a_company_are_its_best_available_consultants(shop, api):
    caller = api("partner1")
    stars = caller.get(f"/lending/stars?company_id={shop.home_credit}").get_json()["items"]
    assert [s["username"] for s in stars] == ["consultant2", "consultant3"]
    assert stars[0]["phone"] == CONSULTANT_PHONES["consultant2"] and stars[0]["rate"] == 0.5
    error_of(caller.get("/lending/stars?company_id=999"), 404)
    assert "company_id" in error_of(caller.get("/lending/stars"), 422)["fields"]


def test_a_referral_is_created_in_progress_with_its_case_asked_for(shop, api):
    response = api("partner1").post("/referrals", json=referral_form(shop.cash_loan, cross_sell_consent=True,
                                                                     amount=30_000_000))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/referrals/{body['id']}"
    assert (body["state"], body["phone"], body["amount"], body["cross_sell_consent"]) == (
        "in_progress", "+84912345678", "30000000.00", True)
    assert body["product"]["company"]["code"] == "fe_credit"
    assert fresh(body["id"]).referrer == "partner1"
    [start] = db.session.query(Outbox).filter_by(channel="start").all()
    assert start.params["data"] == {"referral_id": body["id"]}


@pytest.mark.parametrize("field, changes", [
    ("customer_name", {"customer_name": ""}),
    ("phone", {"phone": "12"}),
    ("national_id", {"national_id": "12ab"}),
    ("product_id", {"product_id": 999}),
    ("product_id", {"product_id": "abc"}),
    ("customer_status", {"customer_status": "astronaut"}),
    ("amount", {"amount": "100"}),
    ("term_months", {"term_months": 99}),
    ("consultant_choice", {"consultant_choice": "psychic"}),
    ("consultant_phone", {"consultant_choice": "phone", "consultant_phone": None}),
    ("cross_sell_consent", {"cross_sell_consent": "yes"}),
    ("cross_sell_consent", {"cross_sell_consent": None}),
    ("cross_sell_consent", {"cross_sell_consent": 1}),
    ("colour", {"colour": "blue"}),
])
def test_each_bad_field_is_named_in_a_422_and_nothing_is_stored(shop, api, field, changes):
    body = {**referral_form(shop.cash_loan), **changes}
    error = error_of(api("partner1").post("/referrals", json=body), 422)
    assert field in error["fields"]
    assert db.session.query(Referral).count() == 0 and db.session.query(Outbox).count() == 0


def test_a_missing_consent_is_reported_with_the_other_missing_fields(shop, api):
    error = error_of(api("partner1").post("/referrals", json={}), 422)
    assert {"customer_name", "phone", "product_id", "cross_sell_consent"} <= set(error["fields"])


def test_a_second_referral_of_the_same_customer_is_a_409_naming_who_holds_it(shop, api):
    submitted("partner1", shop.cash_loan)
    error = error_of(api("partner2").post("/referrals", json=referral_form(shop.consumer_loan,
                                                                           phone="+84912345678")), 409)
    assert error["winner"] == "partner1" and "phone" in error["fields"]
    assert db.session.query(Referral).count() == 1


def test_a_referrer_lists_and_reads_only_their_own_referrals(shop, api):
    mine = submitted("partner1", shop.cash_loan, phone="0912000001")
    closed = submitted("partner1", shop.cash_loan, phone="0912000003")
    closed.state = "failed"
    theirs = submitted("partner2", shop.consumer_loan, phone="0912000002")
    db.session.commit()
    caller = api("partner1")
    listed = caller.get("/referrals").get_json()
    assert [r["id"] for r in listed["items"]] == [closed.id, mine.id] and listed["total"] == 2
    in_progress = caller.get("/referrals?state=in_progress").get_json()
    assert [r["id"] for r in in_progress["items"]] == [mine.id] and in_progress["total"] == 1
    error_of(caller.get("/referrals?state=lost"), 422)
    error_of(caller.get(f"/referrals/{theirs.id}"), 404)
    error_of(caller.get("/referrals/99999"), 404)
    assert [r["id"] for r in api("partner2").get("/referrals").get_json()["items"]] == [theirs.id]


def test_a_referral_comes_with_its_history_and_commission(shop, api):
    row = submitted("partner1", shop.cash_loan)
    paid_commission(row, shop.cash_loan, 750_000)
    body = api("partner1").get(f"/referrals/{row.id}").get_json()
    [event] = body["history"]
    assert (event["kind"], event["actor"], event["before"]) == ("referral_submitted", "partner1", None)
    assert event["after"]["product"] == "cash_loan" and event["at"] and event["text"]
    assert body["commission"]["amount"] == "750000.00" and body["commission"]["state"] == "pending"


def test_a_cross_sell_answer_must_be_a_boolean_for_an_own_open_request(shop, api):
    mine = submitted("partner1", shop.cash_loan, phone="0912000001")
    theirs = submitted("partner2", shop.cash_loan, phone="0912000002")
    theirs.cross_sell_state = "requested"
    db.session.commit()
    caller = api("partner1")
    for body, field in (({"approved": "yes"}, "approved"), ({"approved": 1}, "approved"), ({}, "approved"),
                        ({"approved": True, "extra": 1}, "extra")):
        assert field in error_of(caller.post(f"/referrals/{mine.id}/cross-sell", json=body), 422)["fields"]
    error_of(caller.post(f"/referrals/{theirs.id}/cross-sell", json={"approved": True}), 404)
    assert fresh(theirs.id).cross_sell_state == "requested"
    error_of(caller.post(f"/referrals/{mine.id}/cross-sell", json={"approved": True}), 409)


def test_commissions_are_the_callers_own_with_totals(shop, api):
    mine = submitted("partner1", shop.cash_loan, phone="0912000001")
    theirs = submitted("partner2", shop.consumer_loan, phone="0912000002")
    paid_commission(mine, shop.cash_loan, 750_000)
    paid_commission(theirs, shop.consumer_loan, 900_000)
    body = api("partner1").get("/commissions").get_json()
    assert [c["referral_id"] for c in body["items"]] == [mine.id]
    assert (body["earned"], body["pending"], body["paid"]) == ("750000.00", "750000.00", "0.00")
    assert body["items"][0]["product"]["code"] == "cash_loan" and body["items"][0]["rate_percent"] == "2.500"


def test_the_openapi_document_describes_the_referral_routes(shop, api):
    paths = api(None).get("/openapi.json").get_json()["paths"]
    for path in ("/api/v1/lending/products", "/api/v1/lending/stars", "/api/v1/referrals",
                 "/api/v1/referrals/{referral_id}", "/api/v1/referrals/{referral_id}/cross-sell",
                 "/api/v1/commissions"):
        assert path in paths
    assert set(paths["/api/v1/referrals"]["post"]["responses"]) >= {"201", "403", "409", "422"}


# --- with the case running (bpmn/loan_referral.bpmn) -----------------------------------

def test_an_allowed_cross_sell_reaches_the_running_case_once(shop, api):
    deploy_procedure()
    created = api("partner1").post("/referrals", json=referral_form(shop.cash_loan)).get_json()
    [ask] = db.session.query(Outbox).filter_by(channel="start").all()
    assert delivery.deliver(ask.id) == "sent"
    case = db.session.query(ProcessInstance).filter_by(business_key=f"referral:{created['id']}").one()
    consultant = open_tasks(case.id)["accept_referral"].assignee
    complete(case.id, "accept_referral", {"decision": "accept"}, actor=consultant)
    complete(case.id, "work_referral", {"result": "not_eligible", "amount": 30_000_000, "term_months": 12,
                                        "cross_sell_product_id": str(shop.consumer_loan)}, actor=consultant)
    caller = api("partner1")
    assert caller.get(f"/referrals/{created['id']}").get_json()["cross_sell_state"] == "requested"
    error_of(api("partner2").post(f"/referrals/{created['id']}/cross-sell", json={"approved": True}), 404)
    answered = caller.post(f"/referrals/{created['id']}/cross-sell", json={"approved": True})
    assert answered.status_code == 200, answered.get_data(as_text=True)
    assert answered.get_json()["cross_sell_state"] == "approved"
    assert answered.get_json()["cross_sell_product"]["id"] == shop.consumer_loan
    error_of(caller.post(f"/referrals/{created['id']}/cross-sell", json={"approved": False}), 409)
    kinds = [e["kind"] for e in caller.get(f"/referrals/{created['id']}").get_json()["history"]]
    assert kinds[-2:] == ["cross_sell_approved", "cross_sell_started"]
