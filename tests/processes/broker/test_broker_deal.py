"""bpmn/broker_deal.bpmn (issue 15), path by path, through processes.broker and the engine:
the deal's record follows its case (step, state, pre-check, range)."""
from datetime import timedelta
from decimal import Decimal

import pytest

from accounts import service
from engine import pauses
from engine.db import db
from engine.models import HumanTask, Outbox
from engine.types import utcnow
from forms.uploads import Upload
from processes.broker import deals, documents
from processes.broker.models import Deal
from tests.broker_data import deal_form, deploy, paperwork, people, product
from tests.engine.helpers import complete, fire_when_due, instance, open_tasks, pending_timers

CLEAN = {"business_age_months": 48, "arrears_days": 0, "court_cases": 0, "tax_debt": False,
         "turnover_change_percent": 12, "bankruptcy": False}


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
        paperwork()
        yield product_id


def register(product_id, **changes):
    row = deals.register(deal_form(product_id, **changes), actor="partner1")
    return row.id, row.instance_id


def fresh(deal_id):
    db.session.expire_all()
    return db.session.get(Deal, deal_id)


def upload(deal_id, kind):
    data = f"%PDF-1.4 {kind}\n%%EOF".encode()
    file = Upload(f"{kind}.pdf", "application/pdf", data)
    return documents.add(fresh(deal_id), kind, file, actor="partner1")


def documents_in(deal_id, case, facts=None):
    upload(deal_id, "bank_statements")
    upload(deal_id, "balance_sheet")
    complete(case, "collect_documents", {**CLEAN, **(facts or {})}, actor="partner1")


def to_range(product_id, range_from, range_to=None, **changes):
    deal_id, case = register(product_id, **changes)
    documents_in(deal_id, case)
    complete(case, "analysis", {"outcome": "range", "range_from": range_from,
                                "range_to": range_to or range_from},
             actor="analyst1")
    return deal_id, case


def through_contract(case):
    complete(case, "contract_details", {"bank_account": "40702810900000000001", "bik": "044525225",
                                        "legal_address": "Москва, ул. Тверская, 1",
                                        "contract_email": "ceo@example.ru", "contract_phone": "+74951234567",
                                        "uses_edo": False}, actor="partner1")


def test_a_registered_deal_has_its_case_waiting_on_the_partners_documents(shop):
    deal_id, case = register(shop)
    row = fresh(deal_id)
    assert (row.state, row.step, row.partner) == ("open", 3, "partner1")
    assert instance(case).business_key == f"deal:{deal_id}"
    task = open_tasks(case)["collect_documents"]
    assert task.assignee == "partner1"
    assert [item.code for item in documents.missing(row)] == ["bank_statements", "balance_sheet"]


def test_the_partner_cannot_go_on_while_a_required_document_is_missing(shop):
    deal_id, case = register(shop)
    upload(deal_id, "bank_statements")
    complete(case, "collect_documents", CLEAN, actor="partner1")
    assert set(open_tasks(case)) == {"collect_documents"}
    assert fresh(deal_id).precheck is None


def test_a_stop_factor_refuses_the_deal_with_its_reasons_and_a_rerun_after_correction_passes(shop):
    deal_id, case = register(shop)
    documents_in(deal_id, case, {"business_age_months": 6, "tax_debt": True})
    row = fresh(deal_id)
    assert row.precheck["passed"] is False
    assert row.precheck["reasons"] == ["tax_debt", "young_business"]
    assert set(open_tasks(case)) == {"correct_or_withdraw"}
    assert db.session.query(Outbox).filter_by(recipient="partner1", kind="deal_precheck_refused").count() == 1

    complete(case, "correct_or_withdraw", {"decision": "rerun"}, actor="partner1")
    complete(case, "collect_documents", {**CLEAN, "business_age_months": 30}, actor="partner1")
    row = fresh(deal_id)
    assert row.precheck["passed"] is True and row.precheck["reasons"] == []
    assert row.step == 5 and row.facts["business_age_months"] == 30
    assert set(open_tasks(case)) == {"analysis"}


def test_withdrawing_after_a_refusal_closes_the_deal_as_refused(shop):
    deal_id, case = register(shop)
    documents_in(deal_id, case, {"arrears_days": 90, "bankruptcy": True, "turnover_change_percent": -50,
                                 "court_cases": 5})
    assert fresh(deal_id).precheck["reasons"] == ["arrears", "bankruptcy", "court_cases", "negative_turnover"]
    complete(case, "correct_or_withdraw", {"decision": "withdraw"}, actor="partner1")
    row = fresh(deal_id)
    assert row.state == "refused" and instance(case).status == "completed"


def test_the_analysis_is_due_two_business_days_after_posting_on_the_russian_calendar(shop):
    deal_id, case = register(shop)
    documents_in(deal_id, case)
    row = fresh(deal_id)
    task = open_tasks(case)["analysis"]
    assert row.analysis_due_at is not None and task.due_at is not None
    assert abs((task.due_at - row.analysis_due_at).total_seconds()) < 60
    assert task.due_at - row.updated_at > timedelta(days=2) - timedelta(seconds=5)


