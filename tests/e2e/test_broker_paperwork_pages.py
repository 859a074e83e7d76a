"""The broker team's document template pages in a browser, in Russian, Vietnamese and
English (issue 15, steps 9 and 11): the lead fills in our requisites, uploads a DOCX that is
refused with its reason, saves the HTML and downloads a sample PDF; each page screenshotted
in each language."""
import io
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect

from accounts import roles, service
from accounts.models import User
from engine.db import db
from processes.broker.paperwork import requisites, templates
from tests.conftest import seed
from tests.e2e.conftest import login, one_backend

pytestmark = one_backend
WRONG = {"vi": ["Document templates", "Our requisites", "Sample PDF", "Save as a new version", "Versions"],
         "ru": ["Document templates", "Our requisites", "Sample PDF", "Save as a new version", "Versions",
                "Mẫu"],
         "en": ["Шаблоны документов", "Mẫu chứng từ"]}


def _lead():
    if "broker_lead" not in service.role_names():
        roles.create("broker_lead", "Broker team lead", actor="admin")
    service.add_user("lead1", "demo", ["broker_lead"], full_name="Лев Лидов", locale="ru")


@pytest.fixture
def lead(app, demo_users):
    seed("broker-lead", _lead)


def _broken_docx():
    document = docx.Document()
    document.add_paragraph("Акт № {{ number }} для {{ client.nmae }}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("lang", ["ru", "vi", "en"])
def test_the_lead_keeps_the_templates_in_their_language(lead, new_page, live_server, screenshot, lang,
                                                         tmp_path):
    db.session.query(User).filter_by(username="lead1").one().locale = lang
    db.session.commit()
    page = new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server, "lead1")

    page.goto("/broker/paperwork")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("[data-requisites-missing]")).to_be_visible()
    screenshot(page, f"broker-documents-{lang}")

    page.goto("/broker/paperwork/requisites")
    for key, value in requisites.SAMPLE.items():
        page.fill(f"#req-{key}", value)
    page.fill("#req-inn", "7701234561")
    page.click("[data-requisites-form] button[type=submit]")
    expect(page.locator("[data-requisite=inn] .invalid-feedback")).to_be_visible()
    screenshot(page, f"broker-requisites-refused-{lang}")
    page.fill("#req-inn", requisites.SAMPLE["inn"])
    page.select_option("#req-vat_rate", "22")
    page.click("[data-requisites-form] button[type=submit]")
    expect(page.locator("[data-requisites-missing]")).to_have_count(0)
    screenshot(page, f"broker-requisites-{lang}")

    page.goto("/broker/paperwork/act")
    broken = tmp_path / "акт.docx"
    broken.write_bytes(_broken_docx())
    page.set_input_files("#docx-file", str(broken))
    page.click("[data-docx-form] button[value=save]")
    expect(page.locator("[data-error=docx]")).to_contain_text("nmae")
    screenshot(page, f"broker-template-refused-{lang}")

    html = templates.current("act").html.replace("об оказании услуг", "об оказании услуг по договору")
    page.fill("#html-source", html)
    page.fill("#html-note", "уточнён заголовок")
    page.click("[data-html-form] button[value=save]")
    expect(page.locator("[data-in-force]")).to_have_attribute("data-in-force", "2")
    with page.expect_download() as download:
        page.click("[data-sample=pdf]")
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    page.locator("[data-fields]").evaluate("element => element.open = true")
    screenshot(page, f"broker-template-{lang}")
    text = page.locator("body").inner_text()
    assert [word for word in WRONG[lang] if word in text] == []
    assert errors == []
