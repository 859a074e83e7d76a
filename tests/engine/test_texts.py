"""engine.texts: one rule for a text in the reader's language (docs/modeler.md)."""
from engine import texts
from engine.xml_safety import parse

PROPS = {"title_vi": "Gọi khách hàng", "title_ru": "  ", "instructions_en": "Call"}


def test_the_reader_language_comes_first():
    assert texts.pick(PROPS, "title", "vi", default="en", fallback="Call the lead") == "Gọi khách hàng"


def test_a_missing_or_blank_language_takes_the_process_default_language_then_the_plain_name():
    assert texts.pick(PROPS, "title", "ru", default="vi", fallback="Call the lead") == "Gọi khách hàng"
    assert texts.pick(PROPS, "title", "ru", fallback="Call the lead") == "Call the lead"
    assert texts.pick({}, "instructions", "vi", default="vi") is None


def test_a_default_language_tasklane_does_not_speak_is_ignored():
    assert texts.default_language({"defaultLanguage": " VI "}) == "vi"
    assert texts.default_language({"defaultLanguage": "fr"}) is None


XML = """<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d">
  <bpmn:collaboration id="c"><bpmn:participant id="pool" processRef="p" /></bpmn:collaboration>
  <bpmn:process id="p" name="Loan">
    <bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="title_vi" value="Khoản vay" />
      <spiffworkflow:property name="defaultLanguage" value="vi" />
    </spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="sales" /></bpmn:laneSet>
    <bpmn:startEvent id="s" name="Start">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="title_vi" value="Bắt đầu" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:startEvent>
    <bpmn:endEvent id="e" name="End" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_document_names_elements_by_the_process_default_language_and_a_pool_as_its_process():
    doc = texts.read(parse(XML, max_bytes=100_000))
    assert doc.titles("p") == {"vi": "Khoản vay", "en": "Khoản vay", "ru": "Khoản vay"}
    assert doc.name("pool", "ru") == "Khoản vay"
    assert doc.name("s", "en") == "Bắt đầu" and doc.name("e", "vi") == "End"
    assert doc.name("unknown", "vi", "fallback") == "fallback"


def test_localized_xml_changes_names_only_and_names_lanes_by_their_role():
    out = texts.localize_xml(XML, "ru", lambda role: {"sales": "Продажи"}[role])
    doc = texts.read(parse(out, max_bytes=100_000))
    assert {k: v.name for k, v in doc.elements.items() if v.name} == {
        "pool": "Khoản vay", "p": "Khoản vay", "l": "Продажи", "s": "Bắt đầu", "e": "End"}
    assert set(doc.elements) == set(texts.read(parse(XML, max_bytes=100_000)).elements)
