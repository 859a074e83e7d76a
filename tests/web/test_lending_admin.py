"""The loan referral admin pages: only admins open them; bad input is shown with its field
marked and nothing stored; companies, products, policies, consultants, settings, payouts."""
from datetime import date

import pytest

from accounts.models import User
from engine.db import db
from processes.referrals import settings as referral_settings
from processes.referrals.models import (
    Commission,
    CommissionPolicy,
    ConsultantCompany,
    FinanceCompany,
    LoanProduct,
    business_today,
)
from tests.crm import lending_factory as make
from tests.web.conftest import post

PAGES = ["/lending/admin/companies", "/lending/admin/products", "/lending/admin/policies",
         "/lending/admin/consultants", "/lending/admin/settings", "/lending/admin/commissions"]


def row_of(html, policy_id):
    return html.split(f'data-policy-row="{policy_id}"')[1].split("</tr>")[0]


@pytest.fixture
def catalogue(users):
    """A company, a product with a policy from 2025, and one pending commission of partner1."""
    product = make.product(make.company().id)
    policy = make.policy(product.id, rate="2.5", valid_from=date(2025, 1, 1))
    commission = make.commission(policy)
    return {"company": product.company_id, "product": product.id, "policy": policy.id,
            "commission": commission.id}


def test_an_admin_opens_every_section_with_the_tabs_between_them(catalogue, sign_in):
    admin = sign_in("admin")
    for page in PAGES + [f"/lending/admin/companies/{catalogue['company']}/products",
                         f"/lending/admin/products/{catalogue['product']}/policies"]:
        response = admin.get(page, follow_redirects=True)
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        assert all(tab in html for tab in PAGES), page


@pytest.mark.parametrize("username", ["sales1", "partner1", "consultant1", "manager"])
def test_anyone_but_an_admin_is_refused_every_page_and_every_change(catalogue, sign_in, username):
    client = sign_in(username)
    for page in PAGES:
        assert client.get(page).status_code == 403, page
    assert post(client, "/lending/admin/companies", {"code": "mirae", "name": "Mirae"}).status_code == 403
    assert post(client, f"/lending/admin/commissions/{catalogue['commission']}/paid").status_code == 403
    assert db.session.query(FinanceCompany).count() == 1
    assert db.session.get(Commission, catalogue["commission"]).state == "pending"


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(app):
    response = app.test_client().get("/lending/admin/companies")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_admin_adds_renames_and_deactivates_a_company(users, sign_in):
    admin = sign_in("admin")
    created = post(admin, "/lending/admin/companies", {"code": "mirae", "name": "Mirae Asset"})
    assert created.status_code == 302
    company = db.session.query(FinanceCompany).filter_by(code="mirae").one()
    changed = post(admin, f"/lending/admin/companies/{company.id}", {"name": "Mirae Asset Finance"})
    assert changed.status_code == 302
    db.session.expire_all()
    company = db.session.get(FinanceCompany, company.id)
    assert (company.name, company.active) == ("Mirae Asset Finance", False)      # the box was not ticked
    assert "inactive" in admin.get("/lending/admin/companies").get_data(as_text=True)


