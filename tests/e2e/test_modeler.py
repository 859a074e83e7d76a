"""The process owner edits the lead-handling diagram in the browser and deploys version 2.

Renames a task through the Tasklane panel, adds a timer, gives a gateway's flow a
condition that does not compile, validates (marker and list entry at the gateway),
fixes it, deploys; then a case of version 2 runs with the new name and the new timer.
"""
import re
from datetime import timedelta

import pytest
from lxml import etree
from playwright.sync_api import expect

import engine
from accounts import service
from engine import drafts, testclock, texts
from engine.db import db
from engine.models import HumanTask, ProcessDefinition, ProcessInstance, ProcessVersion, Timer
from tests.conftest import ROOT
from tests.e2e.conftest import login, one_backend

pytestmark = one_backend
READY = "body[data-modeler-ready=true]"
NEW_TITLE = "Call the new lead at once"
FIXED = 'outcome in ("no_need", "wrong_number")'

# Inserts a plain intermediate catch event on the flow prepare_lead -> call_lead. Drawing
# it from the palette with the mouse is brittle in a headless browser; the panel edits
# that follow are done through the page, as a user does them.
INSERT_EVENT = """() => {
  const m = window.tasklaneModeler, registry = m.get('elementRegistry'), modeling = m.get('modeling');
  const shape = m.get('elementFactory').createShape({ type: 'bpmn:IntermediateCatchEvent' });
  const created = modeling.createShape(shape, { x: 435, y: 200 }, registry.get('lead_handling_participant'));
  modeling.reconnectEnd(registry.get('f_prepared'), created, { x: 435, y: 200 });
  modeling.connect(created, registry.get('call_lead'));
  return created.id;
}"""
SELECT = """id => {
  const m = window.tasklaneModeler;
  m.get('selection').select(m.get('elementRegistry').get(id));
}"""


@pytest.fixture
def settings(settings):
    """The test clock hook moves the new timer forward (off by default, as everywhere else)."""
    return {**settings, "TASKLANE_TEST_HOOKS": True}


@pytest.fixture
def lead_handling(app, demo_users):
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles=service.role_names())
    db.session.commit()


def open_modeler(new_page, live_server, key="lead_handling"):
    page = new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server, "owner")
    page.goto(f"/processes/{key}/edit")
    page.wait_for_selector(READY)
    return page, errors


def edit(page, field, value):
    control = page.locator(f"#tasklane-panel [data-field={field}]")
    if control.evaluate("node => node.tagName") == "SELECT":
        control.select_option(value)
    else:
        control.fill(value)
        control.press("Tab")


def test_the_owner_edits_validates_and_deploys_version_2(lead_handling, new_page, live_server, screenshot):
    page, errors = open_modeler(new_page, live_server)

    page.click("[data-element-id=call_lead]")
    title = page.locator("#tasklane-panel [data-field=title_en]")
    expect(title).to_have_value("Call the new lead (call now)")
    edit(page, "title_en", NEW_TITLE)
    edit(page, "name", "Call the lead at once")
    page.click("[data-action=undo]")
    expect(page.locator("#tasklane-panel [data-field=name]")).to_have_value("Call the lead")
    page.click("[data-action=redo]")
    expect(page.locator("#tasklane-panel [data-field=name]")).to_have_value("Call the lead at once")

    event_id = page.evaluate(INSERT_EVENT)
    page.evaluate(SELECT, event_id)
    page.click("#tasklane-panel [data-field=makeTimer]")
    edit(page, "timerKind", "timeDuration")
    edit(page, "timerExpression", '"PT1H"')

    page.evaluate(SELECT, "f_no_need")
    expect(page.locator("#tasklane-panel [data-field=condition]")).to_have_value(FIXED)
    edit(page, "condition", "outcome ==")

    page.click("[data-action=validate]")
    expect(page.locator("[data-problem-element=call_outcome]")).to_be_visible()
    expect(page.locator("g.djs-element.tl-error[data-element-id=call_outcome]")).to_have_count(1)
    expect(page.locator("[data-problem-overlay=call_outcome]")).to_be_visible()
    screenshot(page, "modeler-error-en")
    page.click("[data-problem-element=call_outcome]")
    expect(page.locator("#tasklane-panel code[data-element-id=call_outcome]")).to_be_visible()

    page.evaluate(SELECT, "f_no_need")
    edit(page, "condition", FIXED)
    page.click("[data-action=validate]")
    expect(page.locator("#modeler-problems .list-group-item-success")).to_be_visible()
    expect(page.locator("g.djs-element.tl-error")).to_have_count(0)

    page.click("[data-action=deploy]")
    dialog = page.locator("#deploy-dialog")
    expect(dialog.locator("[data-deploy-process=lead_handling]")).to_have_attribute("data-deploy-state",
                                                                                  "changed")
    expect(dialog.locator(".tl-diff-changed")).to_contain_text("call_lead")
    expect(dialog.locator(".tl-diff-added")).to_contain_text(event_id)
    dialog.locator("[data-deploy-confirm]").click()
    expect(page.locator("#modeler-status")).to_contain_text("lead_handling v2")
    assert errors == []

    db.session.expire_all()
    definition = db.session.query(ProcessDefinition).filter_by(key="lead_handling").one()
    assert definition.latest_version == 2
    xml = db.session.query(ProcessVersion).filter_by(definition_id=definition.id, version=2).one().bpmn_xml
    original = (ROOT / "bpmn" / "lead_handling.bpmn").read_text(encoding="utf-8")
    for tag in ("<spiffworkflow:instructionsForEndUser>", "<spiffworkflow:properties>",
                "<spiffworkflow:property "):
        assert xml.count(tag) == original.count(tag) > 0, tag
    assert f'value="{NEW_TITLE}"' in xml and "<bpmn:timeDuration" in xml

    instance = engine.start("lead_handling", actor="manager", data={
        "name": "Trần Thị Mai", "phone": "+84912345678", "source": "website", "owner": "sales1"})
    assert db.session.get(ProcessInstance, instance.id).version.version == 2
    timer = db.session.query(Timer).filter_by(instance_id=instance.id, element_id=event_id).one()
    assert timer.state == "pending"
    assert db.session.query(HumanTask).filter_by(instance_id=instance.id).count() == 0
    testclock.move_clock(timedelta(hours=1, minutes=1), instance_id=instance.id)
    db.session.commit()
    assert engine.fire_timer(timer.id) == "fired"
    db.session.expire_all()
    task = db.session.query(HumanTask).filter_by(instance_id=instance.id, state="open").one()
    assert task.element_id == "call_lead"
    assert task.titles["en"] == NEW_TITLE


