"""The modeler with several diagrams and several files (issue 14): the switcher between the
BPMNDiagram elements of one file, a bundle opened from files, a zip or by dropping them,
decision tables edited with dmn-js, and Deploy sending every file."""
import zipfile

import pytest
from playwright.sync_api import expect

import engine
from accounts.models import User
from engine import bundles
from engine.db import db
from engine.models import ProcessDefinition, ProcessVersion
from tests.conftest import BPMN
from tests.e2e.conftest import login, one_backend
from tests.e2e.test_content_security_policy import check, watched
from tests.e2e.test_modeler import READY, SELECT, edit

pytestmark = one_backend
TWO_DIAGRAMS = BPMN / "two_diagrams.bpmn"
FOLDER = BPMN / "modeler_bundle"
DIALOG = "#deploy-dialog"
DMN_READY = "body[data-dmn-ready]"
SWITCH = "#modeler-diagram"


def canvas(page, element_id):
    return page.locator(f"#modeler-canvas [data-element-id={element_id}]")


def folder_pairs():
    return [(p.name, p.read_bytes()) for p in sorted(FOLDER.iterdir())]


def deploy_folder():
    engine.deploy(bundles.from_files(folder_pairs()), actor="owner", name="order.bpmn")
    db.session.commit()


def open_editor(new_page, live_server, path, lang="en"):
    page = new_page(locale=lang)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server, "owner")
    page.goto(path)
    page.wait_for_selector(READY)
    return page, errors


def latest(key):
    db.session.expire_all()
    definition = db.session.query(ProcessDefinition).filter_by(key=key).one()
    return db.session.query(ProcessVersion).filter_by(definition_id=definition.id,
                                                      version=definition.latest_version).one()


def confirm_deploy(page, state, deployed):
    """Deploy, confirm, and wait until the status names ``deployed`` ("key vN")."""
    page.click("[data-action=deploy]")
    dialog = page.locator(DIALOG)
    expect(dialog.locator("[data-deploy-process]").first).to_have_attribute("data-deploy-state", state)
    expect(dialog.locator("[data-deploy-confirm]")).to_be_focused()
    dialog.locator("[data-deploy-confirm]").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#modeler-status")).to_contain_text(deployed)


def edit_cell(page, row, column, value):
    page.locator(f"#dmn-canvas td[data-row-id={row}][data-col-id={column}]").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Tab")


def speak(lang):
    db.session.query(User).filter_by(username="owner").one().locale = lang
    db.session.commit()


def test_a_file_with_two_diagrams_switches_and_deploys_the_edits_of_both(demo_users, new_page, live_server):
    engine.deploy(TWO_DIAGRAMS.read_bytes(), actor="owner", name="two_diagrams.bpmn")
    db.session.commit()
    page, errors = open_editor(new_page, live_server, "/processes/order_intake/edit")
    switch = page.locator(SWITCH)
    expect(switch).to_be_visible()
    # the first diagram by its own name, the second by its process's
    expect(switch.locator("option")).to_have_text(["Intake", "Order check"])
    expect(page.locator("#modeler-files")).to_be_hidden()  # one file: no file list
    expect(canvas(page, "confirm_order")).to_be_visible()
    expect(canvas(page, "score_order")).to_have_count(0)

    switch.select_option(label="Order check")
    expect(canvas(page, "score_order")).to_be_visible()
    expect(canvas(page, "confirm_order")).to_have_count(0)
    page.evaluate(SELECT, "score_order")
    edit(page, "name", "Score the order twice")

    switch.select_option(label="Intake")
    expect(canvas(page, "confirm_order")).to_be_visible()
    page.evaluate(SELECT, "confirm_order")
    edit(page, "name", "Confirm the order now")
    switch.select_option(label="Order check")
    expect(canvas(page, "score_order")).to_contain_text("Score the order twice")  # kept while away

    confirm_deploy(page, "changed", "order_intake v2")
    version = latest("order_intake")
    assert version.version == 2
    assert "Score the order twice" in version.bpmn_xml and "Confirm the order now" in version.bpmn_xml
    assert version.bpmn_xml.count("<bpmndi:BPMNDiagram ") == 2
    assert errors == []


