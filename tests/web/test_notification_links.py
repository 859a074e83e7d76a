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
