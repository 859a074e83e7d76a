"""Deploying from the modeler (issue 13): Deploy asks first and shows what changes, the
header follows the version deployed, and bpmn-js's palette covers none of the diagram."""
import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from engine import drafts
from engine.db import db
from engine.models import ProcessDefinition
from tests.conftest import ROOT
from tests.e2e.conftest import login, one_backend
from tests.e2e.test_modeler import READY, SELECT, edit, lead_handling, open_modeler  # noqa: F401 - fixture

pytestmark = one_backend
LEAD_XML = (ROOT / "bpmn" / "lead_handling.bpmn").read_text(encoding="utf-8")
DIALOG = "#deploy-dialog"
# The rendered box of the leftmost shape of the diagram and of the palette, in page pixels.
BOXES = """() => {
  const box = node => { const r = node.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const shapes = [...document.querySelectorAll('#modeler-canvas g.djs-shape')].map(box)
    .filter(b => b[2] > b[0]);
  const leftmost = shapes.reduce((a, b) => (b[0] < a[0] ? b : a));
  const layer = document.querySelector('#modeler-canvas .viewport').getBoundingClientRect();
  return { palette: box(document.querySelector('.djs-palette')), leftmost,
           canvas: box(document.querySelector('#modeler-canvas')),
           diagram: [layer.left, layer.top, layer.right, layer.bottom] };
}"""


def latest_version(key="lead_handling"):
    db.session.expire_all()
    return db.session.query(ProcessDefinition).filter_by(key=key).one().latest_version


def speak(username, lang):
    db.session.query(User).filter_by(username=username).one().locale = lang
    db.session.commit()


def test_cancelling_the_deploy_dialog_changes_nothing(lead_handling, new_page, live_server):  # noqa: F811
    page, errors = open_modeler(new_page, live_server)
    page.click("[data-element-id=call_lead]")
    edit(page, "name", "Call the lead today")
    page.click("[data-action=deploy]")
    dialog = page.locator(DIALOG)
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-deploy-title]")).to_have_text("Deploy a new version?")
    expect(dialog).to_contain_text("Deploying makes version 2. What changes against version 1:")
    changed = dialog.locator(".tl-diff-changed li").filter(has_text="call_lead").first
    expect(changed).to_contain_text("Call the lead today")
    expect(dialog.locator("[data-deploy-confirm]")).to_be_focused()
    dialog.locator("[data-deploy-cancel]").click()
    expect(dialog).to_be_hidden()
    assert latest_version() == 1
    expect(page.locator("[data-version-badge]")).to_have_text("Version 1 deployed")
    expect(page.locator("#modeler-status")).to_be_empty()
    assert errors == []


def test_confirming_deploys_and_the_header_shows_each_new_version(lead_handling, new_page,  # noqa: F811
                                                                  live_server, screenshot):
    drafts.save("lead_handling", LEAD_XML, actor="owner", based_on_version=1)
    db.session.commit()
    page, errors = open_modeler(new_page, live_server)
    expect(page.locator("[data-draft-badge]")).to_be_visible()
    for number, name in ((2, "Call the lead today"), (3, "Call the lead at once")):
        page.evaluate(SELECT, "call_lead")  # a click on the selected task would unselect it
        edit(page, "name", name)
        page.click("[data-action=deploy]")
        expect(page.locator(DIALOG)).to_contain_text(f"Deploying makes version {number}.")
        if number == 2:
            expect(page.locator(f"{DIALOG} [data-deploy-confirm]")).to_be_focused()  # shown, not fading in
            screenshot(page, "modeler-deploy-confirm-en")
        page.locator(f"{DIALOG} [data-deploy-confirm]").click()
        expect(page.locator(DIALOG)).to_be_hidden()
        expect(page.locator("#modeler-status")).to_contain_text(f"lead_handling v{number}")
        expect(page.locator("[data-version-badge]")).to_have_text(f"Version {number} deployed")
        expect(page.locator("[data-draft-badge]")).to_have_count(0)
        assert latest_version() == number
    assert drafts.load("lead_handling") is None
    assert errors == []


def test_deploying_an_unchanged_diagram_says_there_is_nothing_to_deploy(lead_handling, new_page,  # noqa: F811
                                                                        live_server):
    page, errors = open_modeler(new_page, live_server)
    page.click("[data-action=deploy]")
    dialog = page.locator(DIALOG)
    expect(dialog.locator("[data-deploy-title]")).to_have_text("Nothing to deploy")
    expect(dialog.locator("[data-deploy-process=lead_handling]")).to_have_attribute("data-deploy-state",
                                                                                  "unchanged")
    expect(dialog).to_contain_text("Nothing changed since version 1: there is nothing to deploy.")
    expect(dialog.locator("[data-deploy-confirm]")).to_be_hidden()
    expect(dialog.locator("[data-deploy-cancel]")).to_have_text("Close")
    dialog.locator("[data-deploy-cancel]").click()
    expect(dialog).to_be_hidden()
    assert latest_version() == 1
    assert errors == []


