"""The partners' commissions over /api/v1 (issue 15, step 12): the deal's ``commission``, the
list with totals (a partner sees only their own), an admin paying once (the second a 409
naming who paid), every refusal a 403/404/422 and never a 500."""
import pytest

from accounts import service
from engine.db import db
from processes.broker.commission_models import Commission
from tests.api.conftest import error_of
from tests.broker_data import deploy, people, product, to_commission
from tests.engine.helpers import complete


@pytest.fixture
def settings(settings):
    return {**settings, "TASKLANE_TEST_HOOKS": True}


@pytest.fixture
def earned(app, users):
    """Three earned commissions: partner1's of 10 and 4 million roubles, partner2's of 2."""
    with app.test_request_context():
        people()
        service.add_user("admin2", "secret-1", ["admin"], email="admin2@example.test", locale="ru")
        db.session.commit()
        product_id = product()
        deploy()
        ids = {}
        for name, partner, approved in (("big", "partner1", 10_000_000), ("small", "partner1", 4_000_000),
                                        ("other", "partner2", 2_000_000)):
            deal_id, case = to_commission(product_id, partner=partner, approved_amount=approved)
            complete(case, "commission", {"payment_received": True, "act_signed": True}, actor="analyst1")
            ids[name] = deal_id
    return ids


def commission_id(deal_id):
    return db.session.query(Commission).filter_by(deal_id=deal_id).one().id


def test_the_deal_shows_its_commission_rate_amount_and_state(api, earned):
    body = api("partner1").get(f"/deals/{earned['big']}").get_json()
    commission = body["commission"]
    assert (commission["rate_percent"], commission["amount"]) == ("2.500", "250000.00")
    assert commission["state"] == "earned"
    assert commission["base_amount"] == "10000000.00" and commission["currency"] == "RUB"
    assert body["approved_amount"] == "10000000.00" and body["state"] == "completed"
    assert body["payment_received_at"] and body["act_signed_at"]
    kinds = [event["kind"] for event in body["history"]]
    assert "commission_earned" in kinds


def test_a_partner_lists_only_their_own_commissions_with_their_totals(api, earned):
    body = api("partner1").get("/deals/commissions?partner=partner2").get_json()
    assert {item["deal_id"] for item in body["items"]} == {earned["big"], earned["small"]}
    assert body["total"] == 2
    assert body["totals"] == {"earned": "350000.00", "pending": "350000.00", "paid": "0.00",
                              "currency": "RUB"}
    other = api("partner2").get("/deals/commissions").get_json()
    assert [item["deal_id"] for item in other["items"]] == [earned["other"]]
    assert other["items"][0]["company_name"] == "ООО «Ромашка»"


def test_the_team_lists_every_partners_commissions_and_filters_by_partner(api, earned):
    everyone = api("analyst1").get("/deals/commissions").get_json()
    assert everyone["total"] == 3 and everyone["totals"]["earned"] == "400000.00"
    one = api("admin").get("/deals/commissions?partner=partner2").get_json()
    assert [item["partner"] for item in one["items"]] == ["partner2"]
    assert one["totals"]["earned"] == "50000.00"


def test_an_admin_pays_once_and_the_second_admin_gets_409_naming_who_paid(api, earned):
    target = commission_id(earned["big"])
    response = api("admin").post(f"/deals/commissions/{target}/pay")
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["state"], response.get_json()["paid_by"]) == ("paid", "admin")
    error = error_of(api("admin2").post(f"/deals/commissions/{target}/pay"), 409)
    assert error["winner"] == "admin" and "admin" in error["message"]
    totals = api("partner1").get("/deals/commissions").get_json()["totals"]
    assert totals == {"earned": "350000.00", "pending": "100000.00", "paid": "250000.00", "currency": "RUB"}
    paid = api("partner1").get("/deals/commissions?state=paid").get_json()
    assert [item["deal_id"] for item in paid["items"]] == [earned["big"]]
    assert api("partner1").get(f"/deals/{earned['big']}").get_json()["commission"]["state"] == "paid"


def test_only_an_admin_pays_and_an_unknown_commission_is_404(api, earned):
    target = commission_id(earned["big"])
    for who in ("partner1", "analyst1", "manager"):
        assert error_of(api(who).post(f"/deals/commissions/{target}/pay"), 403)
    assert error_of(api("admin").post("/deals/commissions/999999/pay"), 404)
    assert db.session.get(Commission, target).state == "earned"


def test_outsiders_are_refused_and_bad_filters_are_422(api, earned):
    for who in ("sales1", "customer1"):
        assert error_of(api(who).get("/deals/commissions"), 403)
    error = error_of(api("admin").get("/deals/commissions?state=owed&per_page=0"), 422)
    assert set(error["fields"]) == {"state", "per_page"}


def test_another_partners_deal_and_its_commission_stay_hidden(api, earned):
    assert error_of(api("partner2").get(f"/deals/{earned['big']}"), 404)