@pytest.mark.parametrize("key", ["lead_handling", "prospect_pipeline"])
def test_a_diagram_saved_without_edits_keeps_every_spiff_extension(demo_users, new_page, live_server, key):
    original = (ROOT / "bpmn" / f"{key}.bpmn").read_text(encoding="utf-8")
    engine.deploy(original.encode(), actor="owner", name=f"{key}.bpmn", roles=service.role_names())
    db.session.commit()
    page, errors = open_modeler(new_page, live_server, key)
    saved = page.evaluate("() => window.tasklaneModeler.saveXML({ format: true }).then(r => r.xml)")
    assert errors == []
    for tag in sorted(set(re.findall(r"<spiffworkflow:(\w+)", original))):
        assert saved.count(f"<spiffworkflow:{tag}") == original.count(f"<spiffworkflow:{tag}"), tag
    assert engine.validate(saved.encode(), roles=service.role_names()) == engine.validate(
        original.encode(), roles=service.role_names())
    # the modeler writes it with other indentation and quoting, but the same document in
    # canonical form: deploying it is no change (engine.xml_safety.same_document)
    results = engine.deploy(saved.encode(), actor="owner", name=f"{key}.bpmn", roles=service.role_names())
    db.session.commit()
    assert [(v.version, created) for v, created in results] == [(1, False)]


@pytest.mark.parametrize("lang", ["vi", "en", "ru"])
def test_the_modeler_speaks_the_owner_language(lead_handling, new_page, live_server, screenshot, lang):
    page, errors = open_modeler(new_page, live_server)
    page.click(f"button[lang={lang}]")
    page.wait_for_selector(READY)
    page.click("[data-element-id=call_lead]")
    expect(page.locator("#tasklane-panel [data-field=title_vi]")).to_have_value(re.compile("Gọi khách hàng"))
    page.click("[data-action=validate]")
    expect(page.locator("#modeler-problems li")).not_to_have_count(0)
    screenshot(page, f"modeler-{lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert errors == []


def test_the_form_editor_previews_as_the_owner_types(demo_users, new_page, live_server, screenshot):
    page = new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server, "owner")
    page.goto("/forms/lead-call-outcome/edit")
    expect(page.locator("#preview-vi [name=outcome]").first).to_be_attached()
    page.click("#tab-ru")
    expect(page.locator("#preview-ru [name=outcome]").first).to_be_visible()
    screenshot(page, "form-editor-ru")
    page.locator("#schema").press_sequentially("}")
    expect(page.locator("#preview-ru [data-preview-error]")).to_contain_text("JSON")
    assert errors == []


def test_a_new_diagram_is_kept_as_a_draft(demo_users, new_page, live_server):
    page = new_page()
    login(page, live_server, "owner")
    page.goto("/processes/new/edit")
    page.wait_for_selector(READY)
    key = page.evaluate("() => JSON.parse(document.getElementById('modeler-config').textContent).key")
    page.click("[data-action=validate]")
    expect(page.locator("#modeler-problems .list-group-item-success")).to_be_visible()
    with page.expect_response(lambda response: response.url.endswith(f"/processes/{key}/draft")) as saved:
        page.click("[data-action=save]")
    assert saved.value.status == 200
    # validation already left the status green: wait for the save's own words, not the colour
    expect(page.locator("#modeler-status")).to_have_text("Draft saved.")
    db.session.expire_all()
    assert drafts.load(key).updated_by == "owner"
    page.goto("/processes/drafts")
    expect(page.locator(f"a[href='/processes/{key}/edit']")).to_be_visible()