def test_a_new_process_says_it_is_new_and_deploys_as_version_1(demo_users, new_page, live_server):
    page = new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server, "owner")
    page.goto("/processes/new/edit")
    page.wait_for_selector(READY)
    key = page.evaluate("() => JSON.parse(document.getElementById('modeler-config').textContent).key")
    expect(page.locator("[data-version-badge]")).to_be_hidden()
    page.click("[data-action=deploy]")
    dialog = page.locator(DIALOG)
    expect(dialog.locator(f"[data-deploy-process={key}]")).to_have_attribute("data-deploy-state", "new")
    expect(dialog).to_contain_text("This process is new: deploying it makes version 1.")
    dialog.locator("[data-deploy-confirm]").click()
    expect(page.locator("[data-version-badge]")).to_have_text("Version 1 deployed")
    expect(page).to_have_url(re.compile(f"/processes/{key}/edit$"))
    assert latest_version(key) == 1
    assert errors == []


def test_a_diagram_with_errors_is_not_offered_for_deploy(lead_handling, new_page, live_server):  # noqa: F811
    page, errors = open_modeler(new_page, live_server)
    page.evaluate("""() => {
      const m = window.tasklaneModeler, flow = m.get('elementRegistry').get('f_no_need');
      m.get('modeling').updateProperties(flow, { conditionExpression:
        m.get('moddle').create('bpmn:FormalExpression', { body: 'outcome ==' }) });
    }""")
    page.click("[data-action=deploy]")
    expect(page.locator("[data-problem-element=call_outcome]")).to_be_visible()
    expect(page.locator("#modeler-status")).to_have_class(re.compile("alert-danger"))
    expect(page.locator(DIALOG)).to_be_hidden()
    assert latest_version() == 1
    assert errors == []


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_the_palette_covers_no_shape_and_the_diagram_fills_the_canvas(lead_handling, new_page,  # noqa: F811
                                                                      live_server, screenshot, size):
    page, errors = open_modeler(new_page, live_server)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.reload()
    page.wait_for_selector(READY)
    boxes = page.evaluate(BOXES)
    palette, leftmost = boxes["palette"], boxes["leftmost"]
    canvas, diagram = boxes["canvas"], boxes["diagram"]
    assert leftmost[0] >= palette[2], boxes
    assert canvas[0] <= diagram[0] and diagram[2] <= canvas[2] + 1 and canvas[1] <= diagram[1] \
        and diagram[3] <= canvas[3] + 1, boxes
    # as large as fits beside the palette: it spans the free width or the free height
    free_width, free_height = canvas[2] - palette[2], canvas[3] - canvas[1]
    width, height = diagram[2] - diagram[0], diagram[3] - diagram[1]
    assert width > 0.85 * free_width or height > 0.85 * free_height, boxes
    screenshot(page, f"modeler-fit-{size[0]}")
    assert errors == []


@pytest.mark.parametrize("lang, title, state, task, kind", [
    ("vi", "Triển khai phiên bản mới?", "Triển khai sẽ tạo phiên bản 2", "Tên công việc",
     "Công việc người dùng"),
    ("ru", "Развернуть новую версию?", "Развёртывание создаст версию 2", "Название задачи",
     "Пользовательская задача"),
    ("en", "Deploy a new version?", "Deploying makes version 2", "Task name", "User task")])
def test_the_deploy_dialog_speaks_the_owner_language(lead_handling, new_page, live_server,  # noqa: F811
                                                     screenshot, lang, title, state, task, kind):
    speak("owner", lang)
    page, errors = open_modeler(new_page, live_server)
    page.click("[data-element-id=call_lead]")
    expect(page.locator("label[for=tl-field-name]")).to_have_text(task)
    expect(page.locator("#tasklane-panel [data-element-type]")).to_have_text(kind)
    edit(page, "name", "Gọi ngay")
    page.click("[data-action=deploy]")
    dialog = page.locator(DIALOG)
    expect(dialog.locator("[data-deploy-title]")).to_have_text(title)
    expect(dialog).to_contain_text(state)
    expect(dialog.locator(".tl-diff-changed")).to_contain_text(kind)
    expect(dialog.locator("[data-deploy-confirm]")).to_be_focused()  # shown, not fading in
    screenshot(page, f"modeler-deploy-confirm-{lang}")
    dialog.locator("[data-deploy-confirm]").click()
    expect(page.locator("[data-version-badge]")).to_contain_text("2")
    assert latest_version() == 2
    assert errors == []
