"""The referrer's portal (seed 000, issue 6): the referral form, the referrer's referrals with
their history, cross-sell answers, commissions; partners only, each seeing only their own."""
from datetime import date
from decimal import Decimal

import pytest

from accounts.models import User
from engine.db import db
from engine.models import Notification, Outbox, ProcessInstance
from processes.referrals import cases as referral_cases
from processes.referrals import helpers as procedure
from processes.referrals.models import Commission, CommissionPolicy, Referral
from tests.engine.helpers import complete, open_tasks
from tests.referral_data import CONSULTANT_PHONES, catalogue, deploy_procedure, referral_form, start_case
from tests.web.conftest import csrf, post
from workers import delivery

PAGES = ("/portal", "/portal/referrals", "/portal/referrals/new", "/portal/commissions")


@pytest.fixture
def shop(app, users):
    """The lending catalogue, with the demo consultants and partners."""
    return catalogue(with_people=False)


def form(shop, **changes):
    """The portal form of a valid referral (FE Credit's cash loan, the system chooses)."""
    values = {"customer_name": "Nguyễn Văn Vay", "phone": "0912 345 678", "national_id": "079123456789",
              "company_id": shop.fe_credit, "product_id": shop.cash_loan, "customer_status": "salaried",
              "amount": "30.000.000", "term_months": "12", "consultant": "auto", "cross_sell_consent": "yes"}
    return {**values, **changes}


def referral_of(actor, product_id, **changes):
    return procedure.submit_referral(referral_form(product_id, **changes), actor=actor)


def fresh(referral_id):
    db.session.expire_all()
    return db.session.get(Referral, referral_id)


def text(response):
    return response.get_data(as_text=True)


def english(client):
    post(client, "/language", {"language": "en"})
    return client


def test_a_partner_lands_on_the_portal_after_signing_in_and_staff_on_the_inbox(app, users):
    for username, landing in (("partner2", "/portal"), ("sales1", "/inbox")):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": "demo",
                                               "csrf_token": csrf(client)})
        assert response.headers["Location"] == landing


@pytest.mark.parametrize("username", ["sales1", "manager", "consultant1", "admin", "auditor"])
def test_every_portal_page_is_forbidden_to_users_without_the_partner_role(shop, sign_in, username):
    client = sign_in(username)
    for path in (*PAGES, f"/portal/stars?company_id={shop.fe_credit}", "/portal/referrals/1"):
        assert client.get(path).status_code == 403, path
    assert post(client, "/portal/referrals/new", form(shop)).status_code == 403
    assert post(client, "/portal/referrals/1/cross-sell", {"approved": "yes"}).status_code == 403
    assert db.session.query(Referral).count() == 0


def test_the_portal_asks_a_visitor_to_sign_in(client):
    response = client.get("/portal")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("language, lang", [("vi", 'lang="vi"'), ("en", 'lang="en"'), ("ru", 'lang="ru"')])
def test_every_portal_page_renders_in_vi_en_and_ru(shop, sign_in, language, lang):
    client = sign_in("partner1")
    post(client, "/language", {"language": language})
    mine = referral_of("partner1", shop.cash_loan)
    for path in (*PAGES, f"/portal/referrals/{mine.id}", f"/portal/stars?company_id={shop.fe_credit}"):
        response = client.get(path)
        assert response.status_code == 200, path
        if not path.startswith("/portal/stars"):
            assert lang in text(response), path
    assert "Nguyễn Văn Vay" in text(client.get("/portal"))


def test_the_nav_shows_referrals_to_a_partner_and_hides_the_staff_inbox(shop, sign_in):
    partner = text(sign_in("partner2").get("/portal"))
    assert 'href="/portal"' in partner and 'href="/inbox"' not in partner and 'href="/cases"' not in partner
    staff = text(sign_in("sales1").get("/inbox"))
    assert 'href="/inbox"' in staff and 'href="/portal"' not in staff