def test_a_bad_company_is_shown_again_with_its_field_marked_and_nothing_stored(catalogue, sign_in):
    response = post(sign_in("admin"), "/lending/admin/companies", {"code": "fe_credit", "name": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and html.count("is-invalid") == 2
    assert "A finance company with this code exists." in html and "This field is required." in html
    assert db.session.query(FinanceCompany).count() == 1


def test_an_admin_adds_a_product_with_amounts_written_with_separators(catalogue, sign_in):
    admin = sign_in("admin")
    assert admin.get("/lending/admin/products").headers["Location"].endswith(
        f"/lending/admin/companies/{catalogue['company']}/products")
    response = post(admin, f"/lending/admin/companies/{catalogue['company']}/products", {
        "code": "card_loan", "name": "Vay theo thẻ", "min_amount": "5.000.000", "max_amount": "50,000,000",
        "min_term_months": "6", "max_term_months": "24"})
    assert response.status_code == 302
    product = db.session.query(LoanProduct).filter_by(code="card_loan").one()
    assert (product.min_amount, product.max_amount) == (5_000_000, 50_000_000)
    html = admin.get(f"/lending/admin/companies/{catalogue['company']}/products").get_data(as_text=True)
    assert "5,000,000" in html and "50,000,000" in html


def test_a_bad_product_marks_every_bad_field_at_once_and_stores_nothing(catalogue, sign_in):
    response = post(sign_in("admin"), f"/lending/admin/companies/{catalogue['company']}/products", {
        "code": "Bad Code", "name": "Vay", "min_amount": "90,000,000", "max_amount": "50,000,000",
        "min_term_months": "0", "max_term_months": "12"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("code-new", "max_amount-new", "min_term_months-new"):
        assert f'is-invalid" type="text" id="{field}"' in html, field
    assert "The largest amount must not be below the smallest." in html
    assert 'value="90,000,000"' in html                      # what was typed is kept
    assert db.session.query(LoanProduct).count() == 1


def test_a_product_is_deactivated_from_its_row(catalogue, sign_in):
    response = post(sign_in("admin"), f"/lending/admin/products/{catalogue['product']}", {
        "name": "Vay tiền mặt", "min_amount": "10000000", "max_amount": "70000000",
        "min_term_months": "6", "max_term_months": "36"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(LoanProduct, catalogue["product"]).active is False


def test_the_policy_in_force_today_is_marked_and_an_admin_adds_one(catalogue, sign_in):
    admin = sign_in("admin")
    overview = admin.get("/lending/admin/policies").get_data(as_text=True)
    assert "2.5 %" in overview
    page = f"/lending/admin/products/{catalogue['product']}/policies"
    html = admin.get(page).get_data(as_text=True)
    assert "data-in-force" in row_of(html, catalogue["policy"])
    today = business_today().isoformat()
    assert post(admin, page, {"rate_percent": "3", "valid_from": today}).status_code == 302
    newest = db.session.query(CommissionPolicy).order_by(CommissionPolicy.id.desc()).first()
    assert (newest.rate_percent, newest.created_by) == (3, "admin")
    html = admin.get(page).get_data(as_text=True)
    assert "data-in-force" in row_of(html, newest.id)
    assert "data-in-force" not in row_of(html, catalogue["policy"])


def test_a_bad_policy_is_refused_with_its_field_marked_and_nothing_stored(catalogue, sign_in):
    response = post(sign_in("admin"), f"/lending/admin/products/{catalogue['product']}/policies",
                    {"rate_percent": "120", "valid_from": "2026-02-01", "valid_to": "2026-01-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and html.count("is-invalid") == 2
    assert "Enter a rate greater than 0 and at most 100 (percent)." in html
    assert db.session.query(CommissionPolicy).count() == 1


def test_a_used_policy_is_refused_with_a_clear_message_and_an_unused_one_is_ended_and_deleted(
        catalogue, sign_in):
    admin = sign_in("admin")
    used = catalogue["policy"]
    response = post(admin, f"/lending/admin/policies/{used}/delete")
    assert response.status_code == 422
    assert "Commissions were recorded under this policy" in response.get_data(as_text=True)
    assert post(admin, f"/lending/admin/policies/{used}/end", {"valid_to": "2025-12-31"}).status_code == 422
    db.session.expire_all()
    assert db.session.get(CommissionPolicy, used).valid_to is None
    spare = make.policy(catalogue["product"], rate="1", valid_from=date(2030, 1, 1))
    before_start = post(admin, f"/lending/admin/policies/{spare.id}/end", {"valid_to": "2029-12-31"})
    assert before_start.status_code == 422
    ended = post(admin, f"/lending/admin/policies/{spare.id}/end", {"valid_to": "2030-06-30"})
    assert ended.status_code == 302
    db.session.expire_all()
    assert db.session.get(CommissionPolicy, spare.id).valid_to == date(2030, 6, 30)
    assert post(admin, f"/lending/admin/policies/{spare.id}/delete").status_code == 302
    assert db.session.get(CommissionPolicy, spare.id) is None


def test_an_admin_ticks_a_consultants_companies_and_sets_their_phone(catalogue, sign_in):
    admin = sign_in("admin")
    page = admin.get("/lending/admin/consultants").get_data(as_text=True)
    assert 'data-consultant-row="consultant1"' in page and 'data-consultant-row="sales1"' not in page
    response = post(admin, "/lending/admin/consultants/consultant1",
                    {"phone": "0901 234 567", "companies": [str(catalogue["company"])]})
    assert response.status_code == 302
    assert db.session.query(User).filter_by(username="consultant1").one().phone == "+84901234567"
    assert db.session.query(ConsultantCompany).filter_by(username="consultant1").count() == 1


def test_a_consultant_phone_taken_by_another_is_refused_next_to_the_field(catalogue, sign_in):
    admin = sign_in("admin")
    post(admin, "/lending/admin/consultants/consultant1", {"phone": "0901234567"})
    response = post(admin, "/lending/admin/consultants/consultant2",
                    {"phone": "+84901234567", "companies": [str(catalogue["company"])]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Consultant consultant1 has this phone number." in html
    assert db.session.query(User).filter_by(username="consultant2").one().phone is None
    assert db.session.query(ConsultantCompany).count() == 0


def test_settings_are_explained_saved_and_refused_next_to_their_field(users, sign_in):
    admin = sign_in("admin")
    html = admin.get("/lending/admin/settings").get_data(as_text=True)
    assert "PT2H" in html and "2 hours" in html and "How long a consultant has to accept" in html
    form = {"accept_within": "PT4H", "consent_remind_after": "PT12H", "consent_expires_after": "P2D",
            "max_load": "20"}
    assert post(admin, "/lending/admin/settings", form).status_code == 302
    assert referral_settings.current() == {**form}
    response = post(admin, "/lending/admin/settings",
                    {**form, "consent_remind_after": "P5D", "max_load": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and html.count("is-invalid") == 2
    assert "The reminder must come before the request expires." in html
    db.session.expire_all()
    assert referral_settings.current() == {**form}


def test_payouts_are_listed_with_amounts_filtered_and_marked_paid_once(catalogue, sign_in):
    admin = sign_in("admin")
    html = admin.get("/lending/admin/commissions?state=pending").get_data(as_text=True)
    assert "60,000,000" in html and "1,500,000" in html and "Mark paid" in html
    assert 'data-commission-row' not in admin.get(
        "/lending/admin/commissions?referrer=partner2").get_data(as_text=True)
    page = f"/lending/admin/commissions/{catalogue['commission']}/paid"
    assert post(admin, page, {"state": "pending"}).headers["Location"].endswith("/commissions?state=pending")
    again = post(admin, page)
    assert again.status_code == 409
    assert "already marked paid by admin" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Commission, catalogue["commission"]).paid_by == "admin"
    assert "data-commission-row" not in admin.get("/lending/admin/commissions?state=pending").get_data(
        as_text=True)
