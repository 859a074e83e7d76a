"""bpmn/loan_referral.bpmn (seed 000: loan referral with cross-sell consent), path by path,
through processes.referrals.helpers and the engine, on SQLite and PostgreSQL."""
from datetime import timedelta
from decimal import Decimal

import pytest

import engine
from accounts import service
from engine import testclock
from engine.db import db
from engine.errors import ConflictError, NotFoundError
from engine.models import AuditEvent, Outbox
from processes.referrals import helpers as procedure
from processes.referrals import settings as referral_settings
from processes.referrals.models import Commission, CommissionPolicy, Offer, Referral, business_today
from tests.conftest import wait_for
from tests.engine.helpers import complete, instance, open_tasks, pending_timers
from tests.referral_data import CONSULTANT_PHONES, catalogue, deploy_procedure, referral_form, start_case

HOURS = timedelta(hours=1)


@pytest.fixture
def settings(settings):
    """Timers are brought forward with the test clock hook."""
    return {**settings, "TASKLANE_TEST_HOOKS": True}


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        service.ensure_roles()
        yield app


@pytest.fixture
def shop(ctx):
    """The catalogue, and the procedure deployed."""
    products = catalogue()
    deploy_procedure()
    return products


def submit(product_id, actor="partner1", **changes):
    """Submit through the procedure, deliver the outbox start; :returns: (referral id, case id)."""
    row = procedure.submit_referral(referral_form(product_id, **changes), actor=actor)
    return row.id, start_case(row.id).id


def fresh(referral_id):
    db.session.expire_all()
    return db.session.get(Referral, referral_id)


def task(case_id, element):
    return open_tasks(case_id)[element]


def kinds(referral_id):
    return [e.kind for e in db.session.query(AuditEvent).filter_by(stream=f"referral:{referral_id}")
            .order_by(AuditEvent.seq)]


def bells(recipient):
    return [r.kind for r in db.session.query(Outbox).filter_by(channel="in_app", recipient=recipient)
            .order_by(Outbox.id)]


def accept(case_id, consultant):
    assert task(case_id, "accept_referral").assignee == consultant
    complete(case_id, "accept_referral", {"decision": "accept"}, actor=consultant)


def result(case_id, consultant, outcome, **values):
    complete(case_id, "work_referral", {"result": outcome, "amount": 30_000_000, "term_months": 12, **values},
             actor=consultant)


def test_an_automatic_referral_is_accepted_worked_and_disbursed_with_its_commission(shop):
    referral_id, case_id = submit(shop.cash_loan)
    assert fresh(referral_id).instance_id == case_id
    # FE Credit has consultant1 and consultant2, both new: the same standing, so the name decides
    accept(case_id, "consultant1")
    assert fresh(referral_id).consultant == "consultant1"
    assert task(case_id, "work_referral").assignee == "consultant1"
    result(case_id, "consultant1", "disbursed", disbursed_amount=28_000_000)
    row = fresh(referral_id)
    assert (row.state, row.result, row.disbursed_amount) == ("disbursed", "disbursed", Decimal(28_000_000))
    commission = db.session.query(Commission).filter_by(referral_id=referral_id).one()
    assert (commission.rate_percent, commission.amount) == (Decimal("2.5"), Decimal(700_000))
    assert commission.state == "pending"
    assert instance(case_id).status == "completed"
    assert kinds(referral_id) == ["referral_submitted", "referral_offered", "referral_accepted",
                                  "referral_result", "commission_recorded", "referral_closed"]
    assert bells("partner1") == ["referral_accepted", "referral_disbursed"]
    assert bells("consultant1") == ["referral_offered"]


def test_the_consultant_the_referrer_named_by_phone_is_offered_the_case_first(shop):
    _, case_id = submit(shop.cash_loan, consultant_choice="phone",
                        consultant_phone=CONSULTANT_PHONES["consultant2"])
    assert task(case_id, "accept_referral").assignee == "consultant2"


