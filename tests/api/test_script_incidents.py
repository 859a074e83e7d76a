"""A script that fails, or a case whose data grows past its limit, answers 422 with the
reason, stores nothing of the change, and is recorded once as an incident on the case
(or, for a start that leaves no case, on the process's audit stream)."""
import pytest

import engine
from accounts import service
from engine.db import db
from engine.models import AuditEvent, ProcessInstance
from tests.api.conftest import error_of, open_tasks

MAX_CASE_BYTES = 20_000
DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t">
  <bpmn:process id="{key}" name="Script incident" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="Lane_sales" name="sales"><bpmn:flowNodeRef>call</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="prepare"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{prepare}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="call" name="Call"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="record"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>{record}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="check" name="Check"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare" />
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="call" />
    <bpmn:sequenceFlow id="f3" sourceRef="call" targetRef="record" />
    <bpmn:sequenceFlow id="f4" sourceRef="record" targetRef="check" />
    <bpmn:sequenceFlow id="f5" sourceRef="check" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def settings(settings):
    return {**settings, "TASKLANE_MAX_CASE_BYTES": MAX_CASE_BYTES}


def _leave():
    """A helper with a bug: it ends the process it runs in."""
    raise SystemExit(1)


@pytest.fixture
def deploy(users):
    engine.register_helper("leave", _leave)

    def deploy(key, prepare="ready = True", record="done = True"):
        engine.deploy(DIAGRAM.format(key=key, prepare=prepare, record=record), actor="owner",
                      name=f"{key}.bpmn", roles=service.role_names())
    return deploy


def _events(stream):
    db.session.expire_all()
    return db.session.query(AuditEvent).filter_by(stream=stream).order_by(AuditEvent.seq).all()


def test_system_exit_in_a_script_answers_422_and_is_recorded_once_as_an_incident(api, deploy):
    deploy("exits", record="leave()")
    case = engine.start("exits", actor="sales1")
    call = open_tasks(case.id)["call"]
    error = error_of(api("sales1").post(f"/tasks/{call.id}/complete", json={"data": {"note": "ok"}}), 422)
    assert error["code"] == "script_error" and "record" in error["fields"]
    assert "SystemExit" in error["message"]
    assert list(open_tasks(case.id)) == ["call"]
    events = _events(f"instance:{case.id}")
    assert [e.kind for e in events][-1] == "incident" and "task_completed" not in [e.kind for e in events]
    incident = events[-1]
    assert (incident.actor, incident.element_id) == ("sales1", "record")
    assert "SystemExit" in incident.details["error"]
    assert "SystemExit" in db.session.get(ProcessInstance, case.id).error


def test_a_start_whose_script_fails_answers_422_and_the_incident_goes_to_the_process(api, deploy):
    deploy("exits_at_start", prepare="leave()")
    response = api("sales1").post("/process-definitions/exits_at_start/instances", json={"data": {}})
    error = error_of(response, 422)
    assert error["code"] == "script_error" and "prepare" in error["fields"]
    assert db.session.query(ProcessInstance).count() == 0
    incidents = [e for e in _events("definition:exits_at_start") if e.kind == "incident"]
    assert [(e.actor, e.element_id) for e in incidents] == [("sales1", "prepare")]


@pytest.mark.parametrize("diagram", ["no_script", "script"])
def test_a_case_whose_data_would_pass_the_limit_is_refused_with_an_incident(api, deploy, two_lanes, diagram):
    if diagram == "script":   # the script's data is measured before the case is saved
        deploy("grows")
        case = engine.start("grows", actor="sales1")
        call = open_tasks(case.id)["call"]
    else:
        call = two_lanes()
        case = db.session.get(ProcessInstance, call.instance_id)
    big = {"notes": "x" * MAX_CASE_BYTES}
    error = error_of(api("sales2").post(f"/tasks/{call.id}/complete", json={"data": big}), 422)
    assert error["code"] == "case_data_too_large"
    assert f"limit of {MAX_CASE_BYTES:,} bytes" in error["message"]
    assert list(open_tasks(case.id)) == ["call"]
    events = _events(f"instance:{case.id}")
    assert events[-1].kind == "incident" and events[-1].details["code"] == "case_data_too_large"
    assert all(len(str(e.data_after or "")) < MAX_CASE_BYTES for e in events)
    assert len(db.session.get(ProcessInstance, case.id).state) < MAX_CASE_BYTES

    response = api("sales2").post(f"/tasks/{call.id}/complete", json={"data": {"notes": "short"}})
    assert response.status_code == 200, response.get_json()
    assert db.session.get(ProcessInstance, case.id).error is None
    assert [e.kind for e in _events(f"instance:{case.id}")][-1] == "incident_resolved"
