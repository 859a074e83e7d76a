"""bpmn/lead_handling.bpmn (seed 003: telesales handling of a new lead), path by path.

Each engine call restores the instance from its row and saves it again, so every step
below crosses a save and a restore, on SQLite and on PostgreSQL (the ``app`` fixture).
The drawing and the forms are checked without a database.
"""
from datetime import datetime, timedelta, timezone
from itertools import combinations

import pytest
from lxml import etree

import engine
import forms
from engine.db import db
from engine.errors import ScriptError
from engine.models import AuditEvent, ProcessInstance
from tests.conftest import ROOT
from tests.engine.helpers import (
    complete,
    data,
    fire_when_due,
    instance,
    open_tasks,
    outbox_rows,
    pending_timers,
)

DIAGRAM = ROOT / "bpmn" / "lead_handling.bpmn"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
FORM_FILES = ["lead-call-outcome.json", "contact-call.json"]
LEAD = {"name": "Nguyễn Thị Lan", "phone": "+84901234567", "source": "facebook", "owner": "sales1"}
CALL_AGAIN = ["interested", "thinking", "consulting_family", "price_objection", "busy", "no_answer"]
CLOSING = ["not_interested", "bought_elsewhere"]
ORDER = {"product": "Liệu trình chăm sóc da 10 buổi", "quantity": 1, "amount": 4_500_000}
VIETNAM = timezone(timedelta(hours=7))

# What the forms submit on each path (also checked against the forms' schemas below).
REACHED_LATER = {"outcome": "reached", "closed_now": False, "notes": "Muốn suy nghĩ thêm"}
REACHED_AND_BOUGHT = {"outcome": "reached", "closed_now": True, **ORDER}
CONTACT_BOUGHT = {"contact_status": "bought", **ORDER, "notes": "Chốt đơn"}


def not_reached(callback_at):
    return {"outcome": "not_reached", "callback_at": callback_at, "notes": "Thuê bao không nghe máy"}


def call_again(status, next_call_at):
    return {"contact_status": status, "next_call_at": next_call_at}


def soon(seconds=2, tz=timezone.utc):
    """An ISO-8601 time a moment from now, as a date-time form field sends it: far enough
    ahead that the completion is saved before it is due on a loaded machine (a time
    already past at completion fires at once and leaves no pending timer)."""
    return (datetime.now(tz) + timedelta(seconds=seconds)).isoformat()


@pytest.fixture
def lead_handling(app):
    from accounts.service import role_names

    [(version, created)] = engine.deploy(DIAGRAM.read_bytes(), actor="owner", name=DIAGRAM.name,
                                         roles=role_names())
    assert created and version.definition.key == "lead_handling"
    return version


def start_lead(**extra):
    return engine.start("lead_handling", actor="intake", data={**LEAD, **extra}, business_key=LEAD["phone"])


def bells():
    return [r for r in outbox_rows() if r.channel == "in_app" and r.recipient == LEAD["owner"]]


def elements_passed(instance_id):
    db.session.expire_all()
    events = db.session.query(AuditEvent).filter_by(instance_id=instance_id).order_by(AuditEvent.seq)
    return [e.element_id for e in events if e.element_id]


def due(iso):
    return datetime.fromisoformat(iso).astimezone(timezone.utc)


# --- paths through the engine -------------------------------------------------------------


def test_a_new_lead_waits_in_the_sales_inbox_to_be_called_within_15_minutes(lead_handling):
    started = start_lead()
    task = open_tasks(started.id)["call_lead"]
    assert task.titles == {"vi": "Gọi khách hàng mới (Gọi ngay bây giờ)",
                           "en": "Call the new lead (call now)",
                           "ru": "Позвонить новому клиенту (звонить сейчас)"}
    assert task.candidate_role == "sales" and task.lane == "sales"
    assert (task.form_key, task.ui_form_key) == ("lead-call-outcome", "lead-call-outcome-uischema")
    assert task.priority == 2
    assert 890 < (task.due_at - task.created_at).total_seconds() <= 900
    assert "**{{ name }}**" in task.instructions and "(tel:{{ phone }})" in task.instructions
    assert data(started.id)["lead_status"] == "new"
    assert data(started.id)["contact_callback_after"] == "PT24H"


