"""Each notification links to what it is about, and the link opens for its recipient
(issue 13): one test per kind declared in processes.NOTIFICATIONS, through the code that
sends it, the outbox and its delivery (workers.delivery), then a GET of the stored link
signed in as the recipient. A kind declared without a scenario here fails."""
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

import processes
from engine import assignment, comments, deadlines, unit
from engine.db import db
from engine.models import HumanTask, Notification, Outbox
from engine.types import utcnow
from processes.referrals import helpers as procedure
from processes.referrals.models import Referral
from tests.engine.helpers import complete
from tests.web.test_referrals import accepted, shop, submitted  # noqa: F401 - shop is a fixture
from workers.delivery import deliver


def _held(two_lanes, holder="sales1"):
    task = two_lanes()
    assignment.assign(task.id, holder, actor="manager")
    return task


def task_assigned(request):
    _held(request.getfixturevalue("two_lanes"), "sales2")


def comment_added(request):
    task = _held(request.getfixturevalue("two_lanes"))
    comments.add(task.instance_id, "Khách hẹn gọi lại chiều nay", actor="manager")


def deadline_near(request):
    task = _held(request.getfixturevalue("two_lanes"))
    db.session.get(HumanTask, task.id).due_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    deadlines.warn_near(30)


def callback_due(request):
    call = request.getfixturevalue("lead")   # owner: sales1
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    complete(call.instance_id, "call_lead", {"outcome": "not_reached", "callback_at": past,
                                             "notes": "Thuê bao không nghe máy"}, actor="sales1")


def _accepted(request):
    return accepted(request.getfixturevalue("shop").cash_loan, "0912000001", "consultant1")


def referral_offered(request):
    submitted(request.getfixturevalue("shop").cash_loan, "0912000001", "consultant1")


def referral_accepted(request):
    _accepted(request)


def _helper(name, *args, offered=False, cross_sell=False):
    """A referral kind sent by the procedure's script helper ``name`` (the one place it is
    sent), called in a unit of work of the referral's case as its script would: on a
    referral still ``offered`` to consultant1, or accepted (with a ``cross_sell`` product)."""
    def scenario(request):
        shop_ = request.getfixturevalue("shop")
        if offered:
            row, case = submitted(shop_.cash_loan, "0912000001", "consultant1")
        else:
            row, case = _accepted(request)
        if cross_sell:
            db.session.get(Referral, row.id).cross_sell_product_id = shop_.consumer_loan
            db.session.commit()
        unit.run(current_app.extensions["tasklane_runtime"], case, "system",
                 lambda _unit: getattr(procedure, name)(row.id, *args))
    return scenario


def _deal(request):
    """A registered deal of partner1 (tests/broker_data.py), and its case; the broker team
    are the demo users (analyst1, brokerlead)."""
    from accounts import service
    from processes.broker import deals
    from tests.broker_data import deal_form, deploy, product

    with request.getfixturevalue("app").test_request_context():
        service.ensure_roles()
        product_id = product()
        deploy()
        row = deals.register(deal_form(product_id), actor="partner1")
    return row.id, row.instance_id


def _broker(name, *args, approved=False):
    """A deal kind sent by the broker's script helper ``name`` (processes/broker/helpers.py),
    called in a unit of work of the deal's case as its script would; ``approved``: the bank
    approved the loan and the payment and signed act are in (the commission is earned)."""
    def scenario(request):
        from processes.broker import helpers as broker

        deal_id, case = _deal(request)
        runtime = current_app.extensions["tasklane_runtime"]
        if approved:
            unit.run(runtime, case, "system", lambda _unit: (broker.record_approval(deal_id, 10_000_000),
                                                             broker.commission_receipts(deal_id, True, True)))
        unit.run(runtime, case, "system", lambda _unit: getattr(broker, name)(deal_id, *args))
    return scenario


def deal_commission_paid(request):
    from processes.broker import commissions

    _broker("deal_step", 12, approved=True)(request)
    [earned], _total = commissions.listed(state="earned")
    commissions.mark_paid(earned.id, actor="admin")


SCENARIOS = {
    "task_assigned": task_assigned, "comment_added": comment_added, "deadline_near": deadline_near,
    "callback_due": callback_due, "referral_offered": referral_offered,
    "referral_accepted": referral_accepted,
    "referral_offer_timed_out": _helper("offer_timed_out", "consultant1", offered=True),
    "referral_unassigned": _helper("nobody_available"),
    "cross_sell_started": _helper("start_cross_sell", cross_sell=True),
    "cross_sell_requested": _helper("request_cross_sell", cross_sell=True),
    "cross_sell_reminder": _helper("remind_cross_sell", cross_sell=True),
    "cross_sell_expired": _helper("expire_cross_sell", cross_sell=True),
    "referral_disbursed": _helper("disburse_referral"),
    "referral_failed": _helper("fail_referral"),
    "deal_precheck_refused": _broker("record_precheck", ["arrears"]),
    "deal_posted": _broker("post_deal"),
    "deal_documents_requested": _broker("ask_documents", "Выписка за последний месяц"),
    "deal_range": _broker("record_range", 10_000_000, 12_000_000),
    "deal_agreement_reminder": _broker("remind_agreement"),
    "deal_agreement_escalated": _broker("escalate_agreement"),
    "deal_closed": _broker("close_deal", "closed", "Клиент отказался"),
    "deal_completed": _broker("complete_deal", approved=True),
    "deal_commission_earned": _broker("deal_step", 12, approved=True),
    "deal_commission_paid": deal_commission_paid,
}


@pytest.mark.parametrize("kind", sorted(processes.NOTIFICATIONS))
def test_a_notification_links_to_what_it_is_about_and_the_link_opens_for_its_recipient(
        request, sign_in, kind):
    assert kind in SCENARIOS, f"no scenario sends '{kind}': add one"
    SCENARIOS[kind](request)
    for outbox_id in db.session.scalars(select(Outbox.id).where(Outbox.channel == "in_app",
                                                                Outbox.state == "pending")).all():
        deliver(outbox_id)
    notes = db.session.scalars(select(Notification).filter_by(kind=kind)).all()
    assert notes, f"the scenario sent no '{kind}'"
    for note in notes:
        assert note.link and note.link.startswith("/"), (kind, note.link)
        response = sign_in(note.username).get(note.link)
        assert response.status_code == 200, (kind, note.username, note.link, response.status_code)
