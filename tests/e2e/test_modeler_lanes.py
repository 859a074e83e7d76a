"""Lanes mapped to roles in the modeler's deploy dialog (issue 14, "Lanes"): a lane renamed
after no role is given one in the dialog, the version keeps the choice, and opening the
process again starts from it."""
import re

import pytest
from playwright.sync_api import expect

from engine.db import db
from engine.models import ProcessDefinition, ProcessVersion
from tests.e2e.conftest import one_backend
from tests.e2e.test_modeler import READY, SELECT, edit, lead_handling, open_modeler  # noqa: F401 - fixture
from tests.e2e.test_modeler_deploy import DIALOG, speak

pytestmark = one_backend
LANE = "Telesales Team"


def latest():
    db.session.expire_all()
    return (db.session.query(ProcessVersion).join(ProcessDefinition)
            .filter(ProcessDefinition.key == "lead_handling").order_by(ProcessVersion.version.desc()).first())


def rename_lane(page):
    page.evaluate(SELECT, "Lane_sales")
    edit(page, "lane", LANE)


@pytest.mark.parametrize("lang, choose, ready, sales", [
    ("vi", "Chọn vai trò cho từng làn", "Triển khai phiên bản mới?", "Kinh doanh"),
    ("ru", "Выберите роль для каждой дорожки", "Развернуть новую версию?", "Продажи"),
    ("en", "Choose a role for each lane", "Deploy a new version?", "Sales")])
def test_a_lane_named_after_no_role_is_given_one_in_the_dialog_and_deploys(
        lead_handling, new_page, live_server, screenshot, lang, choose, ready, sales):  # noqa: F811
    speak("owner", lang)
    page, errors = open_modeler(new_page, live_server)
    rename_lane(page)
    expect(page.locator("#tasklane-panel [data-lane-role-hint]")).to_have_attribute("data-lane-role-hint", "")
    page.click("[data-action=deploy]")
    dialog = page.locator(DIALOG)
    expect(dialog.locator("[data-deploy-title]")).to_have_text(choose)
    choice = dialog.locator(f"select[data-lane-role='{LANE}']")
    expect(choice).to_be_focused()
    expect(choice).to_have_class(re.compile("is-invalid"))
    expect(dialog.locator("[data-deploy-confirm]")).to_be_disabled()
    screenshot(page, f"modeler-deploy-lanes-choose-{lang}")
    choice.select_option("sales")
    expect(dialog.locator("[data-deploy-title]")).to_have_text(ready)
    expect(dialog.locator("[data-deploy-confirm]")).to_be_enabled()
    expect(dialog.locator(f"select[data-lane-role='{LANE}']")).to_have_value("sales")
    expect(dialog.locator(f"[data-diff-lane='{LANE}']")).to_contain_text(sales)
    screenshot(page, f"modeler-deploy-lanes-{lang}")
    dialog.locator("[data-deploy-confirm]").click()
    expect(page.locator("[data-version-badge]")).to_contain_text("2")
    version = latest()
    assert (version.version, version.lane_roles) == (2, {LANE: "sales"})
    assert errors == []


def test_opening_the_process_again_starts_from_its_mapping(lead_handling, new_page, live_server,  # noqa: F811
                                                          screenshot):
    page, errors = open_modeler(new_page, live_server)
    rename_lane(page)
    page.click("[data-action=deploy]")
    page.locator(f"{DIALOG} select[data-lane-role='{LANE}']").select_option("sales")
    expect(page.locator(f"{DIALOG} [data-deploy-confirm]")).to_be_enabled()
    page.locator(f"{DIALOG} [data-deploy-confirm]").click()
    expect(page.locator("[data-version-badge]")).to_contain_text("2")
    page.reload()
    page.wait_for_selector(READY)
    page.evaluate(SELECT, "Lane_sales")
    hint = page.locator("#tasklane-panel [data-lane-role-hint]")
    expect(hint).to_have_attribute("data-lane-role-hint", "sales")
    expect(hint).to_have_text("Its tasks go to the role: Sales")
    screenshot(page, "modeler-lane-panel-en")
    page.click("[data-action=validate]")
    expect(page.locator("#modeler-problems")).not_to_contain_text(LANE)
    page.click("[data-action=deploy]")
    dialog = page.locator(DIALOG)
    expect(dialog.locator("[data-deploy-title]")).to_have_text("Nothing to deploy")
    expect(dialog.locator(f"select[data-lane-role='{LANE}']")).to_have_value("sales")
    assert latest().version == 2
    assert errors == []
