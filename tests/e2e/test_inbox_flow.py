"""A sales rep's day in a real browser: inbox, claim, a form with a wrong phone number,
the fix, completing, the next task; the same pages in Vietnamese and Russian."""
import pytest

import engine
from accounts import service
from engine.db import db
from tests.conftest import deploy_file
from tests.e2e.conftest import login, one_backend

pytestmark = one_backend


@pytest.fixture
def lead_case(app, demo_users):
    deploy_file("check_then_call.bpmn", roles=service.role_names())
    instance = engine.start("check_then_call", actor="manager", data={
        "name": "Trần Thị Mai", "phone": "+84912345678", "source": "website"})
    db.session.commit()
    return instance


def test_a_rep_claims_fixes_a_phone_number_completes_and_sees_the_next_task(
        lead_case, page, live_server, screenshot):
    login(page, live_server, "sales1")
    page.click("form[action='/language'] button[lang=en]")
    page.goto("/inbox?tab=queue")
    row = page.locator("[data-task]").filter(has_text="Trần Thị Mai")
    row.locator("[data-action=claim]").click()  # htmx: the list and counts reload in place
    page.wait_for_function("() => document.querySelector('[data-count=mine]').textContent === '1'")
    page.click("[data-count=mine]")
    page.locator("[data-task] [data-action=unclaim]").wait_for()
    screenshot(page, "inbox-en")

    page.locator("[data-task] a", has_text="Check the lead's details").first.click()
    page.fill("input[name=phone]", "12345")
    page.click("[data-action=complete]")
    error = page.locator("input[name=phone].is-invalid ~ .invalid-feedback, "
                         "input[name=phone].is-invalid + .invalid-feedback").first
    assert "phone" in error.inner_text().lower()
    screenshot(page, "task-form-error-en")

    page.fill("input[name=phone]", "0901 234 567")
    page.click("[data-action=complete]")
    page.locator("[data-task-title]", has_text="Call the new lead").wait_for()
    assert "Task completed" in page.locator(".alert-success").inner_text()
    screenshot(page, "next-task-en")
    data = engine.case_data(lead_case.id)
    assert data["phone"] == "+84901234567"


@pytest.mark.parametrize(("language", "inbox", "tab"), [
    ("vi", "Hộp công việc", "Việc của tôi"),
    ("ru", "Входящие", "Мои задачи"),
])
def test_the_inbox_and_task_pages_are_translated(lead_case, page, live_server, screenshot, language,
                                                 inbox, tab):
    login(page, live_server, "sales2")
    page.click(f"form[action='/language'] button[lang={language}]")
    page.goto("/inbox?tab=queue")
    assert inbox in page.locator("h1").inner_text()
    assert tab in page.locator(".nav-tabs").inner_text()
    screenshot(page, f"inbox-{language}")
    page.locator("[data-task] a[href^='/tasks/']").first.click()
    title = {"vi": "Kiểm tra thông tin khách hàng", "ru": "Проверить данные клиента"}[language]
    assert title in page.locator("[data-task-title]").inner_text()
    screenshot(page, f"task-{language}")


def test_the_inbox_works_on_a_phone(lead_case, phone_page, live_server, screenshot):
    login(phone_page, live_server, "sales3")
    phone_page.goto("/inbox?tab=queue")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone_page.locator("[data-action=claim]").first.click()
    phone_page.wait_for_function("() => document.querySelector('[data-count=mine]').textContent === '1'")
    phone_page.click("[data-count=mine]")
    phone_page.locator("[data-task] [data-action=unclaim]").wait_for()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone_page, "inbox-phone-vi")