def test_the_form_offers_each_company_with_its_products_limits_and_star_consultants(shop, sign_in):
    client = english(sign_in("partner2"))
    html = text(client.get("/portal/referrals/new"))
    assert "FE Credit" in html and "Home Credit" in html and "Vay tiền mặt" in html
    assert f'data-company="{shop.fe_credit}"' in html
    assert 'type="tel"' in html and 'inputmode="numeric"' in html
    assert "10,000,000" in html and "70,000,000" in html and "6–36 months" in html   # the cash loan's limits
    assert 'name="cross_sell_consent" id="pt-consent-yes" value="yes"  required' in html  # no default
    assert "commission is not affected" in html
    stars = text(client.get(f"/portal/stars?company_id={shop.fe_credit}"))
    assert 'data-star="consultant1"' in stars and 'data-star="consultant2"' in stars
    assert 'data-star="consultant3"' not in stars                              # Home Credit only
    assert f'value="star:{CONSULTANT_PHONES["consultant1"]}"' in stars and "50% disbursed" in stars
    as_json = client.get(f"/portal/stars?company_id={shop.home_credit}",
                         headers={"Accept": "application/json"})
    assert [s["username"] for s in as_json.get_json()["items"]] == ["consultant2", "consultant3"]


def test_a_submitted_referral_is_stored_in_progress_and_its_case_is_asked_for(shop, sign_in):
    client = sign_in("partner2")
    response = post(client, "/portal/referrals/new", form(shop))
    [row] = db.session.query(Referral).all()
    assert response.status_code == 302 and response.headers["Location"] == f"/portal/referrals/{row.id}"
    assert (row.referrer, row.state, row.phone, row.amount) == ("partner2", "in_progress", "+84912345678",
                                                                Decimal(30_000_000))
    assert row.cross_sell_consent is True and row.consultant_choice == "auto" and row.consultant_phone is None
    [start] = db.session.query(Outbox).filter_by(channel="start").all()
    assert (start.recipient, start.params["data"]) == ("loan_referral", {"referral_id": row.id})
    assert "Nguyễn Văn Vay" in text(client.get(response.headers["Location"]))


@pytest.mark.parametrize("choice, typed, stored", [
    (f"star:{CONSULTANT_PHONES['consultant2']}", "", ("star", CONSULTANT_PHONES["consultant2"])),
    ("phone", "0901 000 001", ("phone", CONSULTANT_PHONES["consultant1"])),
])
def test_the_referrer_may_pick_a_star_consultant_or_type_a_consultants_phone(shop, sign_in, choice, typed,
                                                                            stored):
    response = post(sign_in("partner2"), "/portal/referrals/new",
                    form(shop, consultant=choice, consultant_phone=typed, cross_sell_consent="no"))
    assert response.status_code == 302
    row = db.session.query(Referral).one()
    assert (row.consultant_choice, row.consultant_phone) == stored and row.cross_sell_consent is False


@pytest.mark.parametrize("field, changes", [
    ("customer_name", {"customer_name": "  "}),
    ("phone", {"phone": "12345"}),
    ("national_id", {"national_id": "1234"}),
    ("company_id", {"company_id": ""}),
    ("product_id", {"product_id": ""}),
    ("product_id", {"product_id": "consumer_loan"}),     # Home Credit's product under FE Credit
    ("customer_status", {"customer_status": "astronaut"}),
    ("amount", {"amount": "5.000.000"}),                   # below the cash loan's 10 million
    ("amount", {"amount": "nhiều tiền"}),
    ("term_months", {"term_months": "60"}),
    ("consultant_phone", {"consultant": "phone", "consultant_phone": ""}),
    ("consultant", {"consultant": f"star:{CONSULTANT_PHONES['consultant3']}"}),  # not of FE Credit
    ("cross_sell_consent", {"cross_sell_consent": ""}),
])
def test_each_bad_field_is_refused_with_its_message_beside_it_and_nothing_stored(shop, sign_in, field,
                                                                                changes):
    if changes.get("product_id") == "consumer_loan":
        changes = {"product_id": shop.consumer_loan}
    response = post(sign_in("partner2"), "/portal/referrals/new", form(shop, **changes))
    html = text(response)
    assert response.status_code == 422
    assert f'data-error="{field}"' in html and f'id="pt-{field}-error"' in html
    assert 'value="Nguyễn Văn Vay"' in html or field == "customer_name"   # what was typed stays
    assert db.session.query(Referral).count() == 0 and db.session.query(Outbox).count() == 0


def test_a_second_referral_of_a_customer_in_progress_is_refused_naming_who_holds_it(shop, sign_in):
    referral_of("partner1", shop.cash_loan)
    response = post(english(sign_in("partner2")), "/portal/referrals/new",
                    form(shop, phone="+84 912 345 678"))
    html = text(response)
    assert response.status_code == 409
    assert 'data-error="phone"' in html and "already has a referral in progress, sent by partner1" in html
    assert db.session.query(Referral).count() == 1


