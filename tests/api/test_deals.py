"""/api/v1/deals (issue 15) alone: products, registering a deal, reading one's own deals
(another partner's is a 404), uploading documents; every bad field a 422 naming it, in the
reader's language, never a 500."""
import pytest

from engine.db import db
from processes.broker.models import Deal, DealDocument
from tests.api.conftest import error_of
from tests.broker_data import DEAL, deploy, pdf, people, product


@pytest.fixture
def shop(app, users):
    with app.test_request_context():
        people()
        product_id = product()
        deploy()
    return product_id


def register(api, product_id, who="partner1", **changes):
    response = api(who).post("/deals", json={**DEAL, "product_id": product_id, **changes})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response


def test_the_products_list_names_products_checklists_and_questions_in_the_readers_language(api, shop):
    body = api("partner1").get("/deals/products", headers={"Accept-Language": "ru"}).get_json()
    [item] = body["items"]
    assert item["name"] == "Оборотный кредит"
    assert [c["code"] for c in item["checklist"]] == ["bank_statements", "balance_sheet", "passports"]
    assert item["questions"][0]["text"] == "Есть ли залог?"
    assert api("analyst1").get("/deals/products").status_code == 200
    assert api("sales1").get("/deals/products").status_code == 403


def test_registering_a_deal_answers_201_with_its_location_step_and_missing_documents(api, shop):
    response = register(api, shop)
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/deals/{body['id']}"
    assert (body["state"], body["step"], body["partner"]) == ("open", 3, "partner1")
    assert body["phone"] == "+79161234567" and body["amount"] == "15000000.00" and body["currency"] == "RUB"
    assert body["missing_documents"] == ["bank_statements", "balance_sheet"]
    assert body["commission"] is None and body["precheck"] is None


def test_every_bad_field_is_named_in_the_readers_language_and_nothing_is_stored(api, shop, users):
    bad = {"inn": "7707083894", "ogrn": "1027700132196", "phone": "+84912345678", "email": "nope",
           "amount": "-5", "term_months": 0, "product_id": 999_999, "company_name": ""}
    error = error_of(api("partner1").post("/deals", json={**DEAL, **bad}, headers={"Accept-Language": "ru"}),
                     422)
    assert set(error["fields"]) == {"inn", "ogrn", "phone", "email", "amount", "term_months", "product_id",
                                    "company_name"}
    assert "ИНН" in error["fields"]["inn"]
    assert db.session.query(Deal).count() == 0


def test_a_companys_inn_with_an_entrepreneurs_ogrnip_is_refused(api, shop):
    error = error_of(api("partner1").post("/deals", json={**DEAL, "product_id": shop,
                                                          "ogrn": "304500116000157"}), 422)
    assert set(error["fields"]) == {"ogrn"}


@pytest.mark.parametrize("body", [[], "x", {"inn": 7707083893}, {"amount": {"a": 1}, "term_months": "many"}])
def test_malformed_bodies_are_422_never_500(api, shop, body):
    assert api("partner1").post("/deals", json=body).status_code == 422


def test_only_partners_register_deals(api, shop):
    assert api("analyst1").post("/deals", json={**DEAL, "product_id": shop}).status_code == 403
    assert api(None).post("/deals", json={**DEAL, "product_id": shop}).status_code == 401


def test_a_partner_sees_only_their_own_deals_and_the_team_sees_all(api, shop):
    mine = register(api, shop).get_json()["id"]
    theirs = register(api, shop, who="partner2", inn="7736207543", ogrn=None).get_json()["id"]
    assert [d["id"] for d in api("partner1").get("/deals").get_json()["items"]] == [mine]
    assert api("partner1").get(f"/deals/{theirs}").status_code == 404
    assert api("partner2").get(f"/deals/{mine}").status_code == 404
    assert api("partner1").get("/deals/99999999999").status_code == 404
    team = api("analyst1").get("/deals").get_json()
    assert team["total"] == 2 and {d["id"] for d in team["items"]} == {mine, theirs}
    assert api("lead1").get(f"/deals/{mine}").status_code == 200
    assert api("sales1").get("/deals").status_code == 403


def test_a_deal_shows_its_step_name_and_history_in_the_readers_language(api, shop):
    deal = register(api, shop).get_json()["id"]
    body = api("partner1").get(f"/deals/{deal}", headers={"Accept-Language": "ru"}).get_json()
    assert body["step_name"] == "Документы"
    assert body["history"][0]["kind"] == "deal_registered" and body["history"][0]["actor"] == "partner1"
    assert body["history"][0]["text"] == "Сделка зарегистрирована"


def test_uploading_documents_against_the_checklist_shrinks_what_is_missing_and_is_audited(api, shop):
    deal = register(api, shop).get_json()["id"]
    file, name = pdf()
    response = api("partner1").post(f"/deals/{deal}/documents", data={"kind": "bank_statements",
                                                                       "file": (file, name)})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = api("partner1").get(f"/deals/{deal}").get_json()
    assert body["missing_documents"] == ["balance_sheet"]
    assert [d["kind"] for d in body["documents"]] == ["bank_statements"]
    assert "attachment_added" in [e["kind"] for e in body["history"]]


def test_uploads_to_another_partners_deal_or_of_an_unknown_kind_are_refused(api, shop):
    deal = register(api, shop).get_json()["id"]
    file, name = pdf()
    assert api("partner2").post(f"/deals/{deal}/documents", data={"kind": "bank_statements",
                                                                  "file": (file, name)}).status_code == 404
    file, name = pdf()
    error = error_of(api("partner1").post(f"/deals/{deal}/documents", data={"kind": "horoscope",
                                                                            "file": (file, name)}), 422)
    assert set(error["fields"]) == {"kind"}
    error = error_of(api("partner1").post(f"/deals/{deal}/documents", data={"kind": "balance_sheet"}), 422)
    assert set(error["fields"]) == {"file"}
    assert db.session.query(DealDocument).count() == 0