def test_not_reached_rings_the_owners_bell_at_the_call_back_time_as_often_as_needed(lead_handling):
    started = start_lead()
    for attempt, tz in enumerate([timezone.utc, VIETNAM, timezone.utc, VIETNAM], start=1):
        callback_at = soon(tz=tz)
        complete(started.id, "call_lead", not_reached(callback_at))
        assert open_tasks(started.id) == {}
        timer = pending_timers(started.id)["wait_callback"]
        assert timer.due_at == due(callback_at)
        assert fire_when_due(timer) == "fired"
        assert pending_timers(started.id) == {}
        assert list(open_tasks(started.id)) == ["call_lead"]
        assert len(bells()) == attempt
        assert bells()[-1].instance_id == started.id and LEAD["name"] in bells()[-1].subject
    assert data(started.id)["lead_status"] == "new"
    complete(started.id, "call_lead", REACHED_AND_BOUGHT)
    assert instance(started.id).status == "completed"
    assert elements_passed(started.id).count("remind_callback") == 4


def test_a_call_back_time_already_past_brings_the_task_back_at_once(lead_handling):
    started = start_lead()
    complete(started.id, "call_lead", not_reached(soon(-60)))
    assert list(open_tasks(started.id)) == ["call_lead"]
    assert pending_timers(started.id) == {} and len(bells()) == 1


@pytest.mark.parametrize("outcome", ["no_need", "wrong_number"])
def test_no_need_or_a_wrong_number_closes_the_lead(lead_handling, outcome):
    started = start_lead()
    complete(started.id, "call_lead", {"outcome": outcome, "notes": "Người khác nghe máy"})
    assert instance(started.id).status == "completed"
    final = data(started.id)
    assert final["lead_status"] == outcome and "closed_at" in final
    assert pending_timers(started.id) == {} and bells() == []
    assert elements_passed(started.id)[-2:] == ["close_lead", "lead_closed"]


def test_bought_on_the_first_call_creates_the_order_at_once(lead_handling):
    started = start_lead()
    complete(started.id, "call_lead", REACHED_AND_BOUGHT)
    assert instance(started.id).status == "completed"
    final = data(started.id)
    assert final["lead_status"] == "order"
    order = dict(final["order"])
    assert due(order.pop("created_at")) <= datetime.now(timezone.utc)
    assert order == {"customer": LEAD["name"], "phone": LEAD["phone"], "source": LEAD["source"],
                     "owner": LEAD["owner"], **ORDER}
    assert pending_timers(started.id) == {} and bells() == []
    assert elements_passed(started.id)[-2:] == ["create_order", "order_created"]


def test_reached_without_buying_becomes_a_contact_called_back_after_24_hours(lead_handling):
    started = start_lead()
    complete(started.id, "call_lead", REACHED_LATER)
    assert instance(started.id).status == "running" and open_tasks(started.id) == {}
    assert data(started.id)["lead_status"] == "contact"
    timer = pending_timers(started.id)["wait_24h"]
    expected = datetime.now(timezone.utc) + timedelta(hours=24)
    assert abs((timer.due_at - expected).total_seconds()) < 60
    assert engine.fire_timer(timer.id) == "early"
    assert open_tasks(started.id) == {}


def reach_the_contact(started):
    """Reach the lead without a sale and let the (shortened) 24-hour wait pass."""
    complete(started.id, "call_lead", REACHED_LATER)
    assert fire_when_due(pending_timers(started.id)["wait_24h"]) == "fired"
    assert list(open_tasks(started.id)) == ["call_contact"]
    assert len(bells()) == 1


def test_a_contact_is_called_back_at_the_agreed_times_until_it_buys(lead_handling):
    started = start_lead(contact_callback_after="PT0.6S")
    reach_the_contact(started)
    task = open_tasks(started.id)["call_contact"]
    assert task.titles["en"] == "Call the contact back" and task.titles["vi"].startswith("Gọi lại")
    assert (task.form_key, task.priority, task.candidate_role) == ("contact-call", 1, "sales")
    for calls, status in enumerate(CALL_AGAIN, start=2):
        next_call_at = soon(tz=VIETNAM)
        complete(started.id, "call_contact", call_again(status, next_call_at))
        assert open_tasks(started.id) == {}
        timer = pending_timers(started.id)["wait_next_call"]
        assert timer.due_at == due(next_call_at)
        assert fire_when_due(timer) == "fired"
        assert list(open_tasks(started.id)) == ["call_contact"], status
        assert len(bells()) == calls
        assert data(started.id)["lead_status"] == "contact"
    complete(started.id, "call_contact", CONTACT_BOUGHT)
    assert instance(started.id).status == "completed"
    final = data(started.id)
    assert final["lead_status"] == "order"
    assert {k: final["order"][k] for k in ORDER} == ORDER
    assert elements_passed(started.id)[-2:] == ["create_order", "order_created"]


