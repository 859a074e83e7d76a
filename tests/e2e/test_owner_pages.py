"""The process owner's pages read in Vietnamese, English and Russian (issue 13): the process
list, a process's versions, a diff, the migration check, drafts, the forms and the form
editor, each screenshotted in each language."""
import pytest
from playwright.sync_api import expect

from accounts.models import User
from engine import drafts
from engine.db import db
from tests.conftest import BPMN, deploy_file
from tests.e2e.conftest import login, one_backend

pytestmark = one_backend
PAGES = [("processes", "/processes"), ("process-versions", "/processes/versioned"),
         ("process-diff", "/processes/versioned/diff?a=1&b=2"),
         ("process-migrate", "/processes/versioned/migrate?from=1&to=2"),
         ("drafts", "/processes/drafts"), ("forms", "/forms"),
         ("form-editor", "/forms/lead-call-outcome/edit")]
# Words that must not be on these pages in that language: a person's name for a process,
# dates for versions, and the English of labels that have a translation.
WRONG = {"vi": ["Họ tên", "Từ ngày", "Đến ngày", "UserTask", "Process name", "From version", "Drafts",
                "Forms"],
         "ru": ["Имя", "ФИО", "UserTask", "Process name", "From version", "Drafts", "Forms"],
         "en": ["UserTask", "The forms user tasks name"]}


@pytest.fixture
def versioned(app, demo_users):
    deploy_file("versioned_v1.bpmn")
    deploy_file("versioned_v2.bpmn")
    drafts.save("versioned", (BPMN / "versioned_v2.bpmn").read_text(encoding="utf-8"),
                actor="owner", based_on_version=2)
    db.session.commit()


@pytest.mark.parametrize("lang", ["vi", "en", "ru"])
def test_every_owner_page_reads_in_the_owner_language(versioned, new_page, live_server, screenshot, lang):
    db.session.query(User).filter_by(username="owner").one().locale = lang
    db.session.commit()
    page = new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server, "owner")
    for name, path in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", lang)
        text = page.locator("main, body").first.inner_text()
        wrong = [word for word in WRONG[lang] if word in text]
        screenshot(page, f"owner-{name}-{lang}")
        assert wrong == [], (path, wrong)
    assert errors == []
