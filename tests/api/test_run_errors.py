"""Errors while a case runs answer a clear 4xx, never a 500, and change nothing; those
the diagram or its data must fix are recorded once as an incident of the case (issue 14).

Each diagram here is one construct SpiffWorkflow runs that used to end in a 500 when the
case met bad data: a message without its correlation key, a multi-instance task over
something that is not a collection, a sub-process that does not set its data output.
"""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import engine
from accounts import service
from engine.db import db
from engine.models import AuditEvent, ProcessInstance
from tests.api.conftest import error_of, open_tasks

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" '
        'targetNamespace="http://t">\n')

CORRELATED = HEAD + """
  <bpmn:collaboration id="c">
    <bpmn:participant id="p" processRef="paid" />
    <bpmn:correlationKey name="order"><bpmn:correlationPropertyRef>order_id</bpmn:correlationPropertyRef>
    </bpmn:correlationKey>
  </bpmn:collaboration>
  <bpmn:message id="m_paid" name="order_paid" />
  <bpmn:correlationProperty id="order_id" name="order id">
    <bpmn:correlationPropertyRetrievalExpression messageRef="m_paid">
      <bpmn:formalExpression>order_id</bpmn:formalExpression>
    </bpmn:correlationPropertyRetrievalExpression>
  </bpmn:correlationProperty>
  <bpmn:process id="paid" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait_paid"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:messageEventDefinition messageRef="m_paid" />
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="wait_again"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:messageEventDefinition messageRef="m_paid" />
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_paid" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_paid" targetRef="wait_again" />
    <bpmn:sequenceFlow id="f3" sourceRef="wait_again" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""

MULTI = HEAD + """
  <bpmn:process id="each_item" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="prepare"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="each"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:loopDataInputRef>items</bpmn:loopDataInputRef>
        <bpmn:loopDataOutputRef>doubled</bpmn:loopDataOutputRef>
        <bpmn:inputDataItem id="item" />
        <bpmn:outputDataItem id="twice" />
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:script>twice = item * 2</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="check"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare" />
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="each" />
    <bpmn:sequenceFlow id="f3" sourceRef="each" targetRef="check" />
    <bpmn:sequenceFlow id="f4" sourceRef="check" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""

OUTPUT = HEAD + """
  <bpmn:process id="sub_output" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="review"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:ioSpecification>
        <bpmn:dataOutput id="verdict" name="verdict" />
        <bpmn:inputSet /><bpmn:outputSet><bpmn:dataOutputRefs>verdict</bpmn:dataOutputRefs></bpmn:outputSet>
      </bpmn:ioSpecification>
      <bpmn:startEvent id="review_start"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="decide"><bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:endEvent id="review_end"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="review_start" targetRef="decide" />
      <bpmn:sequenceFlow id="g2" sourceRef="decide" targetRef="review_end" />
    </bpmn:subProcess>
    <bpmn:userTask id="after"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""

SERVICE = HEAD + """
  <bpmn:process id="calls_out" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="fetch_rate">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="{operator}" resultVariable="rate">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="url" type="str" value="'{url}'" />
            <spiffworkflow:parameter id="params" type="any" value="{{'currency': currency}}" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fetch_rate" />
    <bpmn:sequenceFlow id="f2" sourceRef="fetch_rate" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def deploy(users):
    def deploy(xml, name):
        engine.deploy(xml, actor="owner", name=name, roles=service.role_names())
    return deploy


def _state(case_id):
    db.session.expire_all()
    return db.session.get(ProcessInstance, case_id).state


def _incidents(case_id):
    db.session.expire_all()
    return db.session.query(AuditEvent).filter_by(stream=f"instance:{case_id}", kind="incident").all()


def test_a_message_without_its_correlation_key_is_refused_naming_the_key(api, deploy):
    deploy(CORRELATED, "paid.bpmn")
    case = engine.start("paid", actor="manager")
    before = _state(case.id)
    client = api("manager")
    error = error_of(client.post(f"/instances/{case.id}/messages/order_paid", json={"payload": {"total": 5}}),
                     422)
    assert "order_id" in error["message"] and "payload.order_id" in error["fields"]
    assert _state(case.id) == before and _incidents(case.id) == []
    ok = client.post(f"/instances/{case.id}/messages/order_paid", json={"payload": {"order_id": 7}})
    assert ok.status_code == 200, ok.get_json()
    # the case is now correlated with order 7: another order's message is not for it
    error_of(client.post(f"/instances/{case.id}/messages/order_paid", json={"payload": {"order_id": 8}}),
             409)
    ok = client.post(f"/instances/{case.id}/messages/order_paid", json={"payload": {"order_id": 7}})
    assert ok.status_code == 200 and ok.get_json()["status"] == "completed"