def test_the_owner_sets_a_due_time_in_business_days_and_validation_names_a_bad_one(lead_handling, new_page,
                                                                                    live_server):
    page, errors = open_modeler(new_page, live_server)
    page.click("[data-element-id=call_lead]")
    edit(page, "dueIn", "")
    edit(page, "dueInBusinessDays", "-1")
    edit(page, "businessCalendar", "RU")
    page.click("[data-action=validate]")
    expect(page.locator("[data-problem-element=call_lead]")).to_contain_text("dueInBusinessDays")
    page.evaluate(SELECT, "call_lead")
    edit(page, "dueInBusinessDays", "2")
    page.click("[data-action=validate]")
    expect(page.locator("[data-problem-element=call_lead]")).to_have_count(0)
    saved = page.evaluate("() => window.tasklaneModeler.saveXML({ format: true }).then(r => r.xml)")
    call = saved.split('id="call_lead"')[1].split("</bpmn:userTask>")[0]
    assert 'name="dueInBusinessDays" value="2"' in call and 'name="businessCalendar" value="RU"' in call
    assert 'name="dueIn"' not in call
    assert errors == []


RU_STEPS = "Позвоните клиенту **{{ name }}**.\n\n- Уточните, удобно ли говорить."


def test_the_owner_edits_process_names_and_instructions_per_language_and_they_survive_a_reload(
        lead_handling, new_page, live_server):
    page, errors = open_modeler(new_page, live_server)
    # nothing selected: the panel edits the process behind the canvas
    panel = page.locator("#tasklane-panel")
    expect(panel.locator("[data-field=process_title_vi]")).to_have_value("Xử lý khách hàng mới")
    edit(page, "process_title_ru", "Обработка новых заявок")
    edit(page, "defaultLanguage", "ru")
    page.evaluate(SELECT, "call_lead")
    expect(page.locator("#tasklane-panel [data-field=instructions_vi]")).to_have_value(
        re.compile("Gọi ngay cho khách hàng"))
    edit(page, "instructions_ru", RU_STEPS)
    edit(page, "instructions_en", "")
    page.evaluate(SELECT, "lead_received")
    edit(page, "title_ru", "Заявка поступила")
    page.click("[data-action=save]")
    expect(page.locator("#modeler-status")).to_have_class(re.compile("alert-success"))

    saved = drafts.load("lead_handling").xml
    document = texts.read(etree.fromstring(saved.encode()))
    process = document.elements["lead_handling"].props
    assert process["title_ru"] == "Обработка новых заявок" and process["defaultLanguage"] == "ru"
    call = document.elements["call_lead"].props
    assert call["instructions_ru"] == RU_STEPS  # the line breaks survive the attribute
    assert "instructions_en" not in call  # emptied: removed, the plain instructions stay the fallback
    assert document.name("lead_received", "ru") == "Заявка поступила"

    page.reload()
    page.wait_for_selector(READY)
    expect(panel.locator("[data-field=process_title_ru]")).to_have_value("Обработка новых заявок")
    expect(page.locator("#tasklane-panel [data-field=defaultLanguage]")).to_have_value("ru")
    page.evaluate(SELECT, "call_lead")
    expect(page.locator("#tasklane-panel [data-field=instructions_ru]")).to_have_value(RU_STEPS)
    page.evaluate(SELECT, "lead_handling_participant")  # a pool edits its process's names too
    expect(panel.locator("[data-field=process_title_ru]")).to_have_value("Обработка новых заявок")
    assert errors == []


def test_the_owner_makes_a_task_pause_another_tasks_deadline_and_validation_names_a_task_without_one(
        lead_handling, new_page, live_server):
    page, errors = open_modeler(new_page, live_server)
    page.click("[data-element-id=call_contact]")
    options = page.locator("#tasklane-panel [data-field=pausesDeadlineOf] option")
    assert "Call the lead (call_lead)" in options.all_inner_texts()
    assert "call_contact" not in " ".join(options.all_inner_texts())   # not itself
    edit(page, "pausesDeadlineOf", "call_lead")
    page.evaluate(SELECT, "call_lead")
    edit(page, "dueIn", "")
    page.click("[data-action=validate]")
    expect(page.locator("[data-problem-element=call_contact]")).to_contain_text("pausesDeadlineOf")
    page.evaluate(SELECT, "call_lead")
    edit(page, "dueInBusinessDays", "2")
    page.click("[data-action=validate]")
    expect(page.locator("[data-problem-element=call_contact]")).to_have_count(0)
    saved = page.evaluate("() => window.tasklaneModeler.saveXML({ format: true }).then(r => r.xml)")
    contact = saved.split('id="call_contact"')[1].split("</bpmn:userTask>")[0]
    assert 'name="pausesDeadlineOf" value="call_lead"' in contact
    assert errors == []