def test_uploading_a_file_with_two_diagrams_shows_the_switcher(demo_users, new_page, live_server):
    page, errors = open_editor(new_page, live_server, "/processes/new/edit")
    expect(page.locator("[data-diagram-switch]")).to_be_hidden()
    page.set_input_files("[data-action=upload]", str(TWO_DIAGRAMS))
    expect(page.locator(SWITCH + " option")).to_have_text(["Intake", "Order check"])
    expect(canvas(page, "order_received")).to_be_visible()
    assert errors == []


def test_several_files_open_a_decision_table_is_edited_and_all_deploy_as_one(demo_users, new_page,
                                                                               live_server):
    page, errors = open_editor(new_page, live_server, "/processes/new/edit")
    page.set_input_files("[data-open-files]", [str(p) for p in sorted(FOLDER.iterdir())])
    files = page.locator("#modeler-files")
    expect(files.locator("[data-file-group=bpmn] [data-file]")).to_have_text(["order.bpmnmain",
                                                                              "order_review.bpmn"])
    expect(files.locator("[data-file='order.bpmn']")).to_have_attribute("aria-pressed", "true")
    expect(files.locator("[data-file-group=dmn] [data-file]")).to_have_text(["order_discount.dmn"])
    expect(files.locator("[data-file-group=json] [data-file]")).to_have_text(
        ["order-approval-schema.json", "process_model.json"])
    expect(files.locator("[data-skipped-file]")).to_have_text(["README.md"])
    expect(canvas(page, "decide_discount")).to_be_visible()
    expect(page.locator("[data-process-key]")).to_have_text("bundle_order")  # the primary's process
    # the business rule task names its decision, chosen among the bundle's
    page.evaluate(SELECT, "decide_discount")
    decision = page.locator("#tasklane-panel [data-field=calledDecisionId]")
    expect(decision).to_have_value("order_discount")
    expect(decision.locator("option")).to_have_text(["(none)", "Order discount (order_discount.dmn)"])

    files.locator("[data-file='order_review.bpmn']").click()
    expect(canvas(page, "approve_order")).to_be_visible()
    page.evaluate(SELECT, "approve_order")
    edit(page, "name", "Approve the priced order")

    files.locator("[data-file='order_discount.dmn']").click()
    page.wait_for_selector(DMN_READY)
    expect(page.locator("[data-bpmn-editor]")).to_be_hidden()
    expect(page.locator("#dmn-canvas .tjs-table")).to_be_visible()
    edit_cell(page, "large_order", "discount_output", "12")
    cell = page.locator("#dmn-canvas td[data-row-id=large_order][data-col-id=discount_output]")
    expect(cell).to_have_text("12")
    page.click("[data-action=undo]")  # the toolbar's undo works on the decision table shown
    expect(cell).to_have_text("1")  # dmn-js keeps each keystroke as one change
    page.click("[data-action=undo]")
    expect(cell).to_have_text("10")
    page.click("[data-action=redo]")
    expect(cell).to_have_text("1")
    edit_cell(page, "large_order", "discount_output", "15")
    expect(files.locator("[data-file='order_discount.dmn']")).to_have_class(
        "btn btn-sm btn-secondary tl-file-edited")

    page.click("[data-action=validate]")
    expect(page.locator("#modeler-status")).to_have_text("No problems found.")
    confirm_deploy(page, "new", "bundle_order v1")
    version = latest("bundle_order")
    assert version.source_name == "order.bpmn"
    stored = {f.name: f.content for f in version.files}
    assert sorted(stored) == ["order-approval-schema.json", "order_discount.dmn", "order_review.bpmn",
                              "process_model.json"]
    assert "<text>15</text>" in stored["order_discount.dmn"]
    assert "Approve the priced order" in stored["order_review.bpmn"]
    # a file only listed goes byte for byte
    assert stored["process_model.json"] == (FOLDER / "process_model.json").read_text(encoding="utf-8")
    case = engine.start("bundle_order", actor="owner", data={"amount": 1200})
    assert engine.case_data(case.id)["discount"] == 15
    assert errors == []