def test_a_partner_sees_only_their_own_referrals_everywhere(shop, sign_in):
    mine = referral_of("partner1", shop.cash_loan, customer_name="Khách Của Một", phone="0912000001")
    theirs = referral_of("partner2", shop.consumer_loan, customer_name="Khách Của Hai", phone="0912000002")
    theirs.cross_sell_state = "requested"
    db.session.add(Commission(referral_id=theirs.id, referrer="partner2", product_id=shop.consumer_loan,
                              policy_id=_policy(shop.consumer_loan), rate_percent=Decimal(3),
                              base_amount=Decimal(30_000_000), amount=Decimal(900_000),
                              earned_on=date.today()))
    db.session.commit()
    client = sign_in("partner1")
    for path in ("/portal", "/portal/referrals", "/portal/referrals?state=in_progress",
                 "/portal/commissions"):
        html = text(client.get(path))
        assert "Khách Của Hai" not in html and f'data-referral="{theirs.id}"' not in html, path
        assert f'data-request="{theirs.id}"' not in html and "data-commission=" not in html, path
    assert f'data-referral="{mine.id}"' in text(client.get("/portal/referrals"))
    assert client.get(f"/portal/referrals/{theirs.id}").status_code == 404
    answer = post(client, f"/portal/referrals/{theirs.id}/cross-sell", {"approved": "yes"})
    assert answer.status_code == 404 and fresh(theirs.id).cross_sell_state == "requested"
    owner = text(sign_in("partner2").get("/portal/commissions"))
    assert "Khách Của Hai" in owner and 'data-commission=' in owner


def _policy(product_id):
    return db.session.query(CommissionPolicy).filter_by(product_id=product_id).first().id


def test_the_list_filters_by_state(shop, sign_in):
    open_one = referral_of("partner2", shop.cash_loan, phone="0912000001")
    closed = referral_of("partner2", shop.cash_loan, phone="0912000002")
    closed.state = "failed"
    db.session.commit()
    client = sign_in("partner2")
    failed = text(client.get("/portal/referrals?state=failed"))
    assert f'data-referral="{closed.id}"' in failed and f'data-referral="{open_one.id}"' not in failed
    everything = text(client.get("/portal/referrals"))
    assert f'data-referral="{closed.id}"' in everything and f'data-referral="{open_one.id}"' in everything


def test_the_referral_page_tells_its_history_in_sentences_with_the_consultants_changes(shop, sign_in):
    row = referral_of("partner2", shop.cash_loan, cross_sell_consent=False)
    consultant = referral_cases.offer(row.id)
    referral_cases.answer_offer(row.id, consultant, "accepted")
    referral_cases.record_result(row.id, {"result": "not_eligible", "amount": 25_000_000, "term_months": 18,
                                          "cross_sell_product_id": shop.consumer_loan}, actor=consultant)
    referral_cases.request_cross_sell(row.id, actor=consultant)
    db.session.commit()
    html = text(english(sign_in("partner2")).get(f"/portal/referrals/{row.id}"))
    name = db.session.query(User).filter_by(username=consultant).one().full_name
    for sentence in ("Đặng Văn Giới Thiệu sent the referral.", f"Offered to the consultant {name}.",
                     f"{name} accepted the referral and advises the customer.",
                     "The consultant adjusted the wishes: amount ₫30,000,000 → ₫25,000,000",
                     "term 12 → 18 months", "Vay tiêu dùng may suit them",
                     "The consultant asks to offer the customer another product: Vay tiêu dùng"):
        assert sentence in html, sentence
    assert "adjusted by the consultant, was ₫30,000,000" in html and "₫25,000,000" in html
    # dialled as E.164, shown as written in Vietnam
    assert f'href="tel:{CONSULTANT_PHONES[consultant]}"' in html
    assert f"0901 000 00{consultant[-1]}</a>" in html and "0912 345 678 ·" in html
    assert f'data-request="{row.id}"' in html and 'value="yes"' in html and 'value="no"' in html
    home = text(sign_in("partner2").get("/portal"))
    assert f'data-request="{row.id}"' in home


def test_an_answer_to_a_request_that_is_no_longer_open_is_refused_with_its_message(shop, sign_in):
    row = referral_of("partner2", shop.cash_loan)
    client = english(sign_in("partner2"))
    response = post(client, f"/portal/referrals/{row.id}/cross-sell", {"approved": "yes"})
    assert response.status_code == 302 and response.headers["Location"] == f"/portal/referrals/{row.id}"
    assert "This cross-sell request is no longer open." in text(client.get(response.headers["Location"]))
    as_json = post(client, f"/portal/referrals/{row.id}/cross-sell", {"approved": "no"},
                   headers={"Accept": "application/json"})
    assert as_json.status_code == 409
    assert post(client, f"/portal/referrals/{row.id}/cross-sell", {"approved": "maybe"}).status_code == 422
    assert client.post(f"/portal/referrals/{row.id}/cross-sell", data={"approved": "yes"}).status_code == 400


