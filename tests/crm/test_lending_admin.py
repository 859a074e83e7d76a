"""What an admin sets up for loan referrals: companies, products, commission policies,
consultants' companies, and paying commissions (also two admins paying at one moment)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts import service
from accounts.models import User
from engine import audit
from engine.db import db
from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.models import AuditEvent
from processes.referrals import admin as lending_admin
from processes.referrals import payouts as lending_payouts
from processes.referrals.models import (
    Commission,
    CommissionPolicy,
    ConsultantCompany,
    FinanceCompany,
    LoanProduct,
    business_today,
)
from tests.conftest import ONE_BACKEND
from tests.crm import lending_factory as make
from tests.engine.helpers import race

# Admin rules, not the database's: one backend (PostgreSQL when there is one), as page tests.
pytestmark = pytest.mark.parametrize("database_url", ONE_BACKEND, indirect=True)

GOOD_PRODUCT = {"code": "cash_loan", "name": "Vay tiền mặt", "min_amount": "10,000,000",
                "max_amount": "70.000.000", "min_term_months": "6", "max_term_months": "36"}


def kinds(stream):
    return [e.kind for e in db.session.query(AuditEvent).filter_by(stream=stream).order_by(AuditEvent.seq)]


def refused(action, *args, **kwargs):
    with pytest.raises(ValidationError) as error:
        action(*args, **kwargs)
    return error.value.fields


# Companies --------------------------------------------------------------------------------------

def test_a_company_is_created_and_the_change_audited_in_the_admin_stream(ctx):
    company = lending_admin.save_company({"code": "FE_Credit", "name": " FE Credit "}, actor="admin")
    assert (company.code, company.name, company.active) == ("fe_credit", "FE Credit", True)
    assert kinds("lending:admin") == ["company_created"]
    assert audit.verify("lending:admin") == []


@pytest.mark.parametrize("values, field", [
    ({"code": "fe credit", "name": "FE"}, "code"),
    ({"code": "1fe", "name": "FE"}, "code"),
    ({"code": "", "name": "FE"}, "code"),
    ({"code": "existing", "name": "FE"}, "code"),
    ({"code": "fe", "name": "  "}, "name"),
    ({"code": "fe", "name": "x" * 201}, "name"),
])
def test_a_bad_company_is_refused_with_its_field_named_and_nothing_stored(ctx, values, field):
    make.company("existing", "Existing")
    assert field in refused(lending_admin.save_company, values, actor="admin")
    assert db.session.query(FinanceCompany).count() == 1
    assert kinds("lending:admin") == []


def test_a_company_is_deactivated_never_deleted_and_keeps_its_code(ctx):
    company = make.company()
    lending_admin.save_company({"code": "other", "name": "FE Credit Vietnam", "active": False},
                               actor="admin", company=company)
    db.session.expire_all()
    stored = db.session.get(FinanceCompany, company.id)
    assert (stored.code, stored.name, stored.active) == ("fe_credit", "FE Credit Vietnam", False)
    assert kinds("lending:admin") == ["company_changed"]


# Products ---------------------------------------------------------------------------------------

def test_a_product_is_stored_with_amounts_written_with_thousands_separators(ctx):
    company = make.company()
    product = lending_admin.save_product(GOOD_PRODUCT, actor="admin", company_id=company.id)
    assert (product.min_amount, product.max_amount) == (Decimal(10_000_000), Decimal(70_000_000))
    assert (product.min_term_months, product.max_term_months, product.active) == (6, 36, True)
    assert kinds("lending:admin")[-1] == "product_created"


@pytest.mark.parametrize("change, field", [
    ({"code": "Cash Loan"}, "code"),
    ({"code": "taken"}, "code"),                        # unique within the company
    ({"name": ""}, "name"),
    ({"min_amount": "ten million"}, "min_amount"),
    ({"min_amount": "0"}, "min_amount"),
    ({"min_amount": "-5000000"}, "min_amount"),
    ({"min_amount": "10.5"}, "min_amount"),             # VND has no fraction
    ({"max_amount": ""}, "max_amount"),
    ({"min_amount": "80,000,000"}, "max_amount"),       # min above max
    ({"min_term_months": "0"}, "min_term_months"),
    ({"max_term_months": "1.5"}, "max_term_months"),
    ({"max_term_months": "601"}, "max_term_months"),
    ({"min_term_months": "48"}, "max_term_months"),     # min above max
])
def test_a_bad_product_is_refused_with_its_field_named_and_nothing_stored(ctx, change, field):
    company = make.company()
    make.product(company.id, code="taken")
    assert field in refused(lending_admin.save_product, {**GOOD_PRODUCT, **change}, actor="admin",
                            company_id=company.id)
    assert db.session.query(LoanProduct).count() == 1


def test_every_problem_of_a_product_is_reported_at_once(ctx):
    company = make.company()
    values = {"code": "", "name": "", "min_amount": "9", "max_amount": "1", "min_term_months": "x",
              "max_term_months": "0"}
    fields = refused(lending_admin.save_product, values, actor="admin", company_id=company.id)
    assert set(fields) == {"code", "name", "max_amount", "min_term_months", "max_term_months"}


def test_two_companies_may_each_have_a_product_with_the_same_code(ctx):
    first, second = make.company("a", "A"), make.company("b", "B")
    make.product(first.id)
    assert lending_admin.save_product(GOOD_PRODUCT, actor="admin", company_id=second.id).code == "cash_loan"


def test_a_product_changes_its_limits_and_deactivates_but_keeps_its_code(ctx):
    product = make.product(make.company().id)
    lending_admin.save_product({**GOOD_PRODUCT, "code": "renamed", "max_term_months": "48", "active": False},
                               actor="admin", product=product)
    db.session.expire_all()
    stored = db.session.get(LoanProduct, product.id)
    assert (stored.code, stored.max_term_months, stored.active) == ("cash_loan", 48, False)


def test_a_product_of_an_unknown_company_is_not_found(ctx):
    with pytest.raises(NotFoundError):
        lending_admin.save_product(GOOD_PRODUCT, actor="admin", company_id=999)


# Commission policies ----------------------------------------------------------------------------

def test_a_policy_is_added_by_the_admin_with_a_rate_written_with_a_decimal_comma(ctx):
    product = make.product(make.company().id)
    policy = lending_admin.add_policy(product.id, {"rate_percent": "1,5", "valid_from": "2026-01-01"},
                                      actor="admin")
    assert (policy.rate_percent, policy.valid_from, policy.valid_to, policy.created_by) == (
        Decimal("1.5"), date(2026, 1, 1), None, "admin")
    assert kinds("lending:admin")[-1] == "commission_policy_created"


@pytest.mark.parametrize("values, field", [
    ({"rate_percent": "0", "valid_from": "2026-01-01"}, "rate_percent"),
    ({"rate_percent": "-1", "valid_from": "2026-01-01"}, "rate_percent"),
    ({"rate_percent": "100.001", "valid_from": "2026-01-01"}, "rate_percent"),
    ({"rate_percent": "abc", "valid_from": "2026-01-01"}, "rate_percent"),
    ({"rate_percent": "NaN", "valid_from": "2026-01-01"}, "rate_percent"),
    ({"rate_percent": "1.2345", "valid_from": "2026-01-01"}, "rate_percent"),
    ({"rate_percent": "2", "valid_from": ""}, "valid_from"),
    ({"rate_percent": "2", "valid_from": "31/13/2026"}, "valid_from"),   # no 13th month in any order
    ({"rate_percent": "2", "valid_from": "2026-02-01", "valid_to": "2026-01-31"}, "valid_to"),
])
def test_a_bad_policy_is_refused_with_its_field_named_and_nothing_stored(ctx, values, field):
    product = make.product(make.company().id)
    assert field in refused(lending_admin.add_policy, product.id, values, actor="admin")
    assert db.session.query(CommissionPolicy).count() == 0


def test_a_rate_of_exactly_100_percent_and_a_one_day_policy_are_accepted(ctx):
    product = make.product(make.company().id)
    policy = lending_admin.add_policy(product.id, {"rate_percent": "100", "valid_from": "2026-03-01",
                                                   "valid_to": "2026-03-01"}, actor="admin")
    assert policy.rate_percent == 100 and policy.valid_to == policy.valid_from


def test_an_unused_policy_may_be_ended_and_then_deleted(ctx):
    policy = make.policy(make.product(make.company().id).id)
    lending_admin.end_policy(policy.id, "2025-12-31", actor="admin")
    db.session.expire_all()
    assert db.session.get(CommissionPolicy, policy.id).valid_to == date(2025, 12, 31)
    lending_admin.delete_policy(policy.id, actor="admin")
    assert db.session.get(CommissionPolicy, policy.id) is None
    assert kinds("lending:admin")[-2:] == ["commission_policy_ended", "commission_policy_deleted"]


def test_a_policy_cannot_end_before_it_starts(ctx):
    policy = make.policy(make.product(make.company().id).id, valid_from=date(2025, 1, 1))
    assert "valid_to" in refused(lending_admin.end_policy, policy.id, "2024-12-31", actor="admin")
    assert "valid_to" in refused(lending_admin.end_policy, policy.id, "", actor="admin")
    db.session.expire_all()
    assert db.session.get(CommissionPolicy, policy.id).valid_to is None


def test_a_policy_a_commission_was_recorded_under_is_neither_ended_nor_deleted(ctx):
    policy = make.policy(make.product(make.company().id).id)
    make.commission(policy)
    for attempt in (lambda: lending_admin.end_policy(policy.id, "2025-12-31", actor="admin"),
                    lambda: lending_admin.delete_policy(policy.id, actor="admin")):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert "Add a new policy" in error.value.message
    db.session.expire_all()
    stored = db.session.get(CommissionPolicy, policy.id)
    assert stored is not None and stored.valid_to is None
    assert kinds("lending:admin") == []


def test_the_policy_list_shows_the_latest_starting_one_first(ctx):
    product_id = make.product(make.company().id).id
    old = make.policy(product_id, rate="2", valid_from=date(2025, 1, 1))
    new = make.policy(product_id, rate="3", valid_from=business_today() - timedelta(days=1))
    assert [p.id for p in lending_admin.policies(product_id)] == [new.id, old.id]


# Consultants ------------------------------------------------------------------------------------

@pytest.fixture
def consultants(ctx):
    for name in ("consultant1", "consultant2"):
        service.add_user(name, "secret-1", ["consultant"])
    service.add_user("sales1", "secret-1", ["sales"])
    db.session.commit()


def test_a_consultant_serves_the_ticked_companies_and_gets_a_normalised_phone(consultants):
    first, second = make.company("a", "A"), make.company("b", "B")
    lending_admin.save_consultant("consultant1", {"phone": "0162 345 6789", "companies": [str(first.id)]},
                                  actor="admin")
    both = [str(first.id), str(second.id)]
    lending_admin.save_consultant("consultant1", {"phone": "0162 345 6789", "companies": both}, actor="admin")
    assert db.session.query(User).filter_by(username="consultant1").one().phone == "+84323456789"
    assert lending_admin.served(["consultant1"]) == {"consultant1": {first.id, second.id}}
    lending_admin.save_consultant("consultant1", {"phone": "", "companies": []}, actor="admin")
    assert db.session.query(ConsultantCompany).count() == 0
    assert kinds("lending:admin") == ["consultant_changed"] * 3


def test_a_phone_another_consultant_has_is_refused_naming_them(consultants):
    lending_admin.save_consultant("consultant1", {"phone": "0901234567"}, actor="admin")
    same = {"phone": "+84 90 123 4567"}    # the same number written another way
    fields = refused(lending_admin.save_consultant, "consultant2", same, actor="admin")
    assert "consultant1" in fields["phone"]
    assert db.session.query(User).filter_by(username="consultant2").one().phone is None


@pytest.mark.parametrize("values, field", [
    ({"phone": "12345"}, "phone"),
    ({"companies": ["999"]}, "companies"),
    ({"companies": ["first"]}, "companies"),
])
def test_a_bad_consultant_setting_is_refused_and_nothing_stored(consultants, values, field):
    make.company()
    assert field in refused(lending_admin.save_consultant, "consultant1", values, actor="admin")
    assert db.session.query(ConsultantCompany).count() == 0


def test_only_an_active_consultant_is_set_up(consultants):
    with pytest.raises(NotFoundError):
        lending_admin.save_consultant("sales1", {"phone": "0901234567"}, actor="admin")


# Payouts ----------------------------------------------------------------------------------------

def test_marking_a_commission_paid_records_who_and_when_in_the_referrals_history(ctx):
    row = make.commission(make.policy(make.product(make.company().id).id))
    paid = lending_payouts.mark_paid(row.id, actor="admin")
    assert (paid.state, paid.paid_by) == ("paid", "admin") and paid.paid_at is not None
    assert kinds(f"referral:{row.referral_id}") == ["commission_paid"]


def test_marking_a_paid_commission_again_changes_nothing_and_names_who_paid_it(ctx):
    row = make.commission(make.policy(make.product(make.company().id).id))
    first = lending_payouts.mark_paid(row.id, actor="admin").paid_at
    with pytest.raises(ConflictError) as error:
        lending_payouts.mark_paid(row.id, actor="boss")
    assert error.value.winner == "admin" and "admin" in error.value.message
    db.session.expire_all()
    stored = db.session.get(Commission, row.id)
    assert (stored.paid_by, stored.paid_at) == ("admin", first)
    assert kinds(f"referral:{row.referral_id}") == ["commission_paid"]


def test_of_two_admins_marking_one_commission_at_one_moment_exactly_one_changes_it(ctx, settings):
    commission_id = make.commission(make.policy(make.product(make.company().id).id)).id

    def pay(actor):
        lending_payouts.mark_paid(commission_id, actor=actor)

    outcomes = race(settings, ["admin1", "admin2"], pay)
    won = [actor for actor, kind, _ in outcomes if kind == "won"]
    assert len(won) == 1, outcomes
    assert [(kind, named) for actor, kind, named in outcomes if actor != won[0]] == [("conflict", won[0])]
    db.session.expire_all()
    stored = db.session.get(Commission, commission_id)
    assert (stored.state, stored.paid_by) == ("paid", won[0])
    assert kinds(f"referral:{stored.referral_id}") == ["commission_paid"]


def test_marking_an_unknown_commission_is_not_found(ctx):
    with pytest.raises(NotFoundError):
        lending_payouts.mark_paid(999, actor="admin")


def test_commissions_are_filtered_by_state_and_referrer_with_their_total(ctx):
    policy = make.policy(make.product(make.company().id).id)
    mine = make.commission(policy, referrer="partner1", phone="+84901000001")
    make.commission(policy, referrer="partner2", phone="+84901000002")
    lending_payouts.mark_paid(mine.id, actor="admin")
    rows, more = lending_payouts.commissions(state="pending")
    assert [r.referrer for r in rows] == ["partner2"] and not more
    assert [r.id for r in lending_payouts.commissions(referrer="partner1")[0]] == [mine.id]
    assert lending_payouts.total(state="paid") == Decimal("1500000.00")
    assert lending_payouts.referrers() == ["partner1", "partner2"]
