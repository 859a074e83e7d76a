"""The broker's pages in Chromium (issue 15): a partner on a phone, in Russian, signs in,
registers a deal, uploads the checklist's documents, answers the pre-check's questions in
the task and sees the deal move on; and every new page in Russian, Vietnamese and English,
read for English words and raw values (tests/e2e/test_page_language.py's checks)."""
import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from engine.db import db
from processes.broker import deals
from processes.broker.models import CreditProduct, Deal
from tests.broker_data import DEAL, deploy, product
from tests.conftest import seed
from tests.e2e.conftest import login, one_backend
from tests.e2e.test_page_language import HIDE_CODE, failures

pytestmark = one_backend


def _shop():
    product()
    deploy()


@pytest.fixture
def shop(app, demo_users):
    with app.test_request_context():
        seed("broker-pages-shop", _shop)
    return db.session.query(CreditProduct).one().id


def speaks(username, locale):
    db.session.query(User).filter_by(username=username).one().locale = locale
    db.session.commit()


def test_a_partner_on_a_phone_registers_a_deal_uploads_documents_and_sees_the_step_change(
        shop, new_page, live_server, screenshot, tmp_path):
    speaks("partner1", "ru")
    phone = new_page(locale="ru", mobile=True)
    login(phone, live_server, "partner1")
    phone.locator(".tl-navbar a[href='/portal/deals']").first.wait_for(state="attached")
    phone.goto("/portal/deals")
    expect(phone.locator("h1")).to_have_text("Мои сделки")
    phone.locator(".pt-tabbar a[href='/portal/deals/new']").click()

    phone.fill("input[name=company_name]", DEAL["company_name"])
    phone.fill("input[name=inn]", "7707083894")           # a control digit wrong
    phone.fill("input[name=contact_name]", DEAL["contact_name"])
    phone.fill("input[name=phone]", "8 916 123 45 67")
    phone.select_option("select[name=product_id]", str(shop))
    phone.fill("input[name=amount]", "15 000 000")
    phone.fill("input[name=term_months]", "36")
    phone.fill("textarea[name=purpose]", DEAL["purpose"])
    with phone.expect_navigation():
        phone.click("button.pt-cta")
    expect(phone.locator("[data-error=inn]")).to_contain_text("ИНН")
    phone.fill("input[name=inn]", DEAL["inn"])
    with phone.expect_navigation():
        phone.click("button.pt-cta")
    expect(phone).to_have_url(re.compile(r"/portal/deals/\d+$"))
    expect(phone.locator("[data-step]").first).to_have_attribute("data-step", "3")
    expect(phone.locator("[data-missing-count]")).to_have_attribute("data-missing-count", "2")
    screenshot(phone, "broker-flow-1-registered-ru")

    for kind in ("bank_statements", "balance_sheet"):
        file = tmp_path / f"{kind}.pdf"
        file.write_bytes(b"%PDF-1.4 " + kind.encode() + b"\n%%EOF")
        form = phone.locator(f"form[data-upload={kind}]")
        form.locator("input[type=file]").set_input_files(str(file))
        with phone.expect_navigation():
            form.locator("button[type=submit]").click()
    expect(phone.locator("[data-missing-count]")).to_have_attribute("data-missing-count", "0")
    expect(phone.locator("[data-history]")).to_contain_text("Загружен документ")
    screenshot(phone, "broker-flow-2-documents-ru")

    phone.locator("[data-asked] a[href^='/tasks/']").click()
    expect(phone.locator("[data-action=complete]")).to_be_visible()
    for name, value in (("business_age_months", "36"), ("arrears_days", "0"), ("court_cases", "0"),
                        ("turnover_change_percent", "5")):
        phone.fill(f"input[name={name}]", value)
    for name in ("tax_debt", "bankruptcy"):
        radio = phone.locator(f"input[name={name}][value=false]")
        if radio.count():
            radio.check()
    screenshot(phone, "broker-flow-3-task-ru")
    with phone.expect_navigation():
        phone.click("[data-action=complete]")

    deal_id = db.session.query(Deal.id).scalar()
    phone.goto(f"/portal/deals/{deal_id}")
    expect(phone.locator("[data-step]").first).to_have_attribute("data-step", "5")
    expect(phone.locator("[data-precheck]")).to_have_attribute("data-precheck", "passed")
    expect(phone.locator("[data-asked-none]")).to_be_visible()
    screenshot(phone, "broker-flow-4-posted-ru")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the deal's page is {width}px wide on a 390px phone"


def _deal(shop):
    return deals.register({**DEAL, "product_id": shop}, actor="partner1").id


@pytest.mark.parametrize("locale", ["ru", "vi", "en"])
def test_every_new_page_in_each_language_shows_no_english_word_and_no_raw_value(
        app, shop, new_page, live_server, screenshot, locale):
    with app.test_request_context():
        deal = _deal(shop)
    found = {}

    def read(page, name, path):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", locale)
        screenshot(page, f"broker-{name}-{locale}")
        page.evaluate(HIDE_CODE)
        if locale != "en" and (problems := failures(page.locator("main").inner_text())):
            found[path] = problems

    speaks("partner1", locale)
    phone = new_page(locale=locale, mobile=True)
    login(phone, live_server, "partner1")
    for name, path in (("portal-deals", "/portal/deals"), ("portal-deal", f"/portal/deals/{deal}"),
                       ("portal-new", "/portal/deals/new")):
        read(phone, name, path)
    speaks("brokerlead", locale)
    desk = new_page(locale=locale)
    login(desk, live_server, "brokerlead")
    for name, path in (("queue", "/broker/deals"), ("deal", f"/broker/deals/{deal}"),
                       ("products", "/broker/products"), ("product", f"/broker/products/{shop}")):
        read(desk, name, path)
    assert not found, "\n".join(f"{path}: {problems}" for path, problems in found.items())