@pytest.mark.parametrize("status", CLOSING)
def test_a_contact_not_interested_or_bought_elsewhere_is_closed(lead_handling, status):
    started = start_lead(contact_callback_after="PT0S")
    complete(started.id, "call_lead", REACHED_LATER)
    complete(started.id, "call_contact", {"contact_status": status, "notes": "Không gọi nữa"})
    assert instance(started.id).status == "completed"
    assert data(started.id)["lead_status"] == status
    assert pending_timers(started.id) == {}
    assert elements_passed(started.id)[-2:] == ["close_contact", "contact_closed"]


@pytest.mark.parametrize("missing", ["name", "phone", "source"])
def test_a_lead_without_name_phone_or_source_is_refused_and_nothing_is_stored(lead_handling, missing):
    with pytest.raises(ScriptError) as refused:
        engine.start("lead_handling", actor="intake", data={k: v for k, v in LEAD.items() if k != missing})
    assert refused.value.element == "prepare_lead"
    assert db.session.query(ProcessInstance).count() == 0


def unowned(**extra):
    lead = {k: v for k, v in LEAD.items() if k != "owner"}
    return engine.start("lead_handling", actor="intake", data={**lead, **extra})


def test_a_lead_without_an_owner_waits_unassigned_in_the_sales_queue(lead_handling):
    started = unowned()
    task = open_tasks(started.id)["call_lead"]
    assert task.assignee is None and task.candidate_role == "sales"
    assert data(started.id)["owner"] is None and data(started.id)["customer_id"] is None


def test_without_an_owner_the_call_back_bell_rings_for_whoever_made_the_last_call(lead_handling):
    started = unowned(contact_callback_after="PT0.6S")
    complete(started.id, "call_lead", not_reached(soon()), actor="sales2")
    assert data(started.id)["last_caller"] == "sales2"
    assert fire_when_due(pending_timers(started.id)["wait_callback"]) == "fired"
    [bell] = [r for r in outbox_rows() if r.channel == "in_app"]
    assert bell.recipient == "sales2" and LEAD["name"] in bell.subject
    complete(started.id, "call_lead", REACHED_LATER, actor="sales3")
    assert fire_when_due(pending_timers(started.id)["wait_24h"]) == "fired"
    assert [r.recipient for r in outbox_rows() if r.channel == "in_app"] == ["sales2", "sales3"]


def test_the_notes_of_a_call_are_shown_on_the_next_call_and_not_carried_over(lead_handling):
    started = start_lead(contact_callback_after="PT0S")
    complete(started.id, "call_lead", REACHED_LATER)
    assert data(started.id)["last_notes"] == REACHED_LATER["notes"] and data(started.id)["notes"] is None
    complete(started.id, "call_contact", call_again("busy", soon(60)))
    assert data(started.id)["last_notes"] is None


# --- the drawing ----------------------------------------------------------------------------


def diagram():
    return etree.parse(str(DIAGRAM)).getroot()


def flow_nodes(process):
    skip = {"laneSet", "sequenceFlow", "documentation", "extensionElements"}
    return {e.get("id"): e for e in process if etree.QName(e).localname not in skip}


