"""Loan referrals (seed 000, issue 6): the fields, one referral in progress per customer
(also when submissions race from separate processes), and the commission in force."""
from datetime import date
from decimal import Decimal

import pytest

from engine.db import db
from engine.errors import ConflictError, ValidationError
from processes.referrals import referrals
from processes.referrals.models import CommissionPolicy, FinanceCompany, LoanProduct, Referral
from tests.engine.helpers import race


def catalogue():
    company = FinanceCompany(code="fe_credit", name="FE Credit")
    db.session.add(company)
    db.session.flush()
    product = LoanProduct(company_id=company.id, code="cash_loan", name="Vay tiền mặt",
                          min_amount=Decimal(10_000_000), max_amount=Decimal(70_000_000),
                          min_term_months=6, max_term_months=36)
    db.session.add(product)
    db.session.commit()
    return product.id


def referral(product, **extra):
    return {"customer_name": "Nguyễn Văn Vay", "phone": "0162 345 6789", "national_id": "079123456789",
            "product_id": product, "customer_status": "salaried", "amount": "30000000",
            "term_months": 12, "consultant_choice": "auto", "cross_sell_consent": False, **extra}


def test_a_referral_is_stored_in_progress_with_the_phone_in_todays_form(ctx):
    stored = referrals.submit(referral(catalogue()), actor="partner1")
    # 0162 is an old 11-digit mobile prefix, today 032
    assert (stored.state, stored.phone, stored.referrer) == ("in_progress", "+84323456789", "partner1")
    assert stored.amount == Decimal(30_000_000) and stored.cross_sell_consent is False


@pytest.mark.parametrize("change, field", [
    ({"customer_name": ""}, "customer_name"),
    ({"phone": "12345"}, "phone"),
    ({"national_id": "12AB"}, "national_id"),
    ({"product_id": 999}, "product_id"),
    ({"customer_status": "astronaut"}, "customer_status"),
    ({"amount": "5000000"}, "amount"),             # below the product's minimum
    ({"amount": "lots"}, "amount"),
    ({"term_months": 60}, "term_months"),
    ({"consultant_choice": "phone"}, "consultant_phone"),
    ({"cross_sell_consent": "maybe"}, "cross_sell_consent"),
])
def test_a_bad_field_is_named_and_nothing_is_stored(ctx, change, field):
    with pytest.raises(ValidationError) as refused:
        referrals.submit(referral(catalogue(), **change), actor="partner1")
    assert field in refused.value.fields
    assert db.session.query(Referral).count() == 0


def test_a_second_referral_is_refused_naming_the_holder_until_the_first_has_its_result(ctx):
    product_id = catalogue()
    first = referrals.submit(referral(product_id), actor="partner1")
    with pytest.raises(ConflictError) as refused:
        referrals.submit(referral(product_id, phone="+84 32 345 6789"), actor="partner2")   # same person
    assert refused.value.winner == "partner1" and "partner1" in refused.value.message
    first.state = "failed"
    db.session.commit()
    assert referrals.submit(referral(product_id), actor="partner2").referrer == "partner2"


def test_of_simultaneous_referrals_from_separate_processes_exactly_one_is_in_progress(ctx, settings):
    product_id = catalogue()

    def send(actor):
        referrals.submit(referral(product_id), actor=actor)

    outcomes = race(settings, [f"partner{n}" for n in range(1, 7)], send)
    assert sorted(kind for _actor, kind, _winner in outcomes).count("won") == 1, outcomes
    winner = next(actor for actor, kind, _ in outcomes if kind == "won")
    assert all(kind == "conflict" and named == winner for actor, kind, named in outcomes if actor != winner)
    db.session.expire_all()
    assert db.session.query(Referral).filter_by(state="in_progress").count() == 1


def test_the_commission_is_the_policy_in_force_on_the_day(ctx):
    product_id = catalogue()
    db.session.add_all([
        CommissionPolicy(product_id=product_id, rate_percent=Decimal("1.5"), valid_from=date(2026, 1, 1),
                         valid_to=date(2026, 6, 30), created_by="admin"),
        CommissionPolicy(product_id=product_id, rate_percent=Decimal("2.0"), valid_from=date(2026, 7, 1),
                         created_by="admin"),
    ])
    db.session.commit()
    assert referrals.commission_rate(product_id, date(2026, 6, 30)) == Decimal("1.500")
    assert referrals.commission_rate(product_id, "2026-11-22") == Decimal("2.000")
    assert referrals.commission_rate(product_id, date(2025, 12, 31)) is None
