"""A lead's first call-backs in a real browser, with a real worker process and Redis.

An integration posts the lead to the API; the owner (sales1) finds its call task in
the inbox, does not reach the lead and sets a call-back two minutes ahead; the task
leaves the inbox. The test then moves the clock two minutes through the test hook
(engine/testclock.py: the timer's due time, in the engine and in its row); the worker
process fires the timer through Redis, the task comes back with a bell, the rep
reaches the lead, and the lead becomes a contact with its 24-hour call-back timer.
"""
import json
import urllib.request
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

import engine
from accounts import service, tokens
from accounts.models import User
from crm.models import Customer
from engine import testclock
from engine.db import db
from engine.models import AuditEvent, HumanTask, Notification, Timer
from engine.types import utcnow
from tests.conftest import ROOT, wait_for
from tests.e2e.conftest import login, one_backend
from workers import scheduling

pytestmark = [one_backend, pytest.mark.slow]

LEAD = {"name": "Nguyễn Thị Hồng Nhung", "phone": "0912 345 678", "source": "website", "owner": "sales1"}
BELL = "a.d-lg-inline[href='/notifications']"  # the desktop bell in the header


@pytest.fixture
def settings(settings):
    """The test clock hook is on for these tests (off by default, as everywhere else)."""
    return {**settings, "TASKLANE_TEST_HOOKS": True}


@pytest.fixture
def lead_handling(app, demo_users):
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles=service.role_names())
    db.session.commit()


@pytest.fixture
def integration_token(app, demo_users):
    """The bearer token of the website's lead intake: its own account, a manager (may post
    leads, and is never picked by round robin as a sales user would be)."""
    user = service.add_user("web_intake", "intake-password", ["manager"], full_name="Website intake")
    _row, token = tokens.issue(user, name="website intake")
    db.session.commit()
    return token


def post_lead(base_url, token, lead):
    request = urllib.request.Request(
        f"{base_url}/api/v1/leads", data=json.dumps(lead).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the live server
        assert response.status == 201
        return json.load(response)


def reread():
    """Forget what this session read: the browser and the worker changed rows since
    (objects are not expired on commit, and a rollback without a transaction expires nothing)."""
    db.session.rollback()
    db.session.expire_all()


def timers_of(instance_id, element_id):
    reread()
    return db.session.query(Timer).filter_by(instance_id=instance_id, element_id=element_id) \
        .order_by(Timer.id).all()


def fired(timer_id):
    reread()
    row = db.session.get(Timer, timer_id)
    return row if row.state == "fired" else None


def open_task_row(page, name):
    return page.locator("[data-task]").filter(has_text=name)


def back_in_inbox_with_a_bell(page, name):
    page.reload()
    return open_task_row(page, name).count() == 1 and page.locator(f"{BELL} [data-unread]").count() == 1


def test_a_posted_lead_not_reached_is_called_back_when_the_bell_rings_then_becomes_a_contact(
        lead_handling, integration_token, worker, new_page, live_server, screenshot):
    rq_worker = worker(TASKLANE_WORKER_LOG_LEVEL="INFO")   # rq names each job it runs
    created = post_lead(live_server, integration_token, LEAD)
    customer_id, instance_id = created["customer"]["id"], created["instance"]["id"]
    assert created["customer"]["phone"] == "+84912345678"

    # 1. The owner finds the call task in their own tab of the inbox, "My tasks" (issue 13).
    page = new_page(locale="vi")  # the rep's browser: the date-time field reads as in Vietnam
    login(page, live_server, "sales1")
    page.goto("/inbox")
    row = open_task_row(page, LEAD["name"])
    expect(row).to_have_count(1)
    screenshot(page, "lead-flow-1-inbox-vi")

    # 2. Not reached: call back in two minutes, on the rep's wall clock, in the real field.
    row.locator("a[href^='/tasks/']").first.click()
    page.check("input[name=outcome][value=not_reached]")
    zone = ZoneInfo(db.session.query(User).filter_by(username="sales1").one().timezone)
    callback = (datetime.now(zone) + timedelta(minutes=2)).replace(second=0, microsecond=0)
    page.fill("input[name=callback_at]", callback.strftime("%Y-%m-%dT%H:%M"))
    screenshot(page, "lead-flow-2-not-reached-vi")
    with page.expect_navigation():
        page.click("[data-action=complete]")
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto("/inbox")
    expect(open_task_row(page, LEAD["name"])).to_have_count(0)
    screenshot(page, "lead-flow-3-waiting-vi")
    [timer] = timers_of(instance_id, "wait_callback")
    assert (timer.state, timer.due_at) == ("pending", callback.astimezone(timezone.utc))

    # 3. Two minutes later, through the hook; the worker fires the timer from Redis.
    [moved] = testclock.move_clock(timedelta(minutes=2), instance_id=instance_id)
    assert (moved.id, moved.due_at) == (timer.id, callback.astimezone(timezone.utc) - timedelta(minutes=2))
    try:
        done = wait_for(lambda: fired(timer.id), timeout=30, interval=0.2)
    except AssertionError as error:
        raise AssertionError(f"the worker did not fire timer {timer.id}:\n{rq_worker.output()}") from error
    assert done.fired_at >= moved.due_at
    assert scheduling.timer_job_id(moved) in rq_worker.output()  # its rq job, run by the worker
    wait_for(lambda: back_in_inbox_with_a_bell(page, LEAD["name"]), timeout=30, interval=0.5)
    screenshot(page, "lead-flow-4-callback-bell-vi")
    page.click(BELL)
    # "Call back"; the task, now the rep's own, may also have warned of its deadline
    expect(page.locator("[data-note]").filter(has_text=f"Gọi lại cho {LEAD['name']}")).to_have_count(1)
    screenshot(page, "lead-flow-5-notifications-vi")
    reread()
    [bell] = db.session.query(Notification).filter_by(username="sales1", kind="callback_due").all()
    [task] = db.session.query(HumanTask).filter_by(instance_id=instance_id, state="open").all()
    assert (bell.kind, bell.link, task.assignee) == ("callback_due", f"/tasks/{task.id}", "sales1")
    kinds = [(e.kind, e.actor) for e in db.session.query(AuditEvent).filter_by(instance_id=instance_id)
             .filter(AuditEvent.kind.in_(["clock_moved", "timer_fired"])).order_by(AuditEvent.seq)]
    assert kinds == [("clock_moved", "test-clock"), ("timer_fired", "system")]

    # 4. Reached, not bought yet: the lead becomes a contact, called back in 24 hours.
    page.goto("/inbox")
    open_task_row(page, LEAD["name"]).locator("a[href^='/tasks/']").first.click()
    page.check("input[name=outcome][value=reached]")
    expect(page.locator("input[name=closed_now]")).not_to_be_checked()
    converted_from = utcnow()
    with page.expect_navigation():
        page.click("[data-action=complete]")
    converted_until = utcnow()
    expect(page.locator(".alert-success")).to_be_visible()
    reread()
    customer = db.session.get(Customer, customer_id)
    assert (customer.kind, customer.status) == ("contact", "contact")
    [callback_timer] = timers_of(instance_id, "wait_24h")
    assert callback_timer.state == "pending"
    day = timedelta(hours=24)
    assert converted_from + day - timedelta(minutes=1) <= callback_timer.due_at
    assert callback_timer.due_at <= converted_until + day + timedelta(minutes=1)
    page.goto(f"/cases/{instance_id}")
    screenshot(page, "lead-flow-6-contact-vi")
    page.goto("/leads?status=contact")  # the rep finds the lead they just converted
    expect(page.locator("body")).to_contain_text(LEAD["name"])