def test_commissions_show_totals_and_each_row(shop, sign_in):
    row = referral_of("partner2", shop.cash_loan)
    row.state = "disbursed"
    db.session.add(Commission(referral_id=row.id, referrer="partner2", product_id=shop.cash_loan,
                              policy_id=_policy(shop.cash_loan), rate_percent=Decimal("2.5"),
                              base_amount=Decimal(28_000_000), amount=Decimal(700_000),
                              earned_on=date(2025, 5, 1)))
    db.session.commit()
    client = english(sign_in("partner2"))
    html = text(client.get("/portal/commissions"))
    assert "700,000" in html and "28,000,000" in html and "2.5 %" in html and "Pending payment" in html
    assert "May 1, 2025" in html and "Vay tiền mặt" in html
    home = text(client.get("/portal"))
    assert "700,000" in home


def test_the_bell_titles_referral_notifications_in_the_readers_language(shop, sign_in):
    db.session.add(Notification(username="partner2", title="Nguyễn Văn Vay +84912345678",
                                kind="cross_sell_requested",
                                params={"referral": 1, "name": "Nguyễn Văn Vay", "phone": "+84912345678"},
                                link="/portal/referrals/1"))
    db.session.commit()
    html = text(english(sign_in("partner2")).get("/notifications"))
    assert "May we offer Nguyễn Văn Vay another product?" in html


# --- with the case running (bpmn/loan_referral.bpmn) -----------------------------------

@pytest.fixture
def running(shop):
    """``start(consent)``: a referral of partner2 through the portal procedure, its case started,
    accepted by consultant1 and found not eligible with Home Credit's loan as the cross-sell."""
    deploy_procedure()
    db.session.commit()

    def start(consent=False):
        row = referral_of("partner2", shop.cash_loan, cross_sell_consent=consent)
        [ask] = [r for r in db.session.query(Outbox).filter_by(channel="start")
                 if r.params["data"] == {"referral_id": row.id}]
        assert delivery.deliver(ask.id) == "sent"
        case = db.session.query(ProcessInstance).filter_by(business_key=f"referral:{row.id}").one()
        consultant = open_tasks(case.id)["accept_referral"].assignee
        complete(case.id, "accept_referral", {"decision": "accept"}, actor=consultant)
        complete(case.id, "work_referral", {
            "result": "not_eligible", "amount": 30_000_000, "term_months": 12,
            "cross_sell_product_id": str(shop.consumer_loan)}, actor=consultant)
        return row.id, case.id
    return start


def test_allowing_a_cross_sell_on_the_portal_lets_the_consultant_offer_the_other_product(running, sign_in):
    referral_id, case_id = running()
    assert fresh(referral_id).cross_sell_state == "requested"
    client = english(sign_in("partner2"))
    response = post(client, f"/portal/referrals/{referral_id}/cross-sell",
                    {"approved": "yes", "next": "/portal"})
    assert response.status_code == 302 and response.headers["Location"] == "/portal"
    row = fresh(referral_id)
    assert row.cross_sell_state == "approved" and row.state == "in_progress"
    assert "work_referral" in open_tasks(case_id)
    html = text(client.get(f"/portal/referrals/{referral_id}"))
    assert "Đặng Văn Giới Thiệu allowed offering Vay tiêu dùng." in html
    assert f'data-request="{referral_id}"' not in html
    again = post(client, f"/portal/referrals/{referral_id}/cross-sell", {"approved": "no"})
    assert again.status_code == 302 and fresh(referral_id).cross_sell_state == "approved"


def test_refusing_a_cross_sell_closes_the_referral_without_a_loan(running, sign_in):
    referral_id, _case_id = running()
    post(english(sign_in("partner2")), f"/portal/referrals/{referral_id}/cross-sell", {"approved": "no"})
    row = fresh(referral_id)
    assert (row.cross_sell_state, row.state) == ("refused", "failed")
    html = text(english(sign_in("partner2")).get(f"/portal/referrals/{referral_id}"))
    assert "refused offering Vay tiêu dùng" in html and "Closed without a loan." in html


