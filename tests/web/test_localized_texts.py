"""Process names, element names and instructions in the reader's language (issue 13, docs/modeler.md)."""
import html
import re

import pytest
from lxml import etree

import engine
from accounts import service
from accounts.models import User
from engine.db import db
from engine.models import HumanTask
from engine.texts import BPMN, SPIFF
from tests.conftest import ROOT
from tests.web.test_modeler import send

LEAD_XML = (ROOT / "bpmn" / "lead_handling.bpmn").read_bytes()
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
PROPERTIES = "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"


def english_names():
    """Every English name the lead-handling diagram gives a process or an element."""
    root = etree.fromstring(LEAD_XML)
    names = set()
    for node in root.iter():
        if not isinstance(node.tag, str) or etree.QName(node).localname in ("lane", "message"):
            continue
        if node.get("name") and node.get("id"):
            names.add(node.get("name"))
        for prop in node.iterfind(PROPERTIES, NS):
            if prop.get("name") == "title_en":
                names.add(prop.get("value"))
    return names


ENGLISH = english_names()
OWN = {"vi": {"process": "Xử lý khách hàng mới", "task": "Gọi khách hàng mới (Gọi ngay bây giờ)",
              "event": "Khách hàng mới", "instructions": "Gọi ngay cho khách hàng và xác nhận"},
       "ru": {"process": "Обработка заявок", "task": "Позвонить новому клиенту (звонить сейчас)",
              "event": "Новая заявка", "instructions": "Позвоните клиенту сейчас и уточните"}}


@pytest.fixture
def reader(app, sign_in, lead):
    """``reader(lang)``: a manager's client reading in ``lang``, and the lead's call task."""
    def open_in(lang):
        db.session.query(User).filter_by(username="manager").one().locale = lang
        db.session.commit()
        return sign_in("manager")
    return open_in


def shown(page):
    return html.unescape(page.get_data(as_text=True))


def english_in(text):
    return sorted(name for name in ENGLISH if name in text)


def test_the_shipped_lead_diagram_names_every_element_in_three_languages():
    root = etree.fromstring(LEAD_XML)
    for node in root.iter():
        if isinstance(node.tag, str) and node.get("id") and node.get("name") \
                and etree.QName(node).localname not in ("lane", "message"):
            props = {p.get("name"): p.get("value") for p in node.iterfind(PROPERTIES, NS)}
            assert all(props.get(f"title_{lang}") for lang in ("vi", "en", "ru")), node.get("id")
            assert "(" not in node.get("name") or node.get("id") == "call_lead", node.get("name")


@pytest.mark.parametrize("lang", ["vi", "ru"])
def test_the_inbox_names_the_task_and_its_process_in_the_reader_language(reader, lead, lang):
    page = shown(reader(lang).get("/inbox?tab=all"))
    assert OWN[lang]["task"] in page and OWN[lang]["process"] in page
    assert english_in(page) == []


@pytest.mark.parametrize("lang", ["vi", "ru"])
def test_the_task_page_gives_the_instructions_in_the_reader_language(reader, lead, lang):
    page = shown(reader(lang).get(f"/tasks/{lead.id}"))
    assert OWN[lang]["instructions"] in page and "Trần Thị Mai" in page
    assert "Call the customer now" not in page
    assert OWN[lang]["process"] in page
    assert english_in(page) == []


@pytest.mark.parametrize("lang", ["vi", "ru"])
def test_the_case_page_timeline_and_diagram_name_elements_in_the_reader_language(reader, lead, lang):
    client = reader(lang)
    page = shown(client.get(f"/cases/{lead.instance_id}"))
    assert OWN[lang]["event"] in page and OWN[lang]["process"] in page
    assert english_in(page) == []
    diagram = client.get(f"/cases/{lead.instance_id}/diagram.json").get_json()
    root = etree.fromstring(diagram["xml"].encode())
    names = {n.get("id"): n.get("name") for n in root.iter() if isinstance(n.tag, str) and n.get("name")}
    assert names["lead_received"] == OWN[lang]["event"]
    assert names["lead_handling_participant"] == OWN[lang]["process"]
    assert names["Lane_sales"] not in ("sales", "Sales")  # the role as people call it
    assert sorted(set(names.values()) & ENGLISH) == []
    # only names change: the ids, the flows and the drawing are the deployed ones
    deployed = etree.fromstring(LEAD_XML)
    assert {n.get("id") for n in root.iter() if isinstance(n.tag, str)} == \
           {n.get("id") for n in deployed.iter() if isinstance(n.tag, str)}


@pytest.mark.parametrize("lang", ["vi", "ru"])
def test_the_process_list_and_page_name_the_process_in_the_reader_language(reader, lead, lang):
    client = reader(lang)
    for path in ("/processes", "/processes/lead_handling", "/cases"):
        page = shown(client.get(path))
        assert OWN[lang]["process"] in page, path
        assert "Lead handling" not in page, path


