"""A loan referral end to end in real browsers, with a real worker and Redis (seed 000).

partner2 refers a customer from a phone-sized screen without cross-sell consent; the
case starts through the outbox and the worker; consultant1 finds the offer in the
inbox, accepts it, finds the customer not eligible for the cash loan and names another
product; partner2 is asked on the portal and allows it; the consultant records the
disbursement; the commission shows in partner2's portal.
"""
import re

import pytest
from playwright.sync_api import expect

from engine.db import db
from processes.referrals.models import Commission, Referral
from tests.conftest import wait_for
from tests.e2e.conftest import login, one_backend
from tests.referral_data import catalogue, deploy_procedure

pytestmark = [one_backend, pytest.mark.slow]

CUSTOMER = "Trần Thị Mai Anh"


@pytest.fixture
def shop(app, demo_users):
    products = catalogue(with_people=False)
    deploy_procedure()
    db.session.commit()
    return products


def reread():
    db.session.rollback()
    db.session.expire_all()


def the_referral():
    reread()
    return db.session.query(Referral).filter_by(customer_name=CUSTOMER).one_or_none()


def open_task(page, title):
    page.goto("/inbox")
    row = page.locator("[data-task]").filter(has_text=CUSTOMER).filter(has_text=title)
    row.locator("a[href^='/tasks/']").first.click()
    expect(page.locator("[data-action=complete]")).to_be_visible()


def test_a_referral_from_a_phone_to_a_consented_cross_sell_and_a_commission(
        shop, worker, new_page, live_server, screenshot):
    worker()

    # 1. The referrer, on a phone, in Vietnamese, sends the customer.
    phone = new_page(locale="vi", mobile=True)
    login(phone, live_server, "partner2")
    expect(phone).to_have_url(re.compile(r"/portal$"))
    phone.goto("/portal/referrals/new")
    phone.fill("input[name=customer_name]", CUSTOMER)
    phone.fill("input[name=phone]", "0987 654 321")
    phone.select_option("select[name=company_id]", str(shop.fe_credit))
    phone.select_option("select[name=product_id]", str(shop.cash_loan))
    phone.select_option("select[name=customer_status]", "salaried")
    phone.fill("input[name=amount]", "40000000")
    phone.fill("input[name=term_months]", "24")
    phone.locator("label[for=pt-consent-no]").click()
    screenshot(phone, "referral-1-new-vi")
    with phone.expect_navigation():
        phone.click("button.pt-cta")
    referral = the_referral()
    assert referral is not None and referral.state == "in_progress" and referral.cross_sell_consent is False
    expect(phone).to_have_url(re.compile(rf"/portal/referrals/{referral.id}$"))
    screenshot(phone, "referral-2-sent-vi")

    # 2. The worker starts the case; consultant1 (the best available of FE Credit) is offered it.
    wait_for(lambda: the_referral().instance_id is not None, timeout=30)
    desk = new_page(locale="vi")
    login(desk, live_server, "consultant1")
    open_task(desk, "Nhận hồ sơ giới thiệu")
    screenshot(desk, "referral-3-offer-vi")
    desk.check("input[name=decision][value=accept]")
    with desk.expect_navigation():
        desk.click("[data-action=complete]")

    # 3. Not eligible for the cash loan; the consumer loan of Home Credit fits.
    open_task(desk, "Tư vấn hồ sơ và trả kết quả")
    desk.check("input[name=result][value=not_eligible]")
    desk.select_option("select[name=cross_sell_product_id]", str(shop.consumer_loan))
    screenshot(desk, "referral-4-not-eligible-vi")
    with desk.expect_navigation():
        desk.click("[data-action=complete]")
    assert the_referral().cross_sell_state == "requested"

    # 4. The referrer allows the cross-sell from the portal's home.
    phone.goto("/portal")
    request = phone.locator(f"[data-request='{referral.id}']")
    expect(request).to_be_visible()
    screenshot(phone, "referral-5-request-vi")
    with phone.expect_navigation():
        request.locator("button[value=yes]").click()
    assert the_referral().cross_sell_state == "approved"

    # 5. The consultant records the disbursement of the consumer loan.
    open_task(desk, "Tư vấn hồ sơ và trả kết quả")
    desk.check("input[name=result][value=disbursed]")
    desk.fill("input[name=disbursed_amount]", "35000000")
    with desk.expect_navigation():
        desk.click("[data-action=complete]")
    wait_for(lambda: the_referral().state == "disbursed", timeout=10)
    commission = db.session.query(Commission).filter_by(referral_id=referral.id).one()
    assert commission.amount == 1_050_000   # 3 % of the consumer loan's 35 million, the policy in force today

    # 6. The commission is in the portal, pending payment.
    phone.goto("/portal/commissions")
    expect(phone.locator("body")).to_contain_text(re.compile(r"1[.,\s]050[.,\s]000"))
    screenshot(phone, "referral-6-commission-vi")
    phone.goto(f"/portal/referrals/{referral.id}")
    screenshot(phone, "referral-7-history-vi")
