"""A running case that nothing can move on is an incident naming the element it stopped at."""
import engine
from engine.db import db
from engine.models import AuditEvent, ProcessInstance

from .helpers import complete, instance, open_tasks

# An exclusive gateway takes one branch into a parallel join that waits for both: the
# classic deadlock. The diagram is valid BPMN and SpiffWorkflow runs it (to a stop).
DEADLOCK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t">
  <bpmn:process id="deadlock" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="decide">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="which" default="to_b"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>to_a</bpmn:outgoing><bpmn:outgoing>to_b</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:scriptTask id="a"><bpmn:incoming>to_a</bpmn:incoming><bpmn:outgoing>fa</bpmn:outgoing>
      <bpmn:script>went = "a"</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="b"><bpmn:incoming>to_b</bpmn:incoming><bpmn:outgoing>fb</bpmn:outgoing>
      <bpmn:script>went = "b"</bpmn:script></bpmn:scriptTask>
    <bpmn:parallelGateway id="both"><bpmn:incoming>fa</bpmn:incoming><bpmn:incoming>fb</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="after">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="which" />
    <bpmn:sequenceFlow id="to_a" sourceRef="which" targetRef="a">
      <bpmn:conditionExpression>pick == "a"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_b" sourceRef="which" targetRef="b" />
    <bpmn:sequenceFlow id="fa" sourceRef="a" targetRef="both" />
    <bpmn:sequenceFlow id="fb" sourceRef="b" targetRef="both" />
    <bpmn:sequenceFlow id="f3" sourceRef="both" targetRef="after" />
    <bpmn:sequenceFlow id="f4" sourceRef="after" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def _incidents(case_id):
    db.session.expire_all()
    return db.session.query(AuditEvent).filter_by(stream=f"instance:{case_id}", kind="incident").all()


def test_a_case_stopped_at_a_join_that_waits_forever_is_an_incident(app):
    engine.deploy(DEADLOCK.encode(), actor="test", name="deadlock.bpmn")
    case = engine.start("deadlock", actor="manager")
    assert _incidents(case.id) == [] and instance(case.id).error is None
    complete(case.id, "decide", {"pick": "a"}, actor="manager")
    row = instance(case.id)
    assert row.status == "running" and open_tasks(case.id) == {}
    assert row.error.startswith("both: the case stopped here")
    [incident] = _incidents(case.id)
    assert incident.element_id == "both" and incident.details["code"] == "stuck"
    assert incident.actor == "manager"
    # the change that led there is kept: the completion and the script are in the trail
    kinds = [e.kind for e in db.session.query(AuditEvent).filter_by(stream=f"instance:{case.id}")]
    assert "task_completed" in kinds
    # the case search's incident filter finds it
    assert db.session.query(ProcessInstance).filter(ProcessInstance.error.isnot(None)).count() == 1


def test_cases_that_wait_for_a_person_a_timer_or_a_message_are_not_stuck(deploy):
    deploy("wait.bpmn")
    deploy("call_loop.bpmn")
    deploy("parallel.bpmn")
    for key, data in (("call_loop", {"name": "An", "calls": 0}), ("parallel_review", {}),
                      ("wait_then_call", {"name": "An", "wait": "PT1H"})):
        case = engine.start(key, actor="manager", data=data)
        assert instance(case.id).error is None and _incidents(case.id) == []
    parallel = engine.start("parallel_review", actor="manager")
    complete(parallel.id, "approve", {"limit": 5}, actor="manager")  # the join waits for "prepare"
    assert instance(parallel.id).error is None and _incidents(parallel.id) == []