def test_another_partner_cannot_answer_a_running_cases_request(running, sign_in):
    referral_id, _case_id = running()
    assert post(sign_in("partner1"), f"/portal/referrals/{referral_id}/cross-sell",
                {"approved": "yes"}).status_code == 404
    assert fresh(referral_id).cross_sell_state == "requested"


def test_the_history_names_the_cross_sold_product_even_when_another_company_uses_its_code(
        shop, running, sign_in):
    from processes.referrals.models import LoanProduct
    # FE Credit gets a product with the code of Home Credit's cross-sold "consumer_loan"
    db.session.add(LoanProduct(company_id=shop.fe_credit, code="consumer_loan", name="Vay tiêu dùng FE",
                               min_amount=Decimal(1_000_000), max_amount=Decimal(9_000_000),
                               min_term_months=1, max_term_months=12))
    db.session.commit()
    referral_id, _case_id = running()
    html = text(english(sign_in("partner2")).get(f"/portal/referrals/{referral_id}"))
    assert "Vay tiêu dùng" in html and "Vay tiêu dùng FE" not in html


def test_the_referrer_sees_the_steps_the_consultant_reports(shop, running, sign_in):
    row = referral_of("partner2", shop.cash_loan, phone="0913 555 666")
    start_case(row.id)
    case = db.session.query(ProcessInstance).filter_by(business_key=f"referral:{row.id}").one()
    consultant = open_tasks(case.id)["accept_referral"].assignee
    complete(case.id, "accept_referral", {"decision": "accept"}, actor=consultant)
    complete(case.id, "work_referral", {"result": "submitted", "amount": 30_000_000, "term_months": 12,
                                        "note": "Đã nộp hồ sơ"}, actor=consultant)
    client = english(sign_in("partner2"))
    html = text(client.get(f"/portal/referrals/{row.id}"))
    assert "The file was submitted to the finance company" in html and "Đã nộp hồ sơ" in html
    assert "The file was submitted to the finance company" in text(client.get("/portal/referrals"))


def test_the_list_shows_a_page_at_a_time_newest_first(shop, sign_in, monkeypatch):
    from processes.referrals import views as referral_views
    monkeypatch.setattr(referral_views, "PAGE", 2)
    newest = [referral_of("partner2", shop.cash_loan, phone=f"091200010{n}").id for n in range(5)][::-1]
    client = sign_in("partner2")
    for page, expected in ((1, newest[0:2]), (2, newest[2:4]), (3, newest[4:])):
        html = text(client.get(f"/portal/referrals?page={page}"))
        assert [r for r in newest if f'data-referral="{r}"' in html] == expected
        assert ('rel="next"' in html) == (page < 3)
    assert text(client.get("/portal/referrals?page=banana")).count("data-referral=") == 2


@pytest.fixture
def roubles(app):
    """The referrals domain does business in roubles (TASKLANE_PLACES), before the catalogue is made."""
    app.config["TASKLANE_PLACES"] = {"referrals": {"zone": "Europe/Moscow", "region": "RU", "language": "ru",
                                                   "currency": "RUB"}}
    return app


def test_a_referrals_domain_in_roubles_shows_roubles_in_the_readers_language(roubles, shop, sign_in):
    row = referral_of("partner2", shop.cash_loan)
    db.session.add(Commission(referral_id=row.id, referrer="partner2", product_id=shop.cash_loan,
                              policy_id=_policy(shop.cash_loan), rate_percent=Decimal("2.5"),
                              base_amount=row.amount, amount=Decimal(750_000), currency=row.currency,
                              earned_on=date.today()))
    db.session.commit()
    client = sign_in("partner2")
    post(client, "/language", {"language": "ru"})
    assert "30\xa0000\xa0000,00\xa0₽" in text(client.get(f"/portal/referrals/{row.id}"))
    commissions = text(client.get("/portal/commissions"))
    assert "750\xa0000,00\xa0₽" in commissions and "₫" not in commissions
    assert "Сумма (RUB)" in text(client.get("/portal/referrals/new"))
    english(client)
    assert "RUB30,000,000.00" in text(client.get(f"/portal/referrals/{row.id}"))


def test_amounts_in_dong_are_written_as_each_reader_writes_them(shop, sign_in):
    row = referral_of("partner2", shop.cash_loan)
    client = sign_in("partner2")
    written_as = {"vi": "30.000.000\xa0₫", "en": "₫30,000,000", "ru": "30\xa0000\xa0000\xa0₫"}
    for language, written in written_as.items():
        post(client, "/language", {"language": language})
        assert written in text(client.get(f"/portal/referrals/{row.id}")), language
