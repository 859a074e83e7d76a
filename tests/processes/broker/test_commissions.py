"""The partner's commission (issue 15, step 12) through processes.broker and the engine: the
rate in force on the day it is earned (a product's policy, else every product's, else
2.5%), kopecks rounded half up, earned once when payment and signed act are both in (either
order), policies never overlapping, and paid once even when two admins pay at one moment."""
import threading
from datetime import timedelta
from decimal import Decimal

import pytest

from accounts import service
from engine.db import db
from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.models import AuditEvent, Outbox
from processes.broker import commission_policies, commissions
from processes.broker.commission_models import Commission, CommissionPolicy
from processes.broker.models import Deal
from tests.broker_data import deploy, people, product, to_commission
from tests.engine.helpers import complete, instance, open_tasks


@pytest.fixture
def settings(settings):
    return {**settings, "TASKLANE_TEST_HOOKS": True}


@pytest.fixture
def shop(app):
    with app.test_request_context():
        service.ensure_roles()
        people()
        product_id = product()
        deploy()
        yield product_id


def fresh(deal_id):
    db.session.expire_all()
    return db.session.get(Deal, deal_id)


def commission_of(deal_id):
    db.session.expire_all()
    return db.session.query(Commission).filter_by(deal_id=deal_id).all()


def policy(product_id, rate, first, last=None):
    return commission_policies.add_policy(
        {"product_id": "" if product_id is None else str(product_id), "rate_percent": rate,
         "valid_from": first.isoformat(), "valid_to": last.isoformat() if last else ""}, actor="admin")


def earned(product_id, approved_amount=15_000_000, **changes):
    deal_id, case = to_commission(product_id, approved_amount=approved_amount, **changes)
    complete(case, "commission", {"payment_received": True, "act_signed": True}, actor="analyst1")
    [row] = commission_of(deal_id)
    return row


def test_without_a_policy_the_partner_earns_two_and_a_half_percent_of_the_approved_loan(shop):
    row = earned(shop, approved_amount=12_000_000)
    assert (row.rate_percent, row.base_amount) == (Decimal("2.5"), Decimal("12000000"))
    assert row.amount == Decimal("300000")
    assert (row.state, row.partner, row.policy_id, row.currency) == ("earned", "partner1", None, "RUB")
    assert fresh(row.deal_id).approved_amount == Decimal("12000000.00")


def test_the_approved_amount_not_the_amount_wanted_is_the_base(shop):
    row = earned(shop, approved_amount=10_000_000, amount="15000000")
    assert row.base_amount == Decimal("10000000") and row.amount == Decimal("250000")


def test_the_amount_is_rounded_to_kopecks_half_up(shop):
    row = earned(shop, approved_amount=1_234_567.89)
    assert row.amount == Decimal("30864.20")   # 30 864.19725
    assert commissions.amount_of(Decimal("100.20"), Decimal("2.5")) == Decimal("2.51")  # 2.505: half up
    assert commissions.amount_of(Decimal("1000001"), Decimal("1.125")) == Decimal("11250.01")


def test_the_policy_in_force_on_the_day_earned_sets_the_rate(shop):
    today = commissions.today()
    policy(shop, "3", today - timedelta(days=30), today - timedelta(days=1))   # ended yesterday
    current = policy(shop, "1.75", today, today + timedelta(days=29))           # from today on
    policy(shop, "4", today + timedelta(days=30))                               # later
    row = earned(shop, approved_amount=10_000_000)
    assert (row.rate_percent, row.amount, row.policy_id) == (Decimal("1.75"), Decimal("175000"), current.id)
    assert row.earned_on == today


def test_a_products_own_policy_goes_before_the_one_for_every_product(shop):
    today = commissions.today()
    every = policy(None, "2", today - timedelta(days=10))
    assert commissions.rate_on(shop, today) == (Decimal("2"), every)
    own = policy(shop, "3.5", today - timedelta(days=5), today + timedelta(days=5))
    assert commissions.rate_on(shop, today) == (Decimal("3.5"), own)
    assert commissions.rate_on(shop, today + timedelta(days=6)) == (Decimal("2"), every)
    assert commissions.rate_on(shop, today - timedelta(days=11)) == (Decimal("2.5"), None)


def test_overlapping_periods_of_the_same_product_are_refused_with_the_policy_named(shop):
    today = commissions.today()
    policy(shop, "3", today, today + timedelta(days=30))
    with pytest.raises(ValidationError) as refused:
        policy(shop, "2", today + timedelta(days=30))
    assert "overlap" in refused.value.fields["valid_from"] and "3%" in refused.value.fields["valid_from"]
    with pytest.raises(ValidationError):
        policy(shop, "2", today - timedelta(days=5))   # no last day: runs into it
    policy(shop, "2", today + timedelta(days=31))      # the day after: fine
    policy(None, "2", today)                           # every product is its own scope
    assert db.session.query(CommissionPolicy).count() == 3


def test_a_policy_refused_names_each_bad_field_and_stores_nothing(shop):
    today = commissions.today()
    with pytest.raises(ValidationError) as refused:
        commission_policies.add_policy({"product_id": "999999", "rate_percent": "0", "valid_from": "soon",
                                        "valid_to": (today - timedelta(days=1)).isoformat()}, actor="admin")
    assert {"rate_percent", "valid_from"} <= set(refused.value.fields)
    with pytest.raises(ValidationError) as unknown:
        policy(999_999, "2", today)
    assert set(unknown.value.fields) == {"product_id"}
    with pytest.raises(ValidationError) as backwards:
        policy(shop, "2", today, today - timedelta(days=1))
    assert set(backwards.value.fields) == {"valid_to"}
    assert db.session.query(CommissionPolicy).count() == 0


