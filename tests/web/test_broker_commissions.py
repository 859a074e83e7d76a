"""The admin's pages of the partners' commissions (issue 15, step 12): policies listed,
added and ended (an overlap refused with the policy named, in the reader's language), the
payouts with totals in the reader's format, paid once (the second click a 409 naming who)."""
from datetime import timedelta

import pytest

from engine.db import db
from processes.broker import commissions
from processes.broker.commission_models import Commission, CommissionPolicy
from tests.broker_data import deploy, people, product, to_commission
from tests.engine.helpers import complete
from tests.web.conftest import post

PAGES = ("/broker/admin/commission-policies", "/broker/admin/commissions")


@pytest.fixture
def settings(settings):
    return {**settings, "TASKLANE_TEST_HOOKS": True}


@pytest.fixture
def shop(app, users):
    with app.test_request_context():
        people()
        product_id = product()
        deploy()
    return product_id


def earn(app, product_id, approved_amount):
    with app.test_request_context():
        deal_id, case = to_commission(product_id, approved_amount=approved_amount)
        complete(case, "commission", {"payment_received": True, "act_signed": True}, actor="analyst1")
    return db.session.query(Commission).filter_by(deal_id=deal_id).one().id


@pytest.mark.parametrize("path", PAGES)
def test_only_an_admin_opens_the_commission_pages(sign_in, shop, path):
    assert sign_in("admin").get(path).status_code == 200
    assert sign_in("manager").get(path).status_code == 403


def test_an_admin_adds_a_policy_and_an_overlapping_one_is_refused_in_russian(sign_in, shop):
    admin = sign_in("admin")
    post(admin, "/language", {"language": "ru"})
    today = commissions.today()
    form = {"product_id": str(shop), "rate_percent": "3,25", "valid_from": today.isoformat(), "valid_to": ""}
    response = post(admin, "/broker/admin/commission-policies", form)
    assert response.status_code == 302
    [policy] = db.session.query(CommissionPolicy).all()
    assert str(policy.rate_percent) == "3.250" and policy.created_by == "admin"
    later = {**form, "rate_percent": "2", "valid_from": (today + timedelta(days=3)).isoformat()}
    refused = post(admin, "/broker/admin/commission-policies", later)
    assert refused.status_code == 422
    assert "пересекаются со ставкой 3,25%" in refused.get_data(as_text=True)
    assert db.session.query(CommissionPolicy).count() == 1
    ended = post(admin, f"/broker/admin/commission-policies/{policy.id}/end",
                 {"valid_to": (today + timedelta(days=2)).isoformat()})
    assert ended.status_code == 302
    assert post(admin, "/broker/admin/commission-policies", later).status_code == 302
    assert db.session.query(CommissionPolicy).count() == 2


def test_the_payouts_show_totals_in_the_readers_format_and_pay_once(app, sign_in, shop):
    target = earn(app, shop, 10_000_000)
    admin = sign_in("admin")
    post(admin, "/language", {"language": "ru"})
    html = admin.get("/broker/admin/commissions").get_data(as_text=True)
    assert f'data-commission-row="{target}"' in html and "250\xa0000,00\xa0₽" in html
    assert post(admin, f"/broker/admin/commissions/{target}/paid").status_code == 302
    again = post(sign_in("admin"), f"/broker/admin/commissions/{target}/paid")
    assert again.status_code == 409 and "admin" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Commission, target).paid_by == "admin"