def test_a_message_with_a_payload_that_is_not_an_object_is_refused(api, deploy):
    deploy(CORRELATED, "paid.bpmn")
    case = engine.start("paid", actor="manager")
    for payload in ([1, 2], "order 7", None):
        response = api("manager").post(f"/instances/{case.id}/messages/order_paid", json={"payload": payload})
        assert response.status_code == 422, (payload, response.get_json())


def test_a_multi_instance_over_something_that_is_not_a_collection_is_an_incident(api, deploy):
    deploy(MULTI, "each_item.bpmn")
    case = engine.start("each_item", actor="manager")
    task = open_tasks(case.id)["prepare"]
    error = error_of(api("manager").post(f"/tasks/{task.id}/complete", json={"data": {"items": 5}}), 422)
    assert error["code"] == "script_error" and "each" in error["fields"]
    assert "Traceback" not in error["message"] and " object at 0x" not in error["message"]
    assert list(open_tasks(case.id)) == ["prepare"]
    assert [i.element_id for i in _incidents(case.id)] == ["each"]
    ok = api("manager").post(f"/tasks/{task.id}/complete", json={"data": {"items": [1, 2]}})
    assert ok.status_code == 200, ok.get_json()
    assert list(open_tasks(case.id)) == ["check"]
    assert engine.case_data(case.id)["doubled"] == [2, 4]


def test_a_sub_process_that_does_not_set_its_data_output_is_an_incident(api, deploy):
    deploy(OUTPUT, "sub_output.bpmn")
    case = engine.start("sub_output", actor="manager")
    task = open_tasks(case.id)["decide"]
    error = error_of(api("manager").post(f"/tasks/{task.id}/complete", json={"data": {"note": "x"}}), 422)
    assert error["code"] == "script_error" and "verdict" in error["message"]
    assert list(open_tasks(case.id)) == ["decide"]
    assert len(_incidents(case.id)) == 1
    ok = api("manager").post(f"/tasks/{task.id}/complete", json={"data": {"verdict": "yes"}})
    assert ok.status_code == 200, ok.get_json()
    assert list(open_tasks(case.id)) == ["after"]


def test_a_service_task_calling_an_unknown_operator_is_refused_at_validate(api, users):
    client = api("owner")
    xml = SERVICE.format(operator="acme/FetchRate", url="http://127.0.0.1:9/rate")
    response = client.post("/process-definitions/validate", data=xml,
                           headers={"Content-Type": "application/xml"})
    body = response.get_json()
    assert response.status_code in (200, 422) and body["valid"] is False, body
    [problem] = body["problems"]
    assert problem["element"] == "fetch_rate"
    assert "acme/FetchRate" in problem["message"] and "http/GetRequestV2" in problem["message"]
    error_of(client.post("/process-definitions?name=calls_out.bpmn", data=xml,
                         headers={"Content-Type": "application/xml"}), 422)


class _Rates(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path.startswith("/broken"):
            self.send_response(503)
            self.end_headers()
            return
        body = json.dumps({"path": self.path, "rate": 25_400}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def rates(app):
    """A rate service on loopback, the one host service tasks may call."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Rates)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{server.server_port}"
    app.config["TASKLANE_SERVICE_HOSTS"] = host
    yield f"http://{host}"
    server.shutdown()
    server.server_close()


def test_a_service_task_calls_an_allowed_host_and_keeps_the_answer(api, deploy, rates):
    deploy(SERVICE.format(operator="http/GetRequestV2", url=f"{rates}/rate"), "calls_out.bpmn")
    response = api("manager").post("/process-definitions/calls_out/instances",
                                   json={"data": {"currency": "RUB"}})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["status"] == "completed"
    rate = engine.case_data(case["id"])["rate"]
    assert rate == {"body": {"path": "/rate?currency=RUB", "rate": 25_400}, "mimetype": "application/json",
                    "http_status": 200}


@pytest.mark.parametrize(("url", "says"), [
    ("http://10.0.0.1/rate", "not allowed"),
    ("{rates}/broken", "503"),
    ("ftp://127.0.0.1/rate", "not an http"),
])
def test_a_service_call_that_fails_is_refused_with_an_incident_naming_the_task(api, deploy, rates, url, says):
    deploy(SERVICE.format(operator="http/GetRequestV2", url=url.format(rates=rates)), "calls_out.bpmn")
    response = api("manager").post("/process-definitions/calls_out/instances",
                                   json={"data": {"currency": "RUB"}})
    error = error_of(response, 422)
    assert error["code"] == "script_error" and "fetch_rate" in error["fields"]
    assert says in error["message"] and " object at 0x" not in error["message"]
    db.session.expire_all()
    assert db.session.query(ProcessInstance).count() == 0
    [incident] = db.session.query(AuditEvent).filter_by(stream="definition:calls_out", kind="incident").all()
    assert incident.element_id == "fetch_rate"
