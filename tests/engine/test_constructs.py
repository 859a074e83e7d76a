"""Every BPMN construct the runtime supports, with the workflow saved to the database
and restored from it between every step (each engine call restores the instance
from its row and saves it again), on SQLite and on PostgreSQL."""
import re

import pytest

import engine
from engine.db import db
from engine.errors import ConflictError, NotFoundError, TaskNotReadyError
from engine.models import ProcessDefinition
from tests.conftest import BPMN

from .helpers import (
    audit_kinds,
    complete,
    data,
    fire_when_due,
    instance,
    open_tasks,
    outbox_rows,
    pending_timers,
    saved_state,
)


def test_user_task_script_and_exclusive_gateway_loop_until_reached(deploy):
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    for _ in range(3):
        assert list(open_tasks(started.id)) == ["call"]
        complete(started.id, "call", {"outcome": "not_reached"})
    complete(started.id, "call", {"outcome": "reached"})
    assert instance(started.id).status == "completed"
    assert data(started.id)["calls"] == 4
    assert open_tasks(started.id) == {}


def test_user_task_row_carries_what_the_inbox_needs(deploy):
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    task = open_tasks(started.id)["call"]
    assert task.titles == {"vi": "Gọi khách hàng", "en": "Call the lead", "ru": "Позвонить клиенту"}
    assert task.candidate_role == "sales" and task.lane == "sales"
    assert task.form_key == "lead-call-outcome" and task.priority == 2
    assert 7190 < (task.due_at - task.created_at).total_seconds() <= 7200
    assert task.instructions == "Call **{{ name }}**"


def test_saved_state_excludes_the_spec(deploy):
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    state = saved_state(started.id)
    assert "spec" not in state and "subprocess_specs" not in state
    assert len(instance(started.id).state) < 6000


def test_parallel_split_and_join_wait_for_both_branches(deploy):
    deploy("parallel.bpmn")
    started = engine.start("parallel_review", actor="manager")
    tasks = open_tasks(started.id)
    assert set(tasks) == {"prepare", "approve"}
    assert tasks["approve"].candidate_role == "manager"
    complete(started.id, "approve", {"limit": 500}, actor="manager")
    assert set(open_tasks(started.id)) == {"prepare"}
    assert instance(started.id).status == "running"
    complete(started.id, "prepare", {"documents": 3})
    assert instance(started.id).status == "completed"
    assert data(started.id)["summary"] == "3 / 500"
    [row] = outbox_rows()
    assert (row.channel, row.recipient, row.subject, row.instance_id) == ("in_app", "manager", "Review done",
                                                                            started.id)


def test_intermediate_timer_waits_then_fires_once(deploy):
    deploy("timers.bpmn")
    started = engine.start("timers", actor="sales1", data={"wait": "PT1S", "deadline": "PT1H",
                                                           "reminder": "R/PT1H", "reminders": 0})
    assert open_tasks(started.id) == {}
    timer = pending_timers(started.id)["wait"]
    assert timer.kind == "intermediate"
    assert engine.fire_timer(timer.id) == "early"
    assert fire_when_due(timer) == "fired"
    assert engine.fire_timer(timer.id) == "fired"  # a second run changes nothing
    assert list(open_tasks(started.id)) == ["work"]
    assert audit_kinds(started.id).count("timer_fired") == 1


def test_interrupting_boundary_timer_cancels_the_task_and_escalates(deploy):
    deploy("timers.bpmn")
    started = engine.start("timers", actor="sales1", data={"wait": "PT0S", "deadline": "PT1S",
                                                           "reminder": "R/PT1H", "reminders": 0})
    assert "wait" not in pending_timers(started.id)  # a zero duration fires at once
    timers = pending_timers(started.id)
    assert timers["deadline"].kind == "boundary" and "reminder" in timers
    work_task = open_tasks(started.id)["work"]
    fire_when_due(timers["deadline"])
    assert list(open_tasks(started.id)) == ["escalated"]
    assert pending_timers(started.id) == {}  # the reminder went with the cancelled task
    with pytest.raises(TaskNotReadyError):
        engine.complete_task(work_task.id, actor="sales1", data={})
    complete(started.id, "escalated", actor="manager")
    assert instance(started.id).status == "completed"


