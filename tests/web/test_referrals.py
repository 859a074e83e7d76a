"""The staff's loan referral pages (/referrals, issue 6): consultants read the referrals they
hold and those offered to them, managers, admins and auditors every one; a referral's facts,
history and offers; the consultants' star ranking; in Vietnamese, English and Russian."""
import re

import pytest

from engine.db import db
from processes.referrals import helpers as procedure
from tests.engine.helpers import complete, open_tasks
from tests.referral_data import CONSULTANT_PHONES, catalogue, deploy_procedure, referral_form, start_case
from tests.web.conftest import post

READERS = ("consultant1", "manager", "admin", "auditor")


@pytest.fixture
def shop(app, users):
    """The lending catalogue with the demo consultants and partners, and the procedure."""
    made = catalogue(with_people=False)
    deploy_procedure()
    db.session.commit()
    return made


def submitted(product_id, phone, offered_to=None, **changes):
    """A referral of partner2 through the procedure, its case started (offered to ``offered_to``,
    named by phone, or to whom the system chooses): ``(row, case id)``."""
    if offered_to:
        changes.update(consultant_choice="phone", consultant_phone=CONSULTANT_PHONES[offered_to])
    row = procedure.submit_referral(referral_form(product_id, phone=phone, **changes), actor="partner2")
    return row, start_case(row.id).id


def accepted(product_id, phone, consultant, **changes):
    """A referral offered to ``consultant`` who accepted it: ``(row, case id)``."""
    row, case = submitted(product_id, phone, consultant, **changes)
    complete(case, "accept_referral", {"decision": "accept"}, actor=consultant)
    return row, case


def text(response):
    return response.get_data(as_text=True)


def english(client):
    post(client, "/language", {"language": "en"})
    return client


def shown(html):
    """The ids of the referral rows of a list page."""
    return {int(found) for found in re.findall(r'data-referral="(\d+)"', html)}


@pytest.mark.parametrize("username, list_status, ranking_status", [
    ("consultant1", 200, 403), ("manager", 200, 200), ("admin", 200, 200), ("auditor", 200, 200),
    ("partner1", 403, 403), ("sales1", 403, 403),
])
def test_the_pages_are_for_consultants_managers_admins_and_auditors(shop, sign_in, username, list_status,
                                                                    ranking_status):
    row, _case = submitted(shop.cash_loan, "0912000001")
    client = sign_in(username)
    assert client.get("/referrals").status_code == list_status
    assert client.get("/referrals/consultants").status_code == ranking_status
    # consultant1 is the best of FE Credit (by username, all being equal): the offer is theirs
    assert client.get(f"/referrals/{row.id}").status_code == (200 if list_status == 200 else 403)


def test_a_visitor_is_asked_to_sign_in(client):
    response = client.get("/referrals")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_consultant_sees_the_referrals_they_hold_and_those_offered_to_them_only(shop, sign_in):
    held, _case = accepted(shop.cash_loan, "0912000001", "consultant1")
    offered, _case = submitted(shop.cash_loan, "0912000002", "consultant1")
    others, _case = accepted(shop.consumer_loan, "0912000003", "consultant2")
    client = english(sign_in("consultant1"))
    html = text(client.get("/referrals"))
    assert shown(html) == {held.id, offered.id}
    assert "offered to Bùi Thị Lan" in html and "Referrals you hold and those offered to you" in html
    assert 'name="consultant"' not in html and 'href="/referrals/consultants"' not in html
    assert client.get(f"/referrals/{others.id}").status_code == 404
    assert client.get("/referrals/99999").status_code == 404
    assert shown(text(client.get("/referrals?consultant=consultant2"))) == {held.id, offered.id}
    manager = text(english(sign_in("manager")).get("/referrals"))
    assert shown(manager) == {held.id, offered.id, others.id} and 'name="consultant"' in manager