def box(bounds):
    x, y, w, h = (float(bounds.get(k)) for k in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


def overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def on_border(point, b, tolerance=1.0):
    x, y = point
    outer = b[0] - tolerance <= x <= b[2] + tolerance and b[1] - tolerance <= y <= b[3] + tolerance
    inner = b[0] + tolerance < x < b[2] - tolerance and b[1] + tolerance < y < b[3] - tolerance
    return outer and not inner


def drawing():
    """``(shapes, labels, edges)``: element id -> box, element id -> label box, flow id -> points."""
    plane = diagram().find(".//bpmndi:BPMNPlane", NS)
    shapes, labels, edges = {}, {}, {}
    for shape in plane.iterfind("bpmndi:BPMNShape", NS):
        shapes[shape.get("bpmnElement")] = box(shape.find("dc:Bounds", NS))
        label = shape.find("bpmndi:BPMNLabel/dc:Bounds", NS)
        if label is not None:
            labels[shape.get("bpmnElement")] = box(label)
    for edge in plane.iterfind("bpmndi:BPMNEdge", NS):
        edges[edge.get("bpmnElement")] = [(float(p.get("x")), float(p.get("y")))
                                          for p in edge.iterfind("di:waypoint", NS)]
        label = edge.find("bpmndi:BPMNLabel/dc:Bounds", NS)
        if label is not None:
            labels[edge.get("bpmnElement")] = box(label)
    return shapes, labels, edges


def test_every_flow_node_is_named_in_the_sales_lane_and_every_gateway_has_a_default_flow():
    process = diagram().find("bpmn:process", NS)
    nodes = flow_nodes(process)
    assert len(nodes) == 21
    assert [i for i, e in nodes.items() if not (e.get("name") or "").strip()] == []
    in_lane = process.iterfind(".//bpmn:lane[@name='sales']/bpmn:flowNodeRef", NS)
    assert {ref.text for ref in in_lane} == set(nodes)
    for gateway in process.iterfind("bpmn:exclusiveGateway", NS):
        flows = process.findall(f"bpmn:sequenceFlow[@sourceRef='{gateway.get('id')}']", NS)
        conditional = {f.get("id") for f in flows if f.find("bpmn:conditionExpression", NS) is not None}
        assert {f.get("id") for f in flows} - conditional == {gateway.get("default")}
        assert conditional and all(f.get("name") for f in flows)


def test_every_user_task_has_three_titles_a_due_time_and_forms_that_exist():
    referenced = []
    for task in diagram().iterfind(".//bpmn:userTask", NS):
        props = {p.get("name"): p.get("value") for p in task.iterfind(".//spiffworkflow:property", NS)}
        assert all(props.get(f"title_{lang}") for lang in ("vi", "en", "ru")), task.get("id")
        assert props["dueIn"].startswith('"PT') and int(props["priority"]) > 0
        assert task.findtext(".//spiffworkflow:instructionsForEndUser", namespaces=NS).strip()
        for key in ("formJsonSchemaFilename", "formUiSchemaFilename"):
            assert forms.exists(props[key].removesuffix(".json")), props[key]
            assert isinstance(forms.load(props[key].removesuffix(".json")), dict)
        referenced.append(props["formJsonSchemaFilename"])
    assert referenced == FORM_FILES


def test_the_drawing_has_a_shape_for_every_element_and_an_edge_for_every_flow():
    root = diagram()
    process = root.find("bpmn:process", NS)
    [participant] = root.findall("bpmn:collaboration/bpmn:participant", NS)
    assert participant.get("processRef") == "lead_handling"
    plane = root.find(".//bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == root.find("bpmn:collaboration", NS).get("id")
    shapes, _, edges = drawing()
    assert set(shapes) == {participant.get("id"), "Lane_sales", *flow_nodes(process)}
    flows = {f.get("id"): f for f in process.iterfind("bpmn:sequenceFlow", NS)}
    assert set(edges) == set(flows)
    for flow_id, points in edges.items():
        assert len(points) >= 2
        assert on_border(points[0], shapes[flows[flow_id].get("sourceRef")]), flow_id
        assert on_border(points[-1], shapes[flows[flow_id].get("targetRef")]), flow_id


def crosses(segment, b):
    """Whether an axis-parallel segment passes through the inside of box ``b``."""
    (x1, y1), (x2, y2) = segment
    if y1 == y2:
        return b[1] < y1 < b[3] and min(x1, x2) < b[2] and max(x1, x2) > b[0]
    return b[0] < x1 < b[2] and min(y1, y2) < b[3] and max(y1, y2) > b[1]


def test_the_drawing_is_clean_no_overlaps_square_edges_nothing_crossed_all_inside_the_lane():
    shapes, labels, edges = drawing()
    lane = shapes.pop("Lane_sales")
    shapes.pop("lead_handling_participant")
    boxes = {**shapes, **{f"{k} (label)": v for k, v in labels.items()}}
    for (a, box_a), (b, box_b) in combinations(boxes.items(), 2):
        assert not overlap(box_a, box_b), (a, b)
    for name, b in boxes.items():
        assert lane[0] + 30 <= b[0] and b[2] <= lane[2] and lane[1] <= b[1] and b[3] <= lane[3], name
    flows = {f.get("id"): f for f in diagram().iterfind(".//bpmn:sequenceFlow", NS)}
    for flow_id, points in edges.items():
        ends = {flows[flow_id].get("sourceRef"), flows[flow_id].get("targetRef")}
        for segment in zip(points, points[1:], strict=False):
            assert segment[0][0] == segment[1][0] or segment[0][1] == segment[1][1], flow_id
            for name, b in boxes.items():
                if name not in ends and name != f"{flow_id} (label)":
                    assert not crosses(segment, b), (flow_id, name)


# --- the forms ------------------------------------------------------------------------------


def load_form(filename):
    return forms.load(filename.removesuffix(".json"))


def choices(schema, field):
    return [c["const"] for c in schema["properties"][field]["oneOf"]]


@pytest.mark.parametrize("filename", FORM_FILES)
def test_each_form_is_a_draft_07_object_schema_labelled_in_every_language(filename):
    schema = load_form(filename)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["type"] == "object" and schema["title"] and schema["additionalProperties"] is False
    props = schema["properties"]
    assert set(schema["required"]) <= set(props)
    for prop in props.values():
        assert prop["title"] and prop["type"] in {"string", "integer", "number", "boolean"}
        assert all(set(c) == {"const", "title"} and c["title"] for c in prop.get("oneOf", []))
    for rule in schema["allOf"]:
        assert set(rule) == {"if", "then"}
        assert set(rule["if"]["properties"]) | set(rule["then"]["required"]) <= set(props)
    for lang in ("vi", "ru"):
        translated = schema["x-translations"][lang]
        assert translated["title"] and set(translated["properties"]) == set(props)
        for field, prop in props.items():
            label = translated["properties"][field]
            assert label["title"] and ("description" in label) == ("description" in prop), (lang, field)
            assert set(label.get("options", {})) == {c["const"] for c in prop.get("oneOf", [])}


def test_form_choices_match_the_routing_of_the_diagram():
    assert choices(load_form("lead-call-outcome.json"), "outcome") == [
        "reached", "not_reached", "no_need", "wrong_number"]
    contact = load_form("contact-call.json")
    statuses = choices(contact, "contact_status")
    assert len(statuses) == 9 and set(statuses) == {*CALL_AGAIN, *CLOSING, "bought"}
    [rule] = [r for r in contact["allOf"] if r["then"]["required"] == ["next_call_at"]]
    assert rule["if"]["properties"]["contact_status"]["enum"] == CALL_AGAIN


def test_forms_accept_what_each_path_submits_and_refuse_what_the_diagram_cannot_route():
    jsonschema = pytest.importorskip("jsonschema")
    lead, contact = (load_form(f) for f in FORM_FILES)
    for schema in (lead, contact):
        jsonschema.Draft7Validator.check_schema(schema)
    cases = [
        (lead, not_reached(soon()), True), (lead, {"outcome": "no_need"}, True),
        (lead, {"outcome": "wrong_number"}, True), (lead, REACHED_LATER, True),
        (lead, REACHED_AND_BOUGHT, True),
        (lead, {"outcome": "not_reached"}, False), (lead, {"outcome": "reached"}, False),
        (lead, {"outcome": "reached", "closed_now": True}, False), (lead, {"outcome": "maybe"}, False),
        (lead, {"outcome": "no_need", "lead_status": "order"}, False),
        (contact, call_again("thinking", soon()), True), (contact, CONTACT_BOUGHT, True),
        (contact, {"contact_status": "not_interested"}, True), (contact, {"contact_status": "busy"}, False),
        (contact, {"contact_status": "bought"}, False), (contact, {"contact_status": "unknown"}, False),
    ]
    for schema, payload, valid in cases:
        errors = list(jsonschema.Draft7Validator(schema).iter_errors(payload))
        assert (errors == []) is valid, (payload, [e.message for e in errors])

