"""What a deploy would change, before it is done (the modeler's confirmation, issue 13)."""
import re

import engine
from engine import xml_safety
from engine.db import db
from engine.models import ProcessVersion
from tests.conftest import BPMN, ROOT, deploy_file

V1 = (BPMN / "versioned_v1.bpmn").read_text(encoding="utf-8")
V2 = (BPMN / "versioned_v2.bpmn").read_text(encoding="utf-8")
LEAD = (ROOT / "bpmn" / "lead_handling.bpmn").read_text(encoding="utf-8")


def reformatted(xml):
    """``xml`` written as another tool would: no indentation, attributes quoted with '."""
    flat = re.sub(r">\s+<", "><", xml)
    return re.sub(r'(\s[\w:]+)="([^"<>\']*)"', r"\1='\2'", flat)


def test_a_new_process_is_previewed_as_new_and_nothing_is_stored(app):
    [preview], problems = engine.deploy_preview(V1.encode(), name="versioned_v1.bpmn")
    assert (preview.key, preview.new, preview.latest, preview.unchanged, preview.diff) == (
        "versioned", True, None, False, None)
    assert [p for p in problems if p["severity"] == "error"] == []
    assert db.session.query(ProcessVersion).count() == 0


def test_a_changed_diagram_is_previewed_with_the_diff_a_deploy_would_make(app):
    deploy_file("versioned_v1.bpmn")
    [preview], _problems = engine.deploy_preview(V2.encode(), name="versioned_v2.bpmn")
    assert (preview.latest, preview.unchanged, preview.diff.a, preview.diff.b) == (1, False, 1, 2)
    deployed = deploy_file("versioned_v2.bpmn")
    stored = engine.version_diff(db.session.query(ProcessVersion).filter_by(version=1).one(), deployed)
    assert (preview.diff.added, preview.diff.removed, preview.diff.changed) == (
        stored.added, stored.removed, stored.changed)
    assert db.session.query(ProcessVersion).count() == 2


def test_the_same_diagram_written_differently_is_unchanged_and_deploys_nothing(app):
    first = deploy_file("versioned_v1.bpmn")
    other = reformatted(V1)
    assert other != V1 and xml_safety.same_document(V1, other)
    [preview], _problems = engine.deploy_preview(other.encode())
    assert (preview.latest, preview.unchanged) == (1, True)
    results = engine.deploy(other.encode(), actor="test")
    assert [(v.id, created) for v, created in results] == [(first.id, False)]


def test_a_moved_shape_is_a_change_with_no_element_changed(app):
    engine.deploy(LEAD.encode(), actor="test", name="lead_handling.bpmn")
    moved, count = re.subn(r'(<dc:Bounds x=")(\d+)', lambda m: m.group(1) + str(int(m.group(2)) + 40), LEAD,
                           count=1)
    assert count == 1 and not xml_safety.same_document(LEAD, moved)
    [preview], _problems = engine.deploy_preview(moved.encode())
    assert (preview.key, preview.unchanged, preview.diff.same) == ("lead_handling", False, True)


def test_a_diagram_with_an_error_is_previewed_with_its_problems(app):
    deploy_file("versioned_v1.bpmn")
    broken = V1.replace("<bpmn:script>closed = 1</bpmn:script>", "<bpmn:script>closed =</bpmn:script>")
    [preview], problems = engine.deploy_preview(broken.encode())
    assert [p["element"] for p in problems if p["severity"] == "error"] == ["close"]
    assert (preview.unchanged, [e["id"] for e in preview.diff.changed]) == (False, ["close"])