def test_an_unknown_consultant_phone_is_refused_with_nothing_stored(shop):
    from engine.errors import ValidationError
    with pytest.raises(ValidationError) as refused:
        procedure.submit_referral(referral_form(shop.cash_loan, consultant_choice="phone",
                                                consultant_phone="0909 999 999"), actor="partner1")
    assert "consultant_phone" in refused.value.fields
    assert db.session.query(Referral).count() == 0 and db.session.query(Outbox).count() == 0


def test_a_hand_back_goes_to_the_next_consultant_never_back_to_the_same(shop):
    referral_id, case_id = submit(shop.cash_loan)
    complete(case_id, "accept_referral", {"decision": "hand_back", "reason": "Đang nghỉ phép"},
             actor="consultant1")
    assert task(case_id, "accept_referral").assignee == "consultant2"
    complete(case_id, "accept_referral", {"decision": "hand_back", "reason": "Quá tải"}, actor="consultant2")
    # nobody else serves FE Credit: the managers are told, the case tries again later
    assert "accept_referral" not in open_tasks(case_id)
    assert "wait_retry" in pending_timers(case_id)
    assert bells("boss") == ["referral_unassigned"]
    answers = [(o.consultant, o.answer) for o in db.session.query(Offer).order_by(Offer.id)]
    assert answers == [("consultant1", "handed_back"), ("consultant2", "handed_back")]
    # later, everyone may be offered it again
    testclock.move_clock(3 * HOURS, instance_id=case_id)
    assert engine.fire_timer(pending_timers(case_id)["wait_retry"].id) == "fired"
    assert task(case_id, "accept_referral").assignee == "consultant1"
    assert fresh(referral_id).state == "in_progress"


def test_an_offer_nobody_answers_in_time_goes_to_the_next_consultant_and_the_manager_is_told(shop):
    referral_settings.save({"accept_within": "PT30M"}, actor="admin")
    referral_id, case_id = submit(shop.cash_loan)
    timer = pending_timers(case_id)["offer_timeout"]
    accept_task = task(case_id, "accept_referral")
    assert timedelta(minutes=29) < timer.due_at - accept_task.created_at < timedelta(minutes=31)
    assert abs(accept_task.due_at - timer.due_at) < timedelta(seconds=5)   # the inbox shows the deadline
    testclock.move_clock(HOURS, instance_id=case_id)
    assert engine.fire_timer(pending_timers(case_id)["offer_timeout"].id) == "fired"
    assert task(case_id, "accept_referral").assignee == "consultant2"
    assert bells("boss") == ["referral_offer_timed_out"]
    assert "referral_offer_timed_out" in kinds(referral_id)


def test_rejected_closes_as_failed_and_a_new_referral_of_the_customer_is_then_allowed(shop):
    referral_id, case_id = submit(shop.cash_loan)
    with pytest.raises(ConflictError):
        procedure.submit_referral(referral_form(shop.cash_loan), actor="partner2")
    accept(case_id, "consultant1")
    result(case_id, "consultant1", "rejected", note="Nợ xấu nhóm 3")
    assert fresh(referral_id).state == "failed" and instance(case_id).status == "completed"
    assert db.session.query(Commission).count() == 0
    assert bells("partner1")[-1] == "referral_failed"
    again, _ = submit(shop.cash_loan, actor="partner2")
    assert fresh(again).state == "in_progress"


def test_not_eligible_without_another_product_closes_as_failed(shop):
    referral_id, case_id = submit(shop.cash_loan, cross_sell_consent=True)
    accept(case_id, "consultant1")
    result(case_id, "consultant1", "not_eligible")
    assert fresh(referral_id).state == "failed" and fresh(referral_id).cross_sell_state is None


