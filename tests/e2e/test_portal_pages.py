"""The referrer's portal on a phone in Vietnamese, English and Russian: the home with an
open cross-sell request, a referral's history, the commissions and the form; and the
lending admin on a desktop. Nothing of the page is left in another language."""
import pytest
from playwright.sync_api import expect

from accounts.models import User
from engine.db import db
from processes.referrals import helpers as procedure
from processes.referrals.models import Referral
from tests.conftest import seed
from tests.e2e.conftest import login, one_backend
from tests.engine.helpers import complete
from tests.referral_data import catalogue, deploy_procedure, referral_form, start_case

pytestmark = one_backend

# Words of the English pages that a translated page must not show.
ENGLISH = ["Refer a customer", "My referrals", "Commissions", "Allow", "Refuse", "Pending payment"]


def submitted(product_id, phone, **changes):
    row = procedure.submit_referral(referral_form(product_id, phone=phone, **changes), actor="partner1")
    case = start_case(row.id)
    complete(case.id, "accept_referral", {"decision": "accept"}, actor="consultant1")
    return row.id, case.id


def _make_referrals():
    shop = catalogue(with_people=False)
    deploy_procedure()
    _done, case = submitted(shop.cash_loan, "0912 111 222")
    complete(case, "work_referral", {"result": "disbursed", "amount": 30_000_000, "term_months": 12,
                                     "disbursed_amount": 30_000_000}, actor="consultant1")
    _asking, case = submitted(shop.cash_loan, "0912 333 444", customer_name="Lê Văn Hỏi")
    complete(case, "work_referral", {"result": "not_eligible", "amount": 30_000_000, "term_months": 12,
                                     "cross_sell_product_id": str(shop.consumer_loan)},
             actor="consultant1")


@pytest.fixture
def referrals(app, demo_users):
    """A disbursed referral and one with an open cross-sell request, by partner1: made
    once per session (seed: no page here reads the notifications they queued)."""
    with app.test_request_context():
        seed("portal-referrals", _make_referrals)
        done, asking = (row.id for row in db.session.query(Referral).order_by(Referral.id))
        return done, asking


@pytest.mark.parametrize("locale", ["vi", "en", "ru"])
def test_the_portal_on_a_phone_in_each_language(referrals, new_page, live_server, screenshot, locale):
    done, asking = referrals
    db.session.query(User).filter_by(username="partner1").one().locale = locale
    db.session.commit()
    page = new_page(locale=locale, mobile=True)
    login(page, live_server, "partner1")
    expect(page.locator("html")).to_have_attribute("lang", locale)
    expect(page.locator(f"[data-request='{asking}']")).to_be_visible()
    pages = {"home": "/portal", "referral": f"/portal/referrals/{done}", "commissions": "/portal/commissions",
             "new": "/portal/referrals/new", "list": "/portal/referrals"}
    for name, path in pages.items():
        page.goto(path)
        text = page.locator("body").inner_text()
        if locale != "en":
            assert not [word for word in ENGLISH if word in text], (name, locale)
        screenshot(page, f"portal-{name}-{locale}")


@pytest.mark.parametrize("locale", ["vi", "en", "ru"])
def test_the_lending_admin_in_each_language(referrals, new_page, live_server, screenshot, locale):
    db.session.query(User).filter_by(username="admin").one().locale = locale
    db.session.commit()
    page = new_page(locale=locale)
    login(page, live_server, "admin")
    for name in ("companies", "products", "policies", "consultants", "settings", "commissions"):
        page.goto(f"/lending/admin/{name}")
        expect(page.locator("html")).to_have_attribute("lang", locale)
        screenshot(page, f"lending-admin-{name}-{locale}")


@pytest.mark.parametrize("locale", ["vi", "en", "ru"])
def test_the_staff_referral_pages_in_each_language(referrals, new_page, live_server, screenshot, locale):
    done, _asking = referrals
    db.session.query(User).filter_by(username="manager").one().locale = locale
    db.session.commit()
    page = new_page(locale=locale)
    login(page, live_server, "manager")
    pages = {"list": "/referrals", "referral": f"/referrals/{done}", "consultants": "/referrals/consultants"}
    for name, path in pages.items():
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", locale)
        expect(page.locator("h1")).to_be_visible()
        screenshot(page, f"referrals-{name}-{locale}")


@pytest.mark.parametrize("username, links", [("admin", 9), ("manager", 8)])
@pytest.mark.parametrize("locale", ["vi", "ru"])
def test_the_header_with_the_referrals_link_fits_one_line_at_1280_px(referrals, new_page, live_server,
                                                                     screenshot, username, links, locale):
    db.session.query(User).filter_by(username=username).one().locale = locale
    db.session.commit()
    page = new_page(locale=locale)
    login(page, live_server, username)
    page.goto("/referrals")
    expect(page.locator(".tl-navbar .navbar-nav > li")).to_have_count(links)
    for width in (1280, 1600):
        page.set_viewport_size({"width": width, "height": 800})
        navbar = page.locator(".tl-navbar").bounding_box()
        sign_out = page.locator(".tl-navbar form[action='/logout'] button").bounding_box()
        screenshot(page, f"referrals-header-{username}-{locale}-{width}")
        # one line: the navbar keeps its single-line height and sign-out sits beside the links
        assert navbar["height"] < 70 and sign_out["y"] < navbar["height"] / 2, (width, navbar, sign_out)