def test_the_list_shows_the_customer_product_amount_people_state_and_case(shop, sign_in):
    row, case = accepted(shop.cash_loan, "0912 345 678", "consultant1", customer_name="Phạm Thị Vay")
    complete(case, "work_referral", {"result": "contacted", "amount": 30_000_000, "term_months": 12},
             actor="consultant1")
    html = text(english(sign_in("manager")).get("/referrals"))
    assert "Phạm Thị Vay" in html and "0912 345 678" in html   # as written in Vietnam, the reader's place
    assert "FE Credit · Vay tiền mặt" in html and "₫30,000,000" in html and "12 months" in html
    assert "Đặng Văn Giới Thiệu" in html and "Bùi Thị Lan" in html          # referrer, consultant by name
    assert 'data-progress' in html and "The consultant contacted and advised the customer" in html
    assert f'href="/cases/{case}"' in html and f'href="/referrals/{row.id}"' in html


def test_the_filters_narrow_the_list(shop, sign_in):
    fe, _case = accepted(shop.cash_loan, "0912000001", "consultant1", customer_name="Trần Thị Mai")
    home, _case = accepted(shop.consumer_loan, "0912000002", "consultant2")
    client = sign_in("manager")
    assert shown(text(client.get(f"/referrals?company={shop.home_credit}"))) == {home.id}
    assert shown(text(client.get("/referrals?consultant=consultant1"))) == {fe.id}
    assert shown(text(client.get("/referrals?q=tr%E1%BA%A7n"))) == {fe.id}                # "trần"
    assert shown(text(client.get("/referrals?q=0912+000+002"))) == {home.id}
    assert shown(text(client.get("/referrals?state=disbursed"))) == set()
    assert shown(text(client.get("/referrals?from=2000-01-01&to=2000-01-31"))) == set()


@pytest.mark.parametrize("query, field", [
    ("state=lost", "state"), ("company=abc", "company"), ("consultant=nobody-here", "consultant"),
    ("from=2026-13-01", "from"), ("from=2026-03-05&to=2026-03-01", "to"),
])
def test_a_bad_filter_is_422_with_the_message_beside_its_field(shop, sign_in, query, field):
    response = english(sign_in("manager")).get(f"/referrals?{query}")
    html = text(response)
    assert response.status_code == 422
    assert f'id="rf-{field}-error"' in html and html.count("invalid-feedback") == 1
    assert "data-referral=" not in html


def test_the_list_pages_fifty_at_a_time(shop, sign_in, monkeypatch):
    from processes.referrals import staff as referral_staff

    made = [submitted(shop.cash_loan, f"091200010{n}")[0].id for n in range(3)]
    monkeypatch.setattr(referral_staff, "PAGE", 2)
    client = sign_in("manager")
    first, second = text(client.get("/referrals")), text(client.get("/referrals?page=2"))
    assert shown(first) == set(made[1:]) and shown(second) == {made[0]}
    assert 'rel="next"' in first and 'rel="next"' not in second and 'rel="prev"' in second


def test_a_referral_page_tells_its_history_offers_commission_and_links(shop, sign_in):
    row, case = submitted(shop.cash_loan, "0912000001")
    complete(case, "accept_referral", {"decision": "hand_back", "reason": "Đang nghỉ phép"},
             actor="consultant1")
    complete(case, "accept_referral", {"decision": "accept"}, actor="consultant2")
    complete(case, "work_referral", {"result": "disbursed", "amount": 30_000_000, "term_months": 12,
                                     "disbursed_amount": 30_000_000}, actor="consultant2")
    html = text(english(sign_in("manager")).get(f"/referrals/{row.id}"))
    for sentence in ("Đặng Văn Giới Thiệu sent the referral.", "Offered to the consultant Bùi Thị Lan.",
                     "Bùi Thị Lan handed the referral back; it goes to another consultant.",
                     "Đỗ Quang Huy accepted the referral and advises the customer.",
                     "Result: disbursed, ₫30,000,000.", "Commission recorded: ₫750,000 (2.5 %)."):
        assert sentence in html, sentence
    assert 'data-offer="consultant1"' in html and "Handed back" in html and "Đang nghỉ phép" in html
    assert 'data-offer="consultant2"' in html and "Accepted" in html
    assert "₫750,000" in html and "Pending payment" in html
    assert f'href="/cases/{case}"' in html and "data-task=" not in html    # the manager has no task here


def test_the_holder_consultant_gets_a_link_to_their_open_task(shop, sign_in):
    row, case = accepted(shop.cash_loan, "0912000001", "consultant1")
    task = open_tasks(case)["work_referral"]
    html = text(english(sign_in("consultant1")).get(f"/referrals/{row.id}"))
    assert f'href="/tasks/{task.id}"' in html and "Open my task" in html