def test_the_consultant_adjusts_the_wishes_and_the_change_is_in_the_history(shop):
    referral_id, case_id = submit(shop.cash_loan)
    accept(case_id, "consultant1")
    complete(case_id, "work_referral", {"result": "disbursed", "amount": 45_000_000, "term_months": 24,
                                        "disbursed_amount": 45_000_000}, actor="consultant1")
    row = fresh(referral_id)
    assert (row.amount, row.term_months) == (Decimal(45_000_000), 24)
    [adjusted] = db.session.query(AuditEvent).filter_by(stream=f"referral:{referral_id}",
                                                          kind="referral_adjusted").all()
    assert adjusted.data_before == {"amount": "30000000.00", "term_months": "12"}
    assert adjusted.actor == "consultant1"


def test_with_consent_the_cross_sell_starts_at_once_and_its_disbursement_earns_its_own_rate(shop):
    referral_id, case_id = submit(shop.cash_loan, cross_sell_consent=True)
    accept(case_id, "consultant1")
    result(case_id, "consultant1", "not_eligible", cross_sell_product_id=str(shop.consumer_loan))
    row = fresh(referral_id)
    assert (row.state, row.cross_sell_state, row.cross_sell_product_id) == ("in_progress", "started",
                                                                            shop.consumer_loan)
    assert task(case_id, "work_referral").assignee == "consultant1"
    result(case_id, "consultant1", "disbursed", disbursed_amount=20_000_000)
    commission = db.session.query(Commission).filter_by(referral_id=referral_id).one()
    assert (commission.product_id, commission.amount) == (shop.consumer_loan, Decimal(600_000))
    assert fresh(referral_id).state == "disbursed"


def ask_referrer(shop, **changes):
    referral_id, case_id = submit(shop.cash_loan, **changes)
    accept(case_id, "consultant1")
    result(case_id, "consultant1", "not_eligible", cross_sell_product_id=str(shop.consumer_loan))
    assert fresh(referral_id).cross_sell_state == "requested"
    return referral_id, case_id


def test_without_consent_the_referrer_is_asked_and_an_approval_starts_the_cross_sell(shop):
    referral_id, case_id = ask_referrer(shop)
    assert bells("partner1")[-1] == "cross_sell_requested"
    [mail] = db.session.query(Outbox).filter_by(channel="email", recipient="partner1@example.test").all()
    assert "/portal/referrals/" in mail.body
    assert "remind_time" in pending_timers(case_id)
    procedure.answer_cross_sell(referral_id, True, actor="partner1")
    assert fresh(referral_id).cross_sell_state == "approved"
    result(case_id, "consultant1", "disbursed", disbursed_amount=10_000_000)
    assert db.session.query(Commission).filter_by(referral_id=referral_id).one().amount == Decimal(300_000)
    events = db.session.query(AuditEvent).filter_by(stream=f"referral:{referral_id}",
                                                    kind="cross_sell_approved")
    assert [e.actor for e in events] == ["partner1"]


def test_a_refusal_closes_the_referral_and_a_second_answer_is_refused(shop):
    referral_id, case_id = ask_referrer(shop)
    procedure.answer_cross_sell(referral_id, False, actor="partner1")
    assert (fresh(referral_id).cross_sell_state, fresh(referral_id).state) == ("refused", "failed")
    with pytest.raises(ConflictError):
        procedure.answer_cross_sell(referral_id, True, actor="partner1")
    assert instance(case_id).status == "completed"


def test_another_referrer_cannot_answer(shop):
    referral_id, _ = ask_referrer(shop)
    with pytest.raises(NotFoundError):
        procedure.answer_cross_sell(referral_id, True, actor="partner2")
    assert fresh(referral_id).cross_sell_state == "requested"


def test_an_unanswered_request_is_reminded_then_expires_as_refused(shop):
    referral_settings.save({"consent_remind_after": "PT1H", "consent_expires_after": "PT5H"}, actor="admin")
    referral_id, case_id = ask_referrer(shop)
    testclock.move_clock(2 * HOURS, instance_id=case_id)
    assert engine.fire_timer(pending_timers(case_id)["remind_time"].id) == "fired"
    assert bells("partner1")[-1] == "cross_sell_reminder"
    assert "expiry_time" in pending_timers(case_id) and "remind_time" not in pending_timers(case_id)
    testclock.move_clock(4 * HOURS, instance_id=case_id)
    assert engine.fire_timer(pending_timers(case_id)["expiry_time"].id) == "fired"
    row = fresh(referral_id)
    assert (row.cross_sell_state, row.state) == ("expired", "failed")
    assert kinds(referral_id)[-4:] == ["cross_sell_requested", "cross_sell_reminded", "cross_sell_expired",
                                       "referral_closed"]
    with pytest.raises(ConflictError):
        procedure.answer_cross_sell(referral_id, True, actor="partner1")


