"""Who may start a process and send it a message (issue 11, section 1): the attacks of
the issue replayed through the API, and diagrams from elsewhere under the default rules."""
import json

import pytest

import engine
from accounts import service
from crm.models import Customer, Order
from engine import bundles
from engine.db import db
from engine.models import AuditEvent, Outbox, ProcessInstance
from processes.leads import entry as leads
from processes.referrals.models import Offer, Referral
from tests.api.conftest import LEAD, TWO_LANES, error_of, open_tasks
from tests.conftest import ROOT
from tests.referral_data import catalogue, deploy_procedure, referral_form
from workers import delivery

FROM_ELSEWHERE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://t">
  <bpmn:message id="m_go" name="go" />
  <bpmn:process id="elsewhere" name="Call while waiting for the go" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="Lane_sales" name="sales"><bpmn:flowNodeRef>call</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="lead-details.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:outgoing>f0</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="call" name="Call">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:receiveTask id="wait_go" name="Wait for the go" messageRef="m_go">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:receiveTask>
    <bpmn:parallelGateway id="join"><bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f1" sourceRef="split" targetRef="call" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="wait_go" />
    <bpmn:sequenceFlow id="f3" sourceRef="call" targetRef="join" />
    <bpmn:sequenceFlow id="f4" sourceRef="wait_go" targetRef="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="join" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
HIJACK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="h" targetNamespace="http://t">
  <bpmn:process id="hijack" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="grab" name="Grab"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>if referral_id:
    details = open_referral(referral_id)
if customer_id:
    order = record_order(customer_id, "forged", 1, 1)</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="grab" />
    <bpmn:sequenceFlow id="f2" sourceRef="grab" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def deploy(xml, name):
    engine.deploy(xml, actor="owner", name=name, roles=service.role_names())


@pytest.fixture
def shop(users):
    products = catalogue()
    deploy_procedure()
    return products


def refer(api, referrer, product_id, **changes):
    """A referral of ``referrer`` whose case the worker started; :returns: the referral row."""
    response = api(referrer).post("/referrals", json=referral_form(product_id, **changes))
    assert response.status_code == 201, response.get_data(as_text=True)
    for row in db.session.query(Outbox).filter_by(channel="start", state="pending"):
        delivery.deliver(row.id)
    return db.session.get(Referral, response.get_json()["id"])


def complete_open(api, consultant, element, data):
    listed = api(consultant).get("/tasks?tab=mine").get_json()["items"]
    [task] = [t for t in listed if t["element_id"] == element]
    response = api(consultant).post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.get_data(as_text=True)


def snapshot(referral_id):
    db.session.expire_all()
    row = db.session.get(Referral, referral_id)
    offers = [(o.consultant, o.answer) for o in db.session.query(Offer).filter_by(referral_id=referral_id)]
    return (row.instance_id, row.cross_sell_state, row.consultant, offers,
            db.session.query(ProcessInstance).count(),
            # a refused start is recorded as an incident of its process (docs/runtime.md), nothing else
            db.session.query(AuditEvent).filter(AuditEvent.kind != "incident").count())


def test_sales1_may_not_start_a_referral_case_on_partner2s_referral_and_nothing_changes(shop, api):
    referral = refer(api, "partner2", shop.cash_loan)
    first = db.session.query(Offer).filter_by(referral_id=referral.id).one().consultant
    complete_open(api, first, "accept_referral", {"decision": "hand_back", "reason": "Quá tải"})
    before = snapshot(referral.id)
    error = error_of(api("sales1").post("/process-definitions/loan_referral/instances",
                                        json={"data": {"referral_id": referral.id}}), 403)
    assert "POST /api/v1/referrals" in error["message"]
    error_of(api("manager").post("/process-definitions/loan_referral/instances",
                                 json={"data": {"referral_id": referral.id}}), 403)
    assert snapshot(referral.id) == before


def test_only_the_referrer_answers_the_cross_sell_request_of_their_referral(shop, api):
    referral = refer(api, "partner2", shop.consumer_loan)   # Home Credit: consultant1 has no part
    holder = db.session.query(Offer).filter_by(referral_id=referral.id).one().consultant
    complete_open(api, holder, "accept_referral", {"decision": "accept"})
    complete_open(api, holder, "work_referral", {
        "result": "not_eligible", "amount": 30_000_000, "term_months": 12,
        "cross_sell_product_id": str(shop.cash_loan)})
    path = f"/instances/{referral.instance_id}/messages/cross_sell_answer"
    before = snapshot(referral.id)
    assert before[1] == "requested"
    for someone in ("consultant1", holder, "manager", "admin", "partner1"):
        error_of(api(someone).post(path, json={"payload": {"approved": True}}), 403)
    error_of(api("partner2").post(path, json={"payload": {"approved": True, "by": "consultant1"}}), 422)
    assert snapshot(referral.id) == before
    response = api("partner2").post(path, json={"payload": {"approved": True}})
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).cross_sell_state == "approved"
    approved = db.session.query(AuditEvent).filter_by(stream=f"referral:{referral.id}",
                                                      kind="cross_sell_approved").one()
    assert approved.actor == "partner2"


