"""A message delivered once with a claim, and correlated at an event-based gateway as at its
catch event (docs/runtime.md, Messages and correlation)."""
import pytest

import engine
from engine.db import db
from engine.errors import ConflictError
from engine.models import AuditEvent, ProcessInstance

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
        'targetNamespace="http://t">\n')

# Two event-based gateways in a row, each waiting for the payment (or a day): the second
# payment reaches a case already correlated by the first.
TWO_GATEWAYS = HEAD + """
  <bpmn:collaboration id="c">
    <bpmn:participant id="p" processRef="paid_twice" />
    <bpmn:correlationKey name="order"><bpmn:correlationPropertyRef>order_id</bpmn:correlationPropertyRef>
    </bpmn:correlationKey>
  </bpmn:collaboration>
  <bpmn:message id="m_paid" name="order_paid" />
  <bpmn:correlationProperty id="order_id" name="order id">
    <bpmn:correlationPropertyRetrievalExpression messageRef="m_paid">
      <bpmn:formalExpression>order_id</bpmn:formalExpression>
    </bpmn:correlationPropertyRetrievalExpression>
  </bpmn:correlationProperty>
  <bpmn:process id="paid_twice" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:eventBasedGateway id="g1"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:intermediateCatchEvent id="first"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="m_paid" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="day1"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:eventBasedGateway id="g2"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>
      <bpmn:outgoing>f7</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:intermediateCatchEvent id="second"><bpmn:incoming>f6</bpmn:incoming>
      <bpmn:outgoing>f8</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="m_paid" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="day2"><bpmn:incoming>f7</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="paid_end"><bpmn:incoming>f8</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="late_end"><bpmn:incoming>f5</bpmn:incoming><bpmn:incoming>f9</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="g1" />
    <bpmn:sequenceFlow id="f2" sourceRef="g1" targetRef="first" />
    <bpmn:sequenceFlow id="f3" sourceRef="g1" targetRef="day1" />
    <bpmn:sequenceFlow id="f4" sourceRef="first" targetRef="g2" />
    <bpmn:sequenceFlow id="f5" sourceRef="day1" targetRef="late_end" />
    <bpmn:sequenceFlow id="f6" sourceRef="g2" targetRef="second" />
    <bpmn:sequenceFlow id="f7" sourceRef="g2" targetRef="day2" />
    <bpmn:sequenceFlow id="f8" sourceRef="second" targetRef="paid_end" />
    <bpmn:sequenceFlow id="f9" sourceRef="day2" targetRef="late_end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def paid_twice(app):
    engine.deploy(TWO_GATEWAYS, actor="test", name="paid_twice.bpmn")
    return engine.start("paid_twice", actor="sales1").id


def _status(case_id):
    db.session.expire_all()
    return db.session.get(ProcessInstance, case_id).status


def _received(case_id):
    db.session.expire_all()
    events = db.session.query(AuditEvent).filter_by(stream=f"instance:{case_id}", kind="message_received")
    return events.count()


def test_a_correlated_case_at_an_event_based_gateway_takes_the_next_message_with_its_key(paid_twice):
    engine.send_message(paid_twice, "order_paid", actor="sales1", payload={"order_id": 7})
    with pytest.raises(ConflictError):   # correlated with order 7: another order's payment is not its
        engine.send_message(paid_twice, "order_paid", actor="sales1", payload={"order_id": 8})
    assert _status(paid_twice) == "running"
    engine.send_message(paid_twice, "order_paid", actor="sales1", payload={"order_id": 7})
    assert _status(paid_twice) == "completed" and _received(paid_twice) == 2


def test_a_declined_claim_delivers_nothing_and_writes_nothing(paid_twice):
    before = db.session.get(ProcessInstance, paid_twice).lock_version
    assert engine.send_message(paid_twice, "order_paid", actor="sales1", payload={"order_id": 7},
                               claim=lambda: False) is None
    db.session.expire_all()
    assert db.session.get(ProcessInstance, paid_twice).lock_version == before and _received(paid_twice) == 0
    claimed = []
    case = engine.send_message(paid_twice, "order_paid", actor="sales1", payload={"order_id": 7},
                               claim=lambda: claimed.append(True) or True)
    assert case.id == paid_twice and claimed == [True] and _received(paid_twice) == 1