def test_an_answer_after_the_reminder_still_counts(shop):
    referral_id, case_id = ask_referrer(shop)
    testclock.move_clock(30 * HOURS, instance_id=case_id)
    engine.fire_timer(pending_timers(case_id)["remind_time"].id)
    procedure.answer_cross_sell(referral_id, True, actor="partner1")
    assert fresh(referral_id).cross_sell_state == "approved"
    assert "work_referral" in open_tasks(case_id)
    assert "expiry_time" not in pending_timers(case_id)


@pytest.mark.slow
def test_the_request_expires_through_the_real_worker(shop, worker, redis_conn):
    referral_settings.save({"consent_remind_after": "PT1H", "consent_expires_after": "PT2H"}, actor="admin")
    referral_id, case_id = ask_referrer(shop)
    worker()
    testclock.move_clock(3 * HOURS, instance_id=case_id)
    wait_for(lambda: fresh(referral_id).cross_sell_state == "expired", timeout=30)
    assert fresh(referral_id).state == "failed"


def test_no_commission_without_a_policy_in_force_that_day(shop):
    referral_id, case_id = submit(shop.card, amount="20000000")
    accept(case_id, "consultant1")
    complete(case_id, "work_referral", {"result": "disbursed", "amount": 20_000_000, "term_months": 12,
                                        "disbursed_amount": 20_000_000}, actor="consultant1")
    assert fresh(referral_id).state == "disbursed"
    assert db.session.query(Commission).count() == 0
    assert "commission_none" in kinds(referral_id)


def test_the_commission_follows_the_policy_in_force_on_the_day_of_disbursement(shop):
    old = db.session.query(CommissionPolicy).filter_by(product_id=shop.cash_loan).one()
    old.valid_to = business_today() - timedelta(days=1)
    db.session.add(CommissionPolicy(product_id=shop.cash_loan, rate_percent=Decimal("4"),
                                    valid_from=business_today(), created_by="admin"))
    db.session.commit()
    referral_id, case_id = submit(shop.cash_loan)
    accept(case_id, "consultant1")
    result(case_id, "consultant1", "disbursed", disbursed_amount=10_000_000)
    assert db.session.query(Commission).filter_by(referral_id=referral_id).one().amount == Decimal(400_000)


def test_a_busy_consultant_gets_no_new_referral(shop):
    referral_settings.save({"max_load": "1"}, actor="admin")
    _, first_case = submit(shop.cash_loan)
    accept(first_case, "consultant1")
    _, second_case = submit(shop.cash_loan, phone="0913 222 333")
    assert task(second_case, "accept_referral").assignee == "consultant2"


def test_the_ranking_puts_the_better_disbursement_rate_first(shop):
    from processes.referrals import consultants
    for n, outcome in enumerate(["disbursed", "disbursed", "rejected"]):
        referral_id, case_id = submit(shop.cash_loan, phone=f"0913 000 00{n}", consultant_choice="phone",
                                      consultant_phone=CONSULTANT_PHONES["consultant2"])
        accept(case_id, "consultant2")
        result(case_id, "consultant2", outcome, disbursed_amount=10_000_000)
    ranking = consultants.ranking(shop.fe_credit)
    assert [s.username for s in ranking] == ["consultant2", "consultant1"]
    assert (ranking[0].accepted, ranking[0].disbursed, ranking[0].load) == (3, 2, 0)
    assert [s.username for s in consultants.stars(shop.fe_credit)] == ["consultant2", "consultant1"]



