"""The lead pages in a real browser, in Vietnamese, English and Russian: the list, a
new lead whose phone is already known, and an import with its report per row."""
import pytest
from playwright.sync_api import expect

import engine
from accounts import service
from engine.db import db
from engine.types import utcnow
from processes.leads.entry import create_lead
from tests.conftest import ROOT
from tests.e2e.conftest import login, one_backend

pytestmark = one_backend

# msgstr of "Leads", "New lead", "Import leads" in web/translations/<lang>/LC_MESSAGES/messages.po
HEADINGS = {
    "vi": ("Khách hàng tiềm năng", "Khách hàng tiềm năng mới", "Nhập khách hàng tiềm năng"),
    "en": ("Leads", "New lead", "Import leads"),
    "ru": ("Лиды", "Новый лид", "Импорт лидов"),
}
SPREADSHEET = ("Họ tên,Số điện thoại,Nguồn,Nhân viên\n"
               "Đỗ Minh Khoa,0933 111 222,zalo,sales2\n"
               ",0944 222 333,,\n"
               "Bùi Thị Yến,12345,facebook,\n"
               "Trịnh Văn Lâm,0901234567,,sales1\n").encode()


@pytest.fixture
def leads(app, demo_users):
    """Three leads of the demo reps; the second was called already."""
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles=service.role_names())
    made = [create_lead({"name": name, "phone": phone, "owner": owner, "classification": classification},
                        actor="manager", source=source).customer
            for name, phone, owner, classification, source in [
                ("Nguyễn Thị Lan", "0901234567", "sales1", "urgent", "website"),
                ("Lê Văn Tùng", "0912345678", "sales2", "potential", "facebook"),
                ("Phạm Thu Hà", "0987654321", "sales3", None, "zalo")]]
    made[1].first_contact_at, made[1].status = utcnow(), "in_consultation"
    db.session.commit()
    return made


@pytest.mark.parametrize("language", ["vi", "en", "ru"])
def test_the_lead_list_entry_with_a_known_phone_and_import_report_are_translated(
        leads, new_page, live_server, screenshot, language):
    listing, entry, importing = HEADINGS[language]
    page = new_page(locale=language)
    login(page, live_server, "manager")
    page.click(f"form[action='/language'] button[lang={language}]")

    page.goto("/leads")
    expect(page.locator("h1")).to_have_text(listing)
    expect(page.locator("[data-lead]")).to_have_count(3)
    expect(page.locator("[data-waiting]")).to_have_attribute("data-waiting", "2")
    screenshot(page, f"leads-{language}")

    page.goto("/leads/new")
    expect(page.locator("h1")).to_have_text(entry)
    page.fill("#lead-name", "Nguyễn Thị Lan Anh")
    page.fill("#lead-phone", "090 123 4567")  # Nguyễn Thị Lan's number, typed differently
    page.select_option("#lead-source", "referral")
    page.select_option("#lead-owner", "sales1")
    with page.expect_navigation():
        page.click("form[action='/leads/new'] button[type=submit]")
    warning = page.locator("[data-duplicates]")
    expect(warning).to_contain_text("Nguyễn Thị Lan ·")
    # as the reader writes it: national in Vietnam (vi, and en: the default place's),
    # international for a Russian reader
    expect(warning).to_contain_text("+84 901 234 567" if language == "ru" else "0901 234 567")
    screenshot(page, f"lead-new-duplicate-{language}")

    page.goto("/leads/import")
    expect(page.locator("h1")).to_have_text(importing)
    page.set_input_files("#import-file", files=[{"name": "leads.csv", "mimeType": "text/csv",
                                                  "buffer": SPREADSHEET}])
    with page.expect_navigation():
        page.click("form[action='/leads/import'] button[type=submit]")
    expect(page.locator("[data-imported]")).to_have_attribute("data-imported", "2")
    expect(page.locator("[data-rejected-row]")).to_have_count(2)
    expect(page.locator("[data-rejected-row='4']")).to_contain_text("12345")
    expect(page.locator("[data-report] [data-duplicates]")).to_have_count(1)  # row 5: a known phone
    screenshot(page, f"lead-import-{language}")