def test_english_readers_get_the_english_names(reader, lead):
    client = reader("en")
    assert "Call the customer now" in shown(client.get(f"/tasks/{lead.id}"))
    assert "Lead handling" in shown(client.get("/processes"))


@pytest.mark.parametrize("lang", ["vi", "ru"])
def test_a_diagram_without_texts_per_language_shows_its_plain_names(two_lanes, sign_in, lang):
    task = two_lanes()
    db.session.query(User).filter_by(username="manager").one().locale = lang
    db.session.commit()
    client = sign_in("manager")
    assert "Call, then approve" in shown(client.get(f"/cases/{task.instance_id}"))
    assert "Call **" not in shown(client.get(f"/tasks/{task.id}"))  # the plain instructions, rendered
    assert "Call <strong>Nguyễn Văn An</strong>" in shown(client.get(f"/tasks/{task.id}"))
    diagram = client.get(f"/cases/{task.instance_id}/diagram.json").get_json()
    root = etree.fromstring(diagram["xml"].encode())
    names = {n.get("id"): n.get("name") for n in root.iter() if isinstance(n.tag, str) and n.get("name")}
    assert names["two_lanes"] == "Call, then approve" and names["report"] == "Write the report"
    assert names["call"] == {"vi": "Gọi khách hàng", "ru": "Позвонить клиенту"}[lang]


TEXTS_XML = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="texts_demo" name="Check the papers" isExecutable="true">
    <bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="title_ru" value="Проверка документов" />
      <spiffworkflow:property name="defaultLanguage" value="ru" />
    </spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:laneSet id="ls">
      <bpmn:lane id="l" name="sales"><bpmn:flowNodeRef>check</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="Check the papers">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="title_ru" value="Проверить документы" />
        <spiffworkflow:property name="instructions_vi" value="Kiểm tra giấy tờ của&#10;**{{ name }}**." />
        <spiffworkflow:property name="instructions_ru" value="Проверьте документы: **{{ name }}**." />
      </spiffworkflow:properties>
      <spiffworkflow:instructionsForEndUser>Check the papers of **{{ name }}**.
      </spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_deployed_diagram_with_texts_per_language_falls_back_to_its_default_language(app, sign_in, users):
    owner = sign_in("owner")
    assert send(owner, "/processes/deploy?name=texts_demo.bpmn", TEXTS_XML).status_code == 200
    instance = engine.start("texts_demo", actor="manager", data={"name": "Lan"})
    task = db.session.query(HumanTask).filter_by(instance_id=instance.id, state="open").one()
    assert task.titles == dict.fromkeys(("vi", "en", "ru"), "Проверить документы")  # ru is the default
    assert task.instructions_texts["vi"].startswith("Kiểm tra giấy tờ của\n")  # newlines kept
    assert task.instructions_texts["en"] == task.instructions_texts["ru"]  # en: the default language, ru
    for lang, expected in (("vi", "Kiểm tra giấy tờ của"), ("en", "Проверьте документы"),
                           ("ru", "Проверьте документы")):
        db.session.query(User).filter_by(username="manager").one().locale = lang
        db.session.commit()
        client = sign_in("manager")
        assert expected in shown(client.get(f"/tasks/{task.id}")), lang
        assert "Проверка документов" in shown(client.get("/processes")), lang


def test_a_case_of_a_diagram_from_elsewhere_shows_plain_names_in_its_timeline(app, sign_in, users):
    engine.deploy(TEXTS_XML.replace("defaultLanguage", "unused").encode(), actor="owner",
                  name="texts_demo.bpmn", roles=service.role_names())
    instance = engine.start("texts_demo", actor="manager", data={"name": "Lan"})
    db.session.query(User).filter_by(username="manager").one().locale = "vi"
    db.session.commit()
    page = shown(sign_in("manager").get(f"/cases/{instance.id}"))
    assert "Check the papers" in page  # no Vietnamese name and no default language: the BPMN name


@pytest.mark.parametrize(("lang", "source"), [("vi", "Website"), ("ru", "Сайт"), ("en", "Website")])
def test_the_instructions_show_the_leads_source_by_its_name_not_its_code(reader, lead, lang, source):
    page = shown(reader(lang).get(f"/tasks/{lead.id}"))
    assert f"· {source}" in page
    if lang == "ru":
        assert "· website" not in page


def test_instructions_read_a_choice_by_its_title_and_keep_the_phone_for_its_link(app, users, reader):
    case = engine.start("lead_handling", actor="manager", data={
        "name": "Lê Văn Nam", "phone": "+84912345679", "source": "manual", "owner": "sales1"})
    task = db.session.query(HumanTask).filter_by(instance_id=case.id, state="open").one()
    page = shown(reader("vi").get(f"/tasks/{task.id}"))
    assert "· Nhập thủ công" in page and "· manual" not in page
    # the instructions' link (nh3 adds its rel): the number as written, dialling E.164
    assert re.search(r'<a href="tel:\+84912345679" rel="[^"]*">0912 345 679</a>', page), page
