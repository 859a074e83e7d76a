import pytest
from sqlalchemy import event, select

import engine
from accounts import service
from crm.models import Customer
from engine.db import db
from engine.errors import NotFoundError, ScriptError, ValidationError
from engine.models import AuditEvent, AuditStream, HumanTask, ProcessInstance
from processes.leads import entry as leads

REFUSING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t">
  <bpmn:process id="lead_handling" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="refuse"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>raise ValueError("refused")</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="refuse" />
    <bpmn:sequenceFlow id="f2" sourceRef="refuse" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
LAN = {"name": "Nguyễn Thị Lan", "phone": "0162 123 4567", "owner": "sales1"}


def queue():
    db.session.expire_all()
    return db.session.scalars(select(HumanTask).filter_by(state="open", candidate_role="sales")).all()


def test_a_new_lead_is_stored_and_its_call_task_appears_in_the_sales_queue(deployed):
    result = leads.create_lead({**LAN, "email": "lan@example.vn"}, actor="sales1", source="website")
    customer = db.session.get(Customer, result.customer.id)
    assert (customer.kind, customer.status, customer.first_contact_at) == ("lead", "new", None)
    assert customer.phone == "+84321234567" and customer.instance_id == result.instance.id
    [task] = queue()
    assert task.instance_id == result.instance.id and task.element_id == "call_lead"
    assert task.subject == "Nguyễn Thị Lan" and task.subject_phone == "+84321234567"
    assert result.instance.started_by == "sales1" and result.instance.business_key == "+84321234567"
    event = db.session.scalars(select(AuditEvent).filter_by(stream=f"customer:{customer.id}")).one()
    assert event.kind == "customer_created" and event.actor == "sales1"


def test_a_lead_its_audit_event_its_case_and_the_link_between_them_commit_in_one_transaction(deployed):
    commits, session = [], db.session()
    count = commits.append
    event.listen(session, "after_commit", count)
    try:
        result = leads.create_lead(LAN, actor="sales1", source="website")
    finally:
        event.remove(session, "after_commit", count)
    assert len(commits) == 1
    db.session.expire_all()
    assert db.session.get(Customer, result.customer.id).instance_id == result.instance.id


def test_a_second_lead_with_the_same_phone_is_stored_and_shown_as_a_duplicate_never_merged(deployed):
    first = leads.create_lead(LAN, actor="sales1", source="website")
    second = leads.create_lead({**LAN, "name": "Lan", "phone": "+84 32 123 4567"}, actor="sales2",
                               source="zalo")
    assert first.duplicates == [] and [d.id for d in second.duplicates] == [first.customer.id]
    assert db.session.query(Customer).count() == 2 and len(queue()) == 2


def test_invalid_fields_are_all_reported_and_nothing_is_stored(deployed):
    with pytest.raises(ValidationError) as raised:
        leads.create_lead({"phone": "12", "email": "nope", "owner": "gone", "classification": "hot",
                           "colour": "red"}, actor="sales1", source="pigeon")
    assert set(raised.value.fields) == {"name", "phone", "email", "owner", "classification", "colour",
                                        "source"}
    assert raised.value.fields["owner"] == "Not an active sales user."
    assert db.session.query(Customer).count() == 0 and db.session.query(ProcessInstance).count() == 0


def test_a_lead_is_not_stored_when_its_process_cannot_start(sales):
    with pytest.raises(NotFoundError):
        leads.create_lead(LAN, actor="sales1", source="website")
    db.session.expire_all()
    assert db.session.query(Customer).count() == 0
    assert db.session.query(AuditStream).filter(AuditStream.stream.like("customer:%")).count() == 0


def test_a_lead_is_not_stored_when_the_diagram_refuses_its_start_data(sales):
    engine.deploy(REFUSING, actor="owner", name="refusing.bpmn", roles=service.role_names())
    with pytest.raises(ScriptError):
        leads.create_lead(LAN, actor="sales1", source="website")
    db.session.expire_all()
    assert db.session.query(Customer).count() == 0 and db.session.query(ProcessInstance).count() == 0
    assert db.session.query(AuditStream).filter(AuditStream.stream.like("customer:%")).count() == 0


def test_a_lead_without_owner_and_without_round_robin_stays_unassigned_in_the_team_queue(deployed):
    result = leads.create_lead({**LAN, "owner": None}, actor="sales1", source="website")
    assert result.customer.owner is None
    [task] = queue()
    assert task.instance_id == result.instance.id and task.element_id == "call_lead"
    assert task.assignee is None and task.candidate_role == "sales"


def test_round_robin_gives_each_lead_to_the_sales_user_with_the_fewest_open_lead_tasks(deployed):
    unowned = {**LAN, "owner": None}
    owners = [leads.create_lead(unowned, actor="api", source="api", assign="round_robin").customer.owner
              for _ in range(4)]
    assert owners == ["sales1", "sales2", "sales3", "sales1"]  # ties by username; "gone" is inactive
    assert leads.open_lead_load() == {"sales1": 2, "sales2": 1, "sales3": 1}


def test_round_robin_counts_tasks_assigned_to_a_user(deployed):
    first = leads.create_lead(LAN, actor="sales1", source="manual")
    task = db.session.scalars(select(HumanTask).filter_by(instance_id=first.instance.id)).one()
    task.assignee = "sales2"
    db.session.commit()
    assert leads.open_lead_load() == {"sales1": 0, "sales2": 1, "sales3": 0}
    assert leads.next_owner() == "sales1"


def test_round_robin_without_sales_users_is_refused(ctx):
    with pytest.raises(ValidationError) as raised:
        leads.next_owner()
    assert "owner" in raised.value.fields