def test_non_interrupting_cycle_timer_reminds_while_the_task_stays_open(deploy):
    deploy("timers.bpmn")
    started = engine.start("timers", actor="sales1", data={"wait": "PT0S", "deadline": "PT1H",
                                                           "reminder": "R2/PT1S", "reminders": 0})
    fired = 0
    while "reminder" in pending_timers(started.id) and fired < 5:
        # on a loaded machine the second cycle may come due within the first one's step
        assert fire_when_due(pending_timers(started.id)["reminder"]) == "fired"
        fired += 1
        assert list(open_tasks(started.id)) == ["work"]
    assert len([r for r in outbox_rows() if r.subject == "Reminder"]) == 2  # two cycles, then no more
    assert fired in (1, 2)
    complete(started.id, "work")
    assert instance(started.id).status == "completed"
    assert pending_timers(started.id) == {}


def test_an_event_based_gateway_waits_on_its_timer_and_the_timer_fires(deploy):
    """SpiffWorkflow keeps the timer of the events after an event-based gateway on the
    gateway's own task (engine/events.py): that task gets the timer row."""
    deploy("construct_event_gateway.bpmn")
    started = engine.start("construct_event_gateway", actor="sales1")
    complete(started.id, "send_offer", {"offer": 120})
    timer = pending_timers(started.id)["await_answer"]
    assert abs((timer.due_at - timer.created_at).total_seconds() - 3 * 86400) < 60
    assert fire_when_due(timer) == "fired"
    assert list(open_tasks(started.id)) == ["chase"]
    with pytest.raises(ConflictError):
        engine.send_message(started.id, "offer_accepted", actor="sales1", payload={"price": 1})


def test_a_message_before_an_event_based_gateway_s_timer_cancels_the_timer(deploy):
    deploy("construct_event_gateway.bpmn")
    started = engine.start("construct_event_gateway", actor="sales1")
    complete(started.id, "send_offer", {"offer": 120})
    assert "await_answer" in pending_timers(started.id)
    engine.send_message(started.id, "offer_accepted", actor="sales1", payload={"price": 110})
    assert instance(started.id).status == "completed"
    assert pending_timers(started.id) == {}


def test_a_collaboration_whose_pools_exchange_messages_runs_as_one_case(deploy):
    """As SpiffWorkflow runs a collaboration: the buyer's order starts the seller's pool
    (a message start event) and the seller's confirmation reaches the buyer's catch event."""
    version = deploy("construct_message_pools.bpmn")
    assert version.definition.key == "construct_message_pools"
    assert version.definition.name == "Messages between two pools"
    keys = {d.key for d in db.session.query(ProcessDefinition)}
    assert keys == {"construct_message_pools"}   # the pools are not processes of their own
    started = engine.start("construct_message_pools", actor="sales1")
    assert list(open_tasks(started.id)) == ["choose"]
    complete(started.id, "choose", {"product": "tea", "quantity": 3})
    assert list(open_tasks(started.id)) == ["quote"]
    complete(started.id, "quote", {"accepted": True, "price": 40})
    assert instance(started.id).status == "completed"
    assert data(started.id)["total"] == 120


def test_pools_that_exchange_no_messages_deploy_as_processes_of_their_own(app):
    xml = (BPMN / "construct_message_pools.bpmn").read_text()
    flows = r"<bpmn:messageFlow .*?/>|<bpmndi:BPMNEdge id=\"\w+_flow_di\".*?</bpmndi:BPMNEdge>"
    silent = re.sub(flows, "", xml, flags=re.S)
    assert "messageFlow" not in silent
    versions = engine.deploy(silent.encode(), actor="test", name="silent.bpmn")
    assert sorted(v.definition.key for v, _ in versions) == ["construct_message_pools_buyer",
                                                             "construct_message_pools_seller"]


def test_message_catch_event_receives_the_payload(deploy):
    deploy("message.bpmn")
    started = engine.start("await_answer", actor="partner1")
    with pytest.raises(ConflictError):
        engine.send_message(started.id, "some_other_message", actor="partner1", payload={})
    engine.send_message(started.id, "cross_sell_answer", actor="partner1", payload={"approved": True})
    assert instance(started.id).status == "completed"
    assert data(started.id)["answer"] == {"approved": True}
    assert "message_received" in audit_kinds(started.id)
    with pytest.raises(ConflictError):
        engine.send_message(started.id, "cross_sell_answer", actor="partner1", payload={})