def test_the_analyst_asks_for_more_documents_and_the_partner_gets_a_task_and_a_bell(shop):
    deal_id, case = register(shop)
    documents_in(deal_id, case)
    complete(case, "analysis", {"outcome": "more_documents", "request": "Выписка за последний месяц"},
             actor="analyst1")
    task = open_tasks(case)["more_documents"]
    assert task.assignee == "partner1"
    bell = db.session.query(Outbox).filter_by(recipient="partner1", kind="deal_documents_requested").one()
    assert bell.params["note"] == "Выписка за последний месяц"
    # the analysis deadline waits while the partner brings the documents (pausesDeadlineOf)
    [analysis] = [d for d in pauses.deadlines(case, utcnow()) if d["element_id"] == "analysis"]
    assert analysis["paused"] and analysis["due_at"] is None
    complete(case, "more_documents", {"comment": "Загрузил"}, actor="partner1")
    assert set(open_tasks(case)) == {"analysis"}
    [analysis] = [d for d in pauses.deadlines(case, utcnow()) if d["element_id"] == "analysis"]
    assert not analysis["paused"] and open_tasks(case)["analysis"].due_at == analysis["due_at"]


def test_a_range_below_the_amount_asks_the_clients_agreement_and_agreeing_goes_on_to_the_contract(shop):
    deal_id, case = to_range(shop, 10_000_000, 14_000_000)
    row = fresh(deal_id)
    assert (row.range_from, row.range_to, row.step) == (Decimal("10000000.00"), Decimal("14000000.00"), 7)
    assert set(open_tasks(case)) == {"agreement"}
    assert set(pending_timers(case)) == {"remind_timer", "escalate_timer"}
    complete(case, "agreement", {"decision": "agree"}, actor="partner1")
    assert fresh(deal_id).step == 8 and set(open_tasks(case)) == {"contract_details"}
    assert pending_timers(case) == {}


def test_the_partner_is_reminded_after_a_day_and_the_lead_told_after_three(shop):
    deal_id, case = to_range(shop, 10_000_000, 14_000_000)
    fire_when_due(pending_timers(case)["remind_timer"])
    reminders = db.session.query(Outbox).filter_by(recipient="partner1", kind="deal_agreement_reminder")
    assert reminders.count() == 1
    fire_when_due(pending_timers(case)["escalate_timer"])
    assert db.session.query(Outbox).filter_by(recipient="lead1", kind="deal_agreement_escalated").count() == 1
    assert set(open_tasks(case)) == {"agreement"}


def test_the_clients_refusal_of_the_range_closes_the_deal(shop):
    deal_id, case = to_range(shop, 5_000_000, 9_000_000)
    complete(case, "agreement", {"decision": "refuse", "reason": "Мало"}, actor="partner1")
    row = fresh(deal_id)
    assert (row.state, row.close_reason) == ("closed", "Мало")
    assert instance(case).status == "completed"


def test_a_range_from_the_full_amount_goes_straight_to_the_contract_details(shop):
    deal_id, case = to_range(shop, 15_000_000, 20_000_000)
    assert fresh(deal_id).step == 8 and set(open_tasks(case)) == {"contract_details"}


def test_a_range_whose_from_is_above_its_to_is_asked_again(shop):
    deal_id, case = to_range(shop, 20_000_000, 10_000_000)
    assert fresh(deal_id).range_from is None and set(open_tasks(case)) == {"analysis"}


def test_the_banks_refusal_closes_the_deal_with_its_reason(shop):
    deal_id, case = to_range(shop, 15_000_000)
    through_contract(case)
    complete(case, "contract_signed", {"decision": "accept"}, actor="analyst1")
    complete(case, "credit_support", {"stage": "account_opened"}, actor="analyst1")
    assert fresh(deal_id).step == 10 and set(open_tasks(case)) == {"credit_support"}
    refusal = {"stage": "refused", "note": "Высокая долговая нагрузка"}
    complete(case, "credit_support", refusal, actor="analyst1")
    row = fresh(deal_id)
    assert (row.state, row.close_reason) == ("closed", "Высокая долговая нагрузка")


def test_the_happy_path_ends_completed_once_both_payment_and_signed_act_are_in(shop):
    deal_id, case = to_range(shop, 15_000_000)
    through_contract(case)
    complete(case, "contract_signed", {"decision": "ask_again", "note": "Нет подписи"}, actor="analyst1")
    assert set(open_tasks(case)) == {"contract_signed"}
    complete(case, "contract_signed", {"decision": "accept"}, actor="analyst1")
    complete(case, "credit_support", {"stage": "approved", "approved_amount": 15_000_000}, actor="analyst1")
    assert fresh(deal_id).step == 11
    complete(case, "completion", {"documents_sent": True}, actor="analyst1")
    assert fresh(deal_id).step == 12
    complete(case, "commission", {"payment_received": True, "act_signed": False}, actor="analyst1")
    assert fresh(deal_id).state == "open" and set(open_tasks(case)) == {"commission"}
    complete(case, "commission", {"payment_received": True, "act_signed": True}, actor="analyst1")
    row = fresh(deal_id)
    assert (row.state, row.step) == ("completed", 12)
    assert instance(case).status == "completed"
    assert db.session.query(HumanTask).filter_by(instance_id=case, state="open").count() == 0


def test_the_demo_enters_two_products_and_a_deal_waiting_on_its_documents_once(app):
    from processes.broker import demo
    from processes.broker.models import CreditProduct

    with app.test_request_context():
        service.ensure_roles()
        people()
        deploy()
        assert demo.load() == 1 and demo.load() == 0
        assert db.session.query(CreditProduct).count() == 2
        [row] = db.session.query(Deal).all()
        assert (row.partner, row.step, row.state) == ("partner1", 3, "open")
        assert [item.code for item in documents.missing(row)] == ["balance_sheet", "founders_passports"]