def test_a_process_deployed_with_files_deploys_them_with_the_edited_diagram(demo_users, new_page,
                                                                            live_server):
    deploy_folder()
    before = {f.name: f.sha256 for f in latest("bundle_order").files}
    page, errors = open_editor(new_page, live_server, "/processes/bundle_order/edit")
    files = page.locator("#modeler-files")
    expect(files.locator("[data-file='order.bpmn'] .badge")).to_have_text("main")
    # looking at the other files changes none of them
    files.locator("[data-file='order_review.bpmn']").click()
    expect(canvas(page, "approve_order")).to_be_visible()
    files.locator("[data-file='order_discount.dmn']").click()
    page.wait_for_selector(DMN_READY)
    files.locator("[data-file='order.bpmn']").click()
    expect(canvas(page, "decide_discount")).to_be_visible()
    page.evaluate(SELECT, "decide_discount")
    edit(page, "name", "Pick the discount")
    confirm_deploy(page, "changed", "bundle_order v2")
    version = latest("bundle_order")
    assert version.version == 2 and "Pick the discount" in version.bpmn_xml
    assert {f.name: f.sha256 for f in version.files} == before
    assert errors == []


def test_a_problem_in_another_file_opens_that_file_at_its_element(demo_users, new_page, live_server):
    deploy_folder()
    page, errors = open_editor(new_page, live_server, "/processes/bundle_order/edit")
    page.evaluate(SELECT, "decide_discount")
    edit(page, "calledDecisionId", "")
    page.locator("#modeler-files [data-file='order_discount.dmn']").click()
    page.wait_for_selector(DMN_READY)
    page.click("[data-action=validate]")
    problem = page.locator("[data-problem-file='order.bpmn']")
    expect(problem).to_contain_text("decide_discount")
    expect(problem).to_contain_text("in order.bpmn")
    problem.click()
    expect(canvas(page, "decide_discount")).to_be_visible()
    expect(page.locator("#tasklane-panel [data-element-id=decide_discount]")).to_be_visible()  # selected
    expect(page.locator("[data-problem-overlay=decide_discount]")).to_be_visible()
    assert errors == []


def test_a_zip_or_dropped_files_open_as_a_bundle(demo_users, new_page, live_server, tmp_path):
    archive = tmp_path / "price-an-order.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for name, data in folder_pairs():
            out.writestr(f"price-an-order/{name}", data)
    page, errors = open_editor(new_page, live_server, "/processes/new/edit")
    page.set_input_files("[data-open-files]", str(archive))
    expect(page.locator("#modeler-files [data-file]")).to_have_count(5)
    expect(page.locator("#modeler-status")).to_have_text("5 files opened.")
    # dropped on the canvas: what a drag from the file manager delivers
    page.evaluate("""files => {
      const transfer = new DataTransfer();
      files.forEach(([name, text]) => transfer.items.add(new File([text], name)));
      const zone = document.querySelector('[data-drop-zone]');
      zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: transfer, bubbles: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true }));
    }""", [["two_diagrams.bpmn", TWO_DIAGRAMS.read_text(encoding="utf-8")], ["notes.txt", "not deployed"]])
    expect(page.locator("#modeler-files [data-file]")).to_have_text(["two_diagrams.bpmnmain"])
    expect(page.locator("#modeler-files [data-skipped-file]")).to_have_text(["notes.txt"])
    expect(page.locator(SWITCH + " option")).to_have_count(2)
    assert errors == []


def test_files_that_cannot_be_opened_say_why_and_keep_the_diagram(demo_users, new_page, live_server,
                                                                  tmp_path):
    broken = tmp_path / "model.zip"
    broken.write_bytes(b"not a zip")
    page, errors = open_editor(new_page, live_server, "/processes/new/edit")
    page.set_input_files("[data-open-files]", str(broken))
    expect(page.locator("#modeler-status")).to_have_text("The zip file cannot be read.")
    expect(page.locator("#modeler-files")).to_be_hidden()
    expect(page.locator("#modeler-canvas [data-element-id=StartEvent_1]")).to_be_visible()
    assert errors == []


def test_a_decision_table_works_under_the_content_security_policy(demo_users, new_page, live_server):
    deploy_folder()
    problems = []
    page = watched(new_page, problems)
    login(page, live_server, "owner")
    page.goto("/processes/bundle_order/edit")
    page.wait_for_selector(READY)
    page.locator("#modeler-files [data-file='order_discount.dmn']").click()
    page.wait_for_selector(DMN_READY)
    edit_cell(page, "any_order", "discount_output", "1")
    page.click("[data-dmn-view^='drd:']")
    expect(page.locator("#dmn-canvas .djs-container")).to_be_visible()
    check(page, problems)
    assert problems == []