def test_a_lead_case_names_only_a_customer_its_starter_may_change_that_has_no_case_yet(api, users):
    for name in ("lead_handling", "prospect_pipeline"):
        deploy((ROOT / "bpmn" / f"{name}.bpmn").read_bytes(), f"{name}.bpmn")
    theirs = leads.create_lead({"name": "Lan", "phone": "0912 000 111", "owner": "sales1"}, actor="sales1",
                               source="website").customer
    start = "/process-definitions/lead_handling/instances"
    cases = db.session.query(ProcessInstance).count()
    error_of(api("sales2").post(start, json={"data": {**LEAD, "owner": None, "customer_id": theirs.id}}), 403)
    # sales1's own customer has its lead case already
    error_of(api("sales1").post(start, json={"data": {**LEAD, "customer_id": theirs.id}}), 403)
    error_of(api("sales1").post(start, json={"data": {**LEAD, "customer_id": 999_999}}), 403)
    assert "data.owner" in error_of(api("sales1").post(start, json={"data": {**LEAD, "owner": "partner1"}}),
                                    422)["fields"]
    error_of(api("sales1").post("/process-definitions/prospect_pipeline/instances",
                                json={"data": {"customer_id": theirs.id}}), 403)
    assert db.session.query(ProcessInstance).count() == cases
    caseless = Customer(kind="lead", status="new", name="Mai", phone="+84912000222", owner="sales1",
                        source="zalo", created_by="sales1")
    db.session.add(caseless)
    db.session.commit()
    error_of(api("sales2").post(start, json={"data": {**LEAD, "customer_id": caseless.id}}), 403)
    response = api("sales1").post(start, json={"data": {**LEAD, "customer_id": caseless.id}})
    assert response.status_code == 201, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Customer, caseless.id).instance_id == response.get_json()["id"]
    assert db.session.query(Order).count() == 0


def test_stage_changes_are_sent_only_by_moving_the_prospect(api, users):
    for name in ("lead_handling", "prospect_pipeline"):
        deploy((ROOT / "bpmn" / f"{name}.bpmn").read_bytes(), f"{name}.bpmn")
    from processes.pipeline import prospects as pipeline

    lead = leads.create_lead({"name": "Lan", "phone": "0912 000 111", "owner": "sales1"}, actor="sales1",
                             source="website")
    case = pipeline.enter(lead.customer.id, actor="sales1")
    error = error_of(api("sales1").post(f"/instances/{case.id}/messages/stage_changed",
                                        json={"payload": {"stage": "won", "note": "x"}}), 403)
    assert "/stage" in error["message"]


def test_a_diagram_calling_helpers_cannot_take_another_cases_referral_or_customer(shop, api):
    deploy(HIJACK, "hijack.bpmn")
    referral = refer(api, "partner2", shop.cash_loan)
    before = snapshot(referral.id)
    hijack = "/process-definitions/hijack/instances"
    forged = {"referral_id": referral.id, "customer_id": 0}
    error = error_of(api("sales1").post(hijack, json={"data": forged}), 422)
    assert error["code"] == "script_error"
    assert snapshot(referral.id) == before
    assert db.session.query(AuditEvent).filter_by(stream="definition:hijack", kind="incident").count() == 1
    deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), "lead_handling.bpmn")
    theirs = leads.create_lead({"name": "Lan", "phone": "0912 000 111", "owner": "sales1"}, actor="sales1",
                               source="website").customer
    error_of(api("sales2").post(hijack, json={"data": {"referral_id": 0, "customer_id": theirs.id}}), 422)
    db.session.expire_all()
    assert db.session.query(Order).count() == 0 and db.session.get(Customer, theirs.id).status == "new"


def test_a_diagram_from_elsewhere_is_started_by_its_lanes_and_overseers_and_messaged_by_who_may_take_its_task(
        api, users):
    deploy(TWO_LANES, "two_lanes.bpmn")
    assert api("sales1").post("/process-definitions/api_two_lanes/instances",
                              json={"data": {"anything": [1, 2]}}).status_code == 201
    error_of(api("owner").post("/process-definitions/api_two_lanes/instances", json={}), 403)
    deploy(FROM_ELSEWHERE, "elsewhere.bpmn")
    start = "/process-definitions/elsewhere/instances"
    error = error_of(api("sales1").post(start, json={"data": {"name": "Lan", "referral_id": 11}}), 422)
    assert set(error["fields"]) == {"data.phone", "data.referral_id"}
    response = api("admin").post(start, json={"data": {"name": "Lan", "phone": "0912 000 111"}})
    assert response.status_code == 201, response.get_data(as_text=True)
    instance_id = response.get_json()["id"]
    assert set(open_tasks(instance_id)) == {"call"}
    for someone in ("partner1", "auditor", "owner"):
        error_of(api(someone).post(f"/instances/{instance_id}/messages/go", json={}), 403)
    assert api("sales2").post(f"/instances/{instance_id}/messages/go", json={}).status_code == 200


def test_the_start_form_of_a_diagram_from_elsewhere_is_the_one_deployed_with_it(api, users):
    """Its version's own ``lead-details.json`` wins over the shipped form of that name."""
    own = {"type": "object", "required": ["ticket"], "additionalProperties": False,
           "properties": {"ticket": {"type": "string", "title": "Ticket"}}}
    engine.deploy(bundles.from_files([("elsewhere.bpmn", FROM_ELSEWHERE.encode()),
                                      ("lead-details.json", json.dumps(own).encode())]),
                  actor="owner", roles=service.role_names())
    start = "/process-definitions/elsewhere/instances"
    error = error_of(api("admin").post(start, json={"data": {"name": "Lan", "phone": "0912 000 111"}}), 422)
    assert set(error["fields"]) == {"data.name", "data.phone", "data.ticket"}
    assert api("admin").post(start, json={"data": {"ticket": "T-1"}}).status_code == 201