# The facts under a referral task's title, in each reader's language (issue 13): the
# instructions are rendered when the task is shown, in the reader's language.
TASK_FACTS = {
    "vi": ("Người giới thiệu: Đặng Văn Giới Thiệu · Đồng ý bán chéo hồ sơ: có", "12 tháng"),
    "en": ("Referrer: Đặng Văn Giới Thiệu · Cross-sell consent: yes", "12 months"),
    "ru": ("Партнёр: Đặng Văn Giới Thiệu · Согласие на кросс-продажу: да", "12 мес."),
}


@pytest.mark.parametrize("lang", sorted(TASK_FACTS))
@pytest.mark.parametrize("element", ["accept_referral", "work_referral"])
def test_a_referral_task_tells_its_facts_in_the_readers_language(shop, sign_in, lang, element):
    if element == "accept_referral":
        _row, case = submitted(shop.cash_loan, "0912000001", "consultant1", cross_sell_consent=True)
    else:
        _row, case = accepted(shop.cash_loan, "0912000001", "consultant1", cross_sell_consent=True)
    client = sign_in("consultant1")
    post(client, "/language", {"language": lang})
    html = text(client.get(f"/tasks/{open_tasks(case)[element].id}"))
    consent, term = TASK_FACTS[lang]
    assert consent in html and term in html
    others = [line for other, facts in TASK_FACTS.items() if other != lang for line in facts]
    assert [line for line in others if line in html] == []
    assert "cross-sell consent: yes" not in html


def test_the_consultants_tab_ranks_each_companys_consultants_by_the_star_rule(shop, sign_in):
    _row, case = accepted(shop.consumer_loan, "0912000001", "consultant3")
    complete(case, "work_referral", {"result": "disbursed", "amount": 30_000_000, "term_months": 12,
                                     "disbursed_amount": 30_000_000}, actor="consultant3")
    accepted(shop.consumer_loan, "0912000002", "consultant2")
    html = text(english(sign_in("manager")).get("/referrals/consultants"))
    home = html[html.index(f'data-company="{shop.home_credit}"'):]
    order = re.findall(r'data-standing="([^"]+)"', home)
    assert order == ["consultant3", "consultant2"]          # 2/3 = 67 % before 1/3 = 33 %
    fe = html[html.index(f'data-company="{shop.fe_credit}"'):html.index(f'data-company="{shop.home_credit}"')]
    assert re.findall(r'data-standing="([^"]+)"', fe) == ["consultant1", "consultant2"]
    assert "67 %" in home and "33 %" in home and 'data-available="yes"' in home
    assert "(disbursed + 1) / (accepted + 2)" in html


def test_a_full_consultant_is_shown_not_available(shop, sign_in):
    from processes.referrals.models import Setting

    db.session.add(Setting(key="max_load", value="1", updated_by="admin"))
    db.session.commit()
    accepted(shop.cash_loan, "0912000001", "consultant1")
    html = text(english(sign_in("admin")).get("/referrals/consultants"))
    assert re.search(r'data-standing="consultant1">(?:(?!</tr>).)*data-available="no"', html, re.S)


def test_the_nav_links_staff_to_the_referrals_and_partners_only_to_their_portal(shop, sign_in):
    for username in READERS:
        assert 'href="/referrals"' in text(sign_in(username).get("/inbox")), username
    partner = text(sign_in("partner2").get("/portal"))
    assert 'href="/referrals"' not in partner and partner.count('href="/portal"') >= 1
    assert 'href="/referrals"' not in text(sign_in("sales1").get("/inbox"))


@pytest.mark.parametrize("language", ["vi", "en", "ru"])
def test_every_referral_page_renders_in_vi_en_and_ru(shop, sign_in, language):
    row, _case = accepted(shop.cash_loan, "0912000001", "consultant1")
    for username in ("manager", "consultant1"):
        client = sign_in(username)
        post(client, "/language", {"language": language})
        paths = ["/referrals", f"/referrals/{row.id}"]
        if username == "manager":
            paths.append("/referrals/consultants")
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert f'lang="{language}"' in text(response), path
