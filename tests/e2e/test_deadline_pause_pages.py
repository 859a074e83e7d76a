"""A paused deadline in a browser (issue 15): the manager's inbox, the task page and the case
page say the analysis deadline is paused while the partner's upload is open, in each language."""
import pytest
from playwright.sync_api import expect

import engine
from engine.db import db
from tests.conftest import ROOT
from tests.e2e.conftest import login

PARALLEL = (ROOT / "tests" / "bpmn" / "deadline_pause_parallel.bpmn").read_text(encoding="utf-8").replace(
    '<spiffworkflow:property name="dueInBusinessDays" value="2" />',
    '<spiffworkflow:property name="dueIn" value="&quot;PT4H&quot;" />').replace(
    '<spiffworkflow:property name="businessCalendar" value="RU" />', "")
PAUSED = {"vi": "Tạm dừng thời hạn", "ru": "Срок приостановлен", "en": "Deadline paused"}


@pytest.fixture
def paused_case(app, demo_users):
    engine.deploy(PARALLEL, actor="owner", name="p.bpmn")
    case_id = engine.start("deadline_pause_parallel", actor="manager").id
    engine.send_message(case_id, "documents_requested", actor="manager")
    db.session.commit()
    return case_id


@pytest.mark.parametrize("lang", ["vi", "ru", "en"])
def test_the_manager_sees_the_analysis_deadline_paused(paused_case, new_page, live_server, screenshot, lang):
    page = new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server, "manager")
    page.goto("/inbox?tab=all")
    page.click(f"button[lang={lang}]")
    row = page.locator(".tl-task-row", has_text=PAUSED[lang])
    expect(row).to_have_count(1)
    expect(row.locator("[data-deadline=paused]")).to_be_visible()
    screenshot(page, f"deadline-paused-inbox-{lang}")
    row.locator("a.fw-semibold").click()
    expect(page.locator(".badge[data-deadline=paused]")).to_have_text(PAUSED[lang])
    screenshot(page, f"deadline-paused-task-{lang}")
    page.goto(f"/cases/{paused_case}")
    expect(page.locator("[data-deadline=analysis][data-state=paused]")).to_contain_text(PAUSED[lang])
    screenshot(page, f"deadline-paused-case-{lang}")
    assert errors == []