def test_ending_a_policy_sets_its_last_day_but_not_before_a_commission_earned_under_it(shop):
    today = commissions.today()
    used = policy(shop, "3", today - timedelta(days=3))
    earned(shop)
    with pytest.raises(ValidationError) as refused:
        before = {"valid_to": (today - timedelta(days=1)).isoformat()}
        commission_policies.end_policy(used.id, before, actor="admin")
    assert "valid_to" in refused.value.fields
    ended = commission_policies.end_policy(used.id, {"valid_to": today.isoformat()}, actor="admin")
    assert ended.valid_to == today
    assert commissions.rate_on(shop, today + timedelta(days=1)) == (Decimal("2.5"), None)
    with pytest.raises(NotFoundError):
        commission_policies.end_policy(999_999, {"valid_to": today.isoformat()}, actor="admin")
    kinds = [e.kind for e in db.session.query(AuditEvent).filter_by(stream=commission_policies.STREAM)]
    assert kinds == ["commission_policy_created", "commission_policy_ended"]


@pytest.mark.parametrize("first, second", [({"payment_received": True, "act_signed": False},
                                             {"payment_received": False, "act_signed": True}),
                                            ({"payment_received": False, "act_signed": True},
                                             {"payment_received": True, "act_signed": False})],
                         ids=["payment first", "act first"])
def test_the_commission_is_earned_once_both_are_in_in_either_order(shop, first, second):
    deal_id, case = to_commission(shop)
    complete(case, "commission", first, actor="analyst1")
    assert commission_of(deal_id) == [] and fresh(deal_id).state == "open"
    assert set(open_tasks(case)) == {"commission"}
    complete(case, "commission", {"payment_received": False, "act_signed": False}, actor="analyst1")
    assert commission_of(deal_id) == [] and set(open_tasks(case)) == {"commission"}
    complete(case, "commission", second, actor="analyst1")
    [row] = commission_of(deal_id)
    deal = fresh(deal_id)
    assert (deal.state, deal.step, row.state) == ("completed", 12, "earned")
    assert deal.payment_received_at is not None and deal.act_signed_at is not None
    assert instance(case).status == "completed"
    kinds = [e.kind for e in db.session.query(AuditEvent).filter_by(stream=f"deal:{deal_id}")]
    assert kinds.count("commission_earned") == 1
    bells = db.session.query(Outbox).filter_by(recipient="partner1", kind="deal_commission_earned")
    assert bells.count() == 1


def test_earning_again_records_nothing_more(shop):
    row = earned(shop)
    deal = fresh(row.deal_id)
    assert commissions.earn(deal).id == row.id
    assert commissions.record_receipts(deal, payment=True, act=True) is True
    db.session.commit()
    assert len(commission_of(row.deal_id)) == 1


def test_a_commission_is_not_earned_without_both_receipts(shop):
    deal_id, _case = to_commission(shop)
    with pytest.raises(ValueError, match="payment"):
        commissions.earn(fresh(deal_id))
    assert commission_of(deal_id) == []


def test_an_admin_marks_a_commission_paid_once_and_the_second_is_told_who(shop):
    row = earned(shop)
    paid = commissions.mark_paid(row.id, actor="admin")
    assert (paid.state, paid.paid_by, paid.version) == ("paid", "admin", 2) and paid.paid_at is not None
    with pytest.raises(ConflictError) as again:
        commissions.mark_paid(row.id, actor="manager")
    assert again.value.winner == "admin" and "admin" in again.value.message
    with pytest.raises(NotFoundError):
        commissions.mark_paid(999_999, actor="admin")
    assert db.session.query(Outbox).filter_by(recipient="partner1", kind="deal_commission_paid").count() == 1


def test_two_admins_paying_at_one_moment_pay_once(app, shop):
    commission_id = earned(shop).id
    barrier = threading.Barrier(2)
    results = {}

    def pay(admin):
        with app.app_context(), app.test_request_context():
            barrier.wait(timeout=10)
            try:
                results[admin] = commissions.mark_paid(commission_id, actor=admin).paid_by
            except ConflictError as error:
                results[admin] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=pay, args=(name,)) for name in ("admin", "admin2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [name for name, result in results.items() if result == name]
    losers = [result for result in results.values() if isinstance(result, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].winner == winners[0]
    db.session.expire_all()
    row = db.session.get(Commission, commission_id)
    assert (row.state, row.paid_by, row.version) == ("paid", winners[0], 2)
    stream = f"deal:{row.deal_id}"
    assert db.session.query(AuditEvent).filter_by(stream=stream, kind="commission_paid").count() == 1


def test_totals_count_earned_pending_and_paid_per_partner(shop):
    first = earned(shop, approved_amount=10_000_000)
    earned(shop, approved_amount=4_000_000)
    earned(shop, approved_amount=2_000_000, partner="partner2")
    commissions.mark_paid(first.id, actor="admin")
    assert commissions.totals(partner="partner1") == {
        "earned": Decimal("350000.00"), "pending": Decimal("100000.00"), "paid": Decimal("250000.00")}
    assert commissions.totals()["earned"] == Decimal("400000.00")
    rows, total = commissions.listed(partner="partner2")
    assert total == 1 and rows[0].partner == "partner2"
    assert commissions.partners() == ["partner1", "partner2"]