def test_a_message_whose_condition_fails_is_an_incident_and_the_case_still_waits_for_it(deploy):
    from engine.errors import ScriptError

    deploy("message.bpmn")
    started = engine.start("await_answer", actor="partner1")
    with pytest.raises(ScriptError) as failed:   # answer["approved"] of a text
        engine.send_message(started.id, "cross_sell_answer", actor="partner1", payload="yes")
    assert failed.value.element == "approved"
    assert audit_kinds(started.id)[-1] == "incident" and "message_received" not in audit_kinds(started.id)
    engine.send_message(started.id, "cross_sell_answer", actor="partner1", payload={"approved": True})
    assert instance(started.id).status == "completed" and instance(started.id).error is None
    assert audit_kinds(started.id)[-2:] == ["instance_completed", "incident_resolved"]


def test_embedded_subprocess_tasks_reach_the_inbox(deploy):
    deploy("subprocess.bpmn")
    started = engine.start("with_subprocess", actor="sales1")
    assert list(open_tasks(started.id)) == ["upload"]
    complete(started.id, "upload", {"passport": "C12345678"})
    assert list(open_tasks(started.id)) == ["sign"]
    complete(started.id, "sign")
    assert instance(started.id).status == "completed"
    assert data(started.id)["checked"] is True


def test_timer_start_event_cycle_starts_one_instance_per_occurrence(deploy):
    from engine.db import db
    from engine.models import ProcessInstance

    version = deploy("timer_start.bpmn")
    for occurrence in (1, 2, 3):
        [timer] = pending_timers().values()
        assert timer.kind == "start" and timer.version_id == version.id and timer.instance_id is None
        assert fire_when_due(timer) == "started"
        assert engine.fire_timer(timer.id) == "fired"
        assert db.session.query(ProcessInstance).count() == occurrence
    assert pending_timers() == {}
    for row in db.session.query(ProcessInstance):
        assert row.status == "completed"
        assert data(row.id)["report"] == "built"


def test_a_start_timer_whose_script_fails_is_parked_with_an_incident_and_the_cycle_goes_on(app):
    from datetime import timedelta

    import engine as eng
    from engine.db import db
    from engine.errors import ScriptError
    from engine.models import AuditEvent, ProcessInstance, Timer
    from engine.types import utcnow
    from tests.conftest import BPMN

    eng.deploy((BPMN / "timer_start.bpmn").read_text().replace('"built"', "1 // 0"), actor="owner",
               name="timer_start.bpmn")
    [timer] = pending_timers().values()
    db.session.get(Timer, timer.id).due_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(ScriptError):
        engine.fire_timer(timer.id)
    assert engine.fire_timer(timer.id) == "failed"
    [following] = pending_timers().values()
    assert following.id != timer.id and following.cycle["remaining"] == 2
    assert db.session.query(ProcessInstance).count() == 0
    [incident] = db.session.query(AuditEvent).filter_by(kind="incident").all()
    assert (incident.stream, incident.element_id, incident.details["timer_id"]) == (
        "definition:scheduled_report", "report", timer.id)


def test_redeploying_moves_the_start_schedule_to_the_new_version(deploy):
    first = deploy("timer_start.bpmn")
    import engine as eng
    from tests.conftest import BPMN

    xml = (BPMN / "timer_start.bpmn").read_text().replace('"built"', '"built v2"')
    [(second, created)] = eng.deploy(xml, actor="owner", name="timer_start.bpmn")
    assert created and second.version == 2
    [timer] = pending_timers().values()
    assert timer.version_id == second.id != first.id


def test_deploying_the_same_file_twice_keeps_one_version(deploy):
    first = deploy("call_loop.bpmn")
    again = deploy("call_loop.bpmn")
    assert first.id == again.id and again.version == 1