def test_an_offer_put_back_in_the_queue_and_taken_by_another_consultant_is_theirs(shop):
    from engine import assignment
    referral_id, case_id = submit(shop.cash_loan)
    offered = task(case_id, "accept_referral")
    assignment.unclaim(offered.id, actor="consultant1")
    assignment.claim(offered.id, actor="consultant2")
    complete(case_id, "accept_referral", {"decision": "accept"}, actor="consultant2")
    assert fresh(referral_id).consultant == "consultant2"
    assert task(case_id, "work_referral").assignee == "consultant2"
    result(case_id, "consultant2", "rejected")
    accepted = db.session.query(AuditEvent).filter_by(stream=f"referral:{referral_id}",
                                                      kind="referral_accepted").one()
    assert accepted.actor == "consultant2"


def test_work_a_manager_gives_to_another_consultant_counts_for_them(shop):
    from engine import assignment
    referral_id, case_id = submit(shop.cash_loan)
    accept(case_id, "consultant1")
    assignment.assign(task(case_id, "work_referral").id, "consultant2", actor="boss")
    result(case_id, "consultant2", "disbursed", disbursed_amount=10_000_000)
    assert fresh(referral_id).consultant == "consultant2"


def test_steps_reported_on_the_way_are_told_to_the_referrer_and_the_task_comes_back(shop):
    referral_id, case_id = submit(shop.cash_loan)
    accept(case_id, "consultant1")
    result(case_id, "consultant1", "contacted", note="Đã gọi, khách hẹn gửi giấy tờ")
    assert fresh(referral_id).progress == "contacted"
    again = task(case_id, "work_referral")
    assert again.assignee == "consultant1"
    result(case_id, "consultant1", "submitted")
    assert (fresh(referral_id).progress, fresh(referral_id).state) == ("submitted", "in_progress")
    result(case_id, "consultant1", "disbursed", disbursed_amount=30_000_000)
    assert fresh(referral_id).state == "disbursed"
    assert kinds(referral_id).count("referral_progress") == 2


def test_staff_bells_link_to_the_referral_and_the_referrers_to_the_portal(shop):
    referral_id, case_id = submit(shop.cash_loan)
    accept(case_id, "consultant1")
    links = {r.recipient: r.link for r in db.session.query(Outbox).filter_by(channel="in_app")}
    assert links == {"consultant1": f"/referrals/{referral_id}",
                     "partner1": f"/portal/referrals/{referral_id}"}


@pytest.fixture
def roubles(ctx):
    """The referrals domain does business in Moscow, in Russian, in roubles (TASKLANE_PLACES)."""
    ctx.config["TASKLANE_PLACES"] = {"referrals": {"zone": "Europe/Moscow", "region": "RU", "language": "ru",
                                                   "currency": "RUB"}}
    return ctx


def test_a_referrals_domain_in_roubles_stores_and_writes_its_amounts_in_roubles(roubles, shop):
    referral_id, case_id = submit(shop.cash_loan)
    row = fresh(referral_id)
    assert (row.product.currency, row.currency) == ("RUB", "RUB")
    # the consultant's instructions: the domain's language writes the amount with its currency
    assert engine.case_data(case_id)["amount_text"] == "30\xa0000\xa0000,00\xa0₽"
    accept(case_id, "consultant1")
    result(case_id, "consultant1", "disbursed", disbursed_amount=28_000_000)
    commission = db.session.query(Commission).filter_by(referral_id=referral_id).one()
    assert (commission.amount, commission.currency) == (Decimal(700_000), "RUB")
    recorded = db.session.query(AuditEvent).filter_by(stream=f"referral:{referral_id}",
                                                      kind="commission_recorded").one()
    assert recorded.data_after["currency"] == "RUB"


def test_amounts_of_the_default_place_are_dong_written_in_vietnamese(shop):
    referral_id, case_id = submit(shop.cash_loan)
    assert fresh(referral_id).currency == "VND"
    assert engine.case_data(case_id)["amount_text"] == "30.000.000\xa0₫"
