"""An auditor opens a finished case and sees the path taken; clicking an element lists its
events; the audit trail is verified from the page. In Vietnamese, English and Russian."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

import engine
from accounts import service
from engine.types import utcnow
from tests.conftest import ROOT
from tests.e2e.conftest import login, one_backend
from tests.engine.helpers import complete, fire_when_due, pending_timers

pytestmark = one_backend

TAKEN = {"f_received", "f_prepared", "f_called", "f_call_recorded", "f_not_reached", "f_callback_due",
         "f_call_again", "f_reached", "f_bought_now", "f_order"}


@pytest.fixture
def finished_lead(app, demo_users):
    """A lead case: not reached, called back when the timer fired, reached and bought."""
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles=service.role_names())
    instance = engine.start("lead_handling", actor="manager", data={
        "name": "Trần Thị Mai", "phone": "+84912345678", "source": "website", "owner": "sales1"})
    complete(instance.id, "call_lead", {"outcome": "not_reached",
                                        "callback_at": (utcnow() + timedelta(minutes=5)).isoformat()})
    fire_when_due(pending_timers(instance.id)["wait_callback"])
    complete(instance.id, "call_lead", {"outcome": "reached", "closed_now": True, "product": "Gói A",
                                        "quantity": 1, "amount": 1500000})
    return instance.id


def marked(page, cls):
    return set(page.eval_on_selector_all(f"#case-diagram g.djs-element.{cls}",
                                         "nodes => nodes.map(n => n.dataset.elementId)"))


@pytest.mark.parametrize("language", ["vi", "en", "ru"])
def test_an_auditor_opens_a_finished_case_and_sees_the_path_taken(
        finished_lead, new_page, live_server, screenshot, language):
    page = new_page(locale=language)
    login(page, live_server, "auditor")
    page.click(f"form[action='/language'] button[lang={language}]")
    page.goto(f"/cases/{finished_lead}")
    expect(page.locator("#case-diagram[data-ready=true]")).to_be_visible()

    assert marked(page, "tl-taken") == TAKEN
    assert {"call_lead", "wait_callback", "create_order", "order_created"} <= marked(page, "tl-completed")
    assert not {"close_lead", "convert_to_contact"} & marked(page, "tl-completed")
    assert marked(page, "tl-waiting") == set()
    stroke = page.eval_on_selector("#case-diagram g.tl-taken[data-element-id=f_order] .djs-visual > path",
                                   "p => getComputedStyle(p).stroke")
    assert stroke == "rgb(25, 135, 84)"

    page.click("#case-diagram g.djs-element[data-element-id=call_lead]")
    panel = page.locator("#element-events")
    expect(panel.locator("[data-kind=task_completed]")).to_have_count(2)
    expect(panel).to_contain_text("Nguyễn Văn An")
    expect(panel).to_contain_text("Gói A")

    page.click("#verify-audit")
    expect(page.locator("#verify-result [data-intact=true]")).to_be_visible()
    page.locator("#diagram").scroll_into_view_if_needed()
    screenshot(page, f"case-diagram-{language}")


def test_a_running_case_marks_the_timer_it_waits_at(app, demo_users, new_page, live_server):
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles=service.role_names())
    instance = engine.start("lead_handling", actor="manager", data={
        "name": "Lý Văn Phúc", "phone": "+84913579246", "source": "zalo", "owner": "sales1"})
    complete(instance.id, "call_lead", {"outcome": "not_reached",
                                        "callback_at": (utcnow() + timedelta(hours=3)).isoformat()})
    page = new_page()
    login(page, live_server, "auditor")
    page.goto(f"/cases/{instance.id}")
    expect(page.locator("#case-diagram[data-ready=true]")).to_be_visible()
    assert marked(page, "tl-waiting") == {"wait_callback"}
    assert "f_not_reached" in marked(page, "tl-taken") and "f_callback_due" not in marked(page, "tl-taken")
    page.click("#case-diagram g.djs-element[data-element-id=close_lead]")
    expect(page.locator("#element-events")).to_contain_text("No events recorded for this element.")
