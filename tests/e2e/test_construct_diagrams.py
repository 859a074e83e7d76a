"""The differential test's diagrams (tests/bpmn/construct_*.bpmn) open in bpmn-js, the
modeler's library, with every element drawn: they are meant to be read and edited there."""
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import BPMN, ROOT

VIEWER = ROOT / "web" / "static" / "vendor" / "bpmn-js" / "bpmn-viewer.production.min.js"
MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DRAWN = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
         "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
         "callActivity", "subProcess", "transaction", "exclusiveGateway", "inclusiveGateway",
         "parallelGateway", "eventBasedGateway", "sequenceFlow", "messageFlow", "participant",
         "dataObjectReference", "dataInputAssociation", "dataOutputAssociation"}
# SpiffWorkflow reads a multi-instance's loopDataInputRef / loopDataOutputRef as names of task
# data; BPMN's schema wants the id of a data input there, so bpmn-js says it cannot resolve them.
TASK_DATA_REFERENCE = "unresolved reference <"
DIAGRAMS = sorted(BPMN.glob("construct_*.bpmn"))


def drawn_ids(path):
    root = etree.parse(str(path)).getroot()
    return {node.get("id") for node in root.iter() if isinstance(node.tag, str)
            and etree.QName(node).namespace == MODEL and etree.QName(node).localname in DRAWN}


@pytest.fixture(scope="module")
def viewer(browser):
    if not VIEWER.exists():
        pytest.fail(f"{VIEWER} is missing: run `make assets`")
    page = browser.new_page()
    page.set_content("<div id='canvas' style='width: 1200px; height: 800px'></div>")
    page.add_script_tag(path=str(VIEWER))
    page.evaluate("window.viewer = new BpmnJS({container: '#canvas'})")
    yield page
    page.close()


@pytest.mark.parametrize("path", DIAGRAMS, ids=[p.stem for p in DIAGRAMS])
def test_each_construct_diagram_opens_in_bpmn_js_with_every_element_drawn(viewer, path: Path):
    result = viewer.evaluate("""async (xml) => {
        const imported = await viewer.importXML(xml);
        return {warnings: imported.warnings.map(w => w.message),
                drawn: viewer.get('elementRegistry').getAll().map(e => e.id)};
    }""", path.read_text())
    warnings = [w for w in result["warnings"] if not w.startswith(TASK_DATA_REFERENCE)]
    assert warnings == []
    assert drawn_ids(path) - set(result["drawn"]) == set()