@pytest.mark.parametrize("lang, texts", [
    ("vi", {"bpmn": "Sơ đồ BPMN", "main": "chính", "skipped": "Không triển khai", "when": "Khi",
            "hit": "Chính sách khớp:", "diagram": "Sơ đồ"}),
    ("en", {"bpmn": "BPMN diagrams", "main": "main", "skipped": "Not deployed", "when": "When",
            "hit": "Hit policy:", "diagram": "Diagram"}),
    ("ru", {"bpmn": "Схемы BPMN", "main": "главная", "skipped": "Не развёртываются", "when": "Когда",
            "hit": "Политика срабатывания:", "diagram": "Схема"}),
])
def test_the_files_the_switcher_and_the_decision_table_speak_the_owner_language(
        demo_users, new_page, live_server, screenshot, lang, texts):
    speak(lang)
    engine.deploy(TWO_DIAGRAMS.read_bytes(), actor="owner", name="two_diagrams.bpmn")
    db.session.commit()
    page, errors = open_editor(new_page, live_server, "/processes/order_intake/edit", lang)
    expect(page.locator("label[for=modeler-diagram]")).to_have_text(texts["diagram"])
    page.locator(SWITCH).select_option(label="Order check")
    expect(canvas(page, "score_order")).to_be_visible()
    screenshot(page, f"modeler-diagrams-{lang}")

    page.goto("/processes/new/edit")
    page.wait_for_selector(READY)
    page.set_input_files("[data-open-folder]", str(FOLDER))  # a spiff-arena process model folder
    files = page.locator("#modeler-files")
    expect(files.locator("[data-file-group=bpmn] .tl-file-kind")).to_have_text(texts["bpmn"])
    expect(files.locator("[data-file='order.bpmn'] .badge")).to_have_text(texts["main"])
    expect(files.locator("[data-file-group=skipped] .tl-file-kind")).to_have_text(texts["skipped"])
    expect(files.locator("[data-skipped-file]")).to_have_text(["README.md"])
    screenshot(page, f"modeler-files-{lang}")

    files.locator("[data-file='order_discount.dmn']").click()
    page.wait_for_selector(DMN_READY)
    table = page.locator("#dmn-canvas")
    expect(table.locator(".hit-policy .dms-label")).to_have_text(texts["hit"])
    expect(table.locator("th.input-cell .input-label, th .clause").first).to_have_text(texts["when"])
    screenshot(page, f"modeler-decision-table-{lang}")
    assert errors == []


def test_the_bundle_sent_is_what_the_page_shows(demo_users, new_page, live_server):
    """Download gives the file shown, under its own name, as Deploy would send it."""
    deploy_folder()
    page, errors = open_editor(new_page, live_server, "/processes/bundle_order/edit")
    page.locator("#modeler-files [data-file='order_review.bpmn']").click()
    expect(canvas(page, "approve_order")).to_be_visible()
    with page.expect_download() as info:
        page.click("[data-action=download]")
    download = info.value
    assert download.suggested_filename == "order_review.bpmn"
    with open(download.path(), "rb") as got:
        assert got.read() == (FOLDER / "order_review.bpmn").read_bytes()  # not edited: as it came
    assert errors == []


def test_a_diagram_without_a_drawing_cannot_be_shown_and_the_one_shown_stays(demo_users, new_page,
                                                                              live_server):
    review = (FOLDER / "order_review.bpmn").read_text(encoding="utf-8")
    undrawn = review[:review.index("<bpmndi:BPMNDiagram")] + "</bpmn:definitions>\n"
    page, errors = open_editor(new_page, live_server, "/processes/new/edit")
    page.set_input_files("[data-open-files]", [
        {"name": "order.bpmn", "mimeType": "application/xml",
         "buffer": (FOLDER / "order.bpmn").read_bytes()},
        {"name": "order_review.bpmn", "mimeType": "application/xml", "buffer": undrawn.encode()}])
    files = page.locator("#modeler-files")
    expect(files.locator("[data-file]")).to_have_count(2)
    files.locator("[data-file='order_review.bpmn']").click()
    expect(page.locator("#modeler-status")).to_have_text("This file could not be opened as a BPMN diagram.")
    expect(files.locator("[data-file='order.bpmn']")).to_have_attribute("aria-pressed", "true")
    expect(canvas(page, "decide_discount")).to_be_visible()
    assert errors == []
