"""Deploying a form from the form editor (issue 14), in a browser: the list names the forms of
a spiff-arena model folder, the edited form previews, Review shows the form file changed and
Deploy makes version 2 with it, in Vietnamese, English and Russian."""
import json
import re

import pytest
from playwright.sync_api import expect

import engine
from accounts import service
from accounts.models import User
from engine.db import db
from engine.models import ProcessDefinition
from tests import spiff_arena
from tests.e2e.conftest import login, one_backend

pytestmark = one_backend
FORM = "submit-expense-schema"
WORDS = {  # (form changed, the flash after Deploy)
    "vi": ("biểu mẫu thay đổi", "đã triển khai phiên bản 2 cùng biểu mẫu"),
    "en": ("form changed", "version 2 deployed with the form"),
    "ru": ("форма изменена", "версия 2 развёрнута с формой"),
}


@pytest.fixture
def model(app, demo_users):
    spiff_arena.deploy(roles=service.role_names())
    engine.start(spiff_arena.KEY, actor="manager")


def speak(username, lang):
    db.session.query(User).filter_by(username=username).one().locale = lang
    db.session.commit()


def with_project(text):
    schema = json.loads(text)
    schema["properties"]["project"] = {"type": "string", "title": "Project code"}
    schema["required"] = [*schema["required"], "project"]
    return json.dumps(schema, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("lang", ["vi", "en", "ru"])
def test_a_form_edited_in_the_browser_is_reviewed_and_deployed_with_its_process(
        model, new_page, live_server, screenshot, lang):
    speak("owner", lang)
    page = login(new_page(locale=lang), live_server, "owner")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/forms")
    row = page.locator(f'tr[data-process="{spiff_arena.KEY}"][data-form="{FORM}"]')
    expect(row).to_contain_text("submit-expense-schema.json")
    screenshot(page, f"forms-list-{lang}")
    with page.expect_navigation():
        row.locator("a.btn").click()
    expect(page.locator("#preview-en")).to_contain_text("Date on the receipt")
    area = page.locator("#schema")
    area.fill(with_project(area.input_value()))
    page.click("#tab-en")
    expect(page.locator("#preview-en")).to_contain_text("Project code")
    page.click("[data-review]")
    review = page.locator("#deploy-review")
    changed = review.locator('[data-file="submit-expense-schema.json"]')
    expect(changed).to_contain_text(WORDS[lang][0])
    expect(changed).to_contain_text("submit_expense")
    screenshot(page, f"forms-deploy-review-{lang}")
    with page.expect_navigation():
        review.locator("[data-deploy]").click()
    expect(page.locator(".alert-success").first).to_contain_text(WORDS[lang][1])
    db.session.expire_all()
    assert db.session.query(ProcessDefinition).filter_by(key=spiff_arena.KEY).one().latest_version == 2
    expect(page.locator("#schema")).to_have_value(re.compile(r".*Project code.*", re.S))
    assert errors == []