def test_running_instance_stays_on_its_version_after_a_new_deploy(deploy):
    from tests.conftest import BPMN

    deploy("call_loop.bpmn")
    old = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    xml = (BPMN / "call_loop.bpmn").read_text().replace("calls = calls + 1", "calls = calls + 10")
    engine.deploy(xml, actor="owner", name="call_loop.bpmn")
    new = engine.start("call_loop", actor="sales1", data={"name": "Bình", "calls": 0})
    complete(old.id, "call", {"outcome": "reached"})
    complete(new.id, "call", {"outcome": "reached"})
    assert data(old.id)["calls"] == 1
    assert data(new.id)["calls"] == 10
    assert instance(old.id).version.version == 1 and instance(new.id).version.version == 2


def test_cancel_closes_open_tasks_and_timers(deploy):
    deploy("timers.bpmn")
    started = engine.start("timers", actor="sales1", data={"wait": "PT1H", "deadline": "PT1H",
                                                           "reminder": "R/PT1H", "reminders": 0})
    assert pending_timers(started.id)
    engine.cancel(started.id, actor="manager", reason="duplicate lead")
    assert instance(started.id).status == "cancelled"
    assert pending_timers(started.id) == {}
    with pytest.raises(ConflictError):
        engine.cancel(started.id, actor="manager")
    assert audit_kinds(started.id)[-1] == "instance_cancelled"


def test_completed_task_cannot_be_completed_twice(deploy):
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    task = open_tasks(started.id)["call"]
    engine.complete_task(task.id, actor="sales2", data={"outcome": "reached"})
    with pytest.raises(ConflictError) as refused:
        engine.complete_task(task.id, actor="sales3", data={"outcome": "reached"})
    assert refused.value.winner == "sales2"
    assert "already completed by sales2" in refused.value.message


def test_unknown_task_process_and_instance_are_not_found(deploy):
    deploy("call_loop.bpmn")
    with pytest.raises(NotFoundError):
        engine.complete_task("00000000-0000-0000-0000-000000000000", actor="x")
    with pytest.raises(NotFoundError):
        engine.start("no_such_process", actor="x")
    with pytest.raises(NotFoundError):
        engine.send_message(999, "m", actor="x")


def test_a_failing_script_stores_nothing_but_its_incident_and_names_the_element(deploy):
    from engine.db import db
    from engine.errors import ScriptError
    from engine.models import AuditEvent, ProcessInstance

    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": "many"})
    before = instance(started.id).state
    with pytest.raises(ScriptError) as failed:
        complete(started.id, "call", {"outcome": "reached"})
    assert failed.value.element == "count"
    assert instance(started.id).state == before
    events = db.session.query(AuditEvent).filter_by(instance_id=started.id)
    last = events.order_by(AuditEvent.seq.desc()).first()
    assert (last.kind, last.element_id, last.actor) == ("incident", "count", "sales1")
    assert list(open_tasks(started.id)) == ["call"]
    assert db.session.query(ProcessInstance).count() == 1


def test_time_date_timer_row_is_due_when_spiffworkflow_says_so(deploy, monkeypatch):
    from datetime import datetime, timedelta, timezone

    from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

    # A server five hours west of UTC: a naive time means local time to SpiffWorkflow.
    monkeypatch.setattr(spiff_timer, "LOCALTZ", timezone(timedelta(hours=-5)))
    deploy("wait_until.bpmn")
    soon = datetime.now(timezone.utc) + timedelta(seconds=1)
    naive = engine.start("wait_until", actor="sales1", data={"until": soon.replace(tzinfo=None).isoformat(),
                                                             "owner": "sales1"})
    aware = engine.start("wait_until", actor="sales1", data={"until": soon.isoformat(), "owner": "sales1"})
    naive_timer, aware_timer = pending_timers(naive.id)["wait"], pending_timers(aware.id)["wait"]
    assert abs((naive_timer.due_at - soon).total_seconds() - 5 * 3600) < 1
    assert abs((aware_timer.due_at - soon).total_seconds()) < 0.01
    assert fire_when_due(aware_timer) == "fired"
    assert engine.fire_timer(naive_timer.id) == "early"
    assert "timer_fired" not in audit_kinds(naive.id)
    assert list(open_tasks(aware.id)) == ["call_back"] and open_tasks(naive.id) == {}
