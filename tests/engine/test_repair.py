"""Repairing a case with an incident (issue 14): its data corrected, what failed retried,
each audited; a retry that fails again records the incident again; a race changes
nothing twice."""
import pytest
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

import engine
from engine import audit, outbox, repair, unit
from engine.db import db
from engine.errors import ScriptError, StuckError
from engine.models import AuditEvent, Outbox, ProcessInstance, Timer
from tests.conftest import BPMN

from .helpers import audit_kinds, complete, data, fire_when_due, instance, open_tasks, pending_timers, race
from .test_stuck import DEADLOCK


def start(deploy, **values):
    deploy("divide.bpmn")
    return engine.start("divide", actor="sales1",
                        data={"total": 900, "parts": 0, "by_hand": False, **values}).id


def parked(case_id):
    db.session.expire_all()
    return db.session.query(Timer).filter_by(instance_id=case_id, state="failed").all()


def events(case_id, kind):
    db.session.expire_all()
    return (db.session.query(AuditEvent).filter_by(instance_id=case_id, kind=kind)
            .order_by(AuditEvent.seq).all())


@pytest.fixture
def failed_timer(deploy):
    """A case whose month-end timer fired into ``share = total / parts`` with ``parts`` 0."""
    case = start(deploy)
    with pytest.raises(ScriptError, match="division by zero"):
        fire_when_due(pending_timers(case)["month_end"])
    assert [t.element_id for t in parked(case)] == ["month_end"]
    return case


def test_a_failed_timer_retried_after_its_data_is_corrected_takes_the_case_to_its_end(failed_timer):
    case = failed_timer
    correction = engine.correct_data(case, actor="owner", lock_version=instance(case).lock_version,
                                     values={"parts": 3}, reason="the team has three people")
    assert (correction.before, correction.after) == ({"parts": 0}, {"parts": 3})
    # a correction runs nothing and keeps the incident: the timer stays parked, none is re-armed
    assert instance(case).error.startswith("share: a division by zero")
    assert [t.element_id for t in parked(case)] == ["month_end"] and pending_timers(case) == {}
    [corrected] = events(case, "data_corrected")
    assert (corrected.actor, corrected.data_before, corrected.data_after) == ("owner", {"parts": 0},
                                                                              {"parts": 3})
    assert corrected.details["reason"] == "the team has three people"

    engine.retry(case, actor="owner", lock_version=instance(case).lock_version)
    assert instance(case).error is None
    assert list(open_tasks(case)) == ["review"] and data(case)["share"] == 300
    [retried] = events(case, "incident_retried")
    assert retried.actor == "owner" and "a division by zero" in retried.details["error"]
    assert retried.details["timers"] == [t.id for t in db.session.query(Timer).filter_by(instance_id=case)]
    assert db.session.query(Timer.state).filter_by(instance_id=case).scalar() == "fired"
    complete(case, "review")
    assert instance(case).status == "completed"
    assert audit.verify() == []


def test_a_retry_that_fails_again_records_the_incident_again_and_changes_nothing(failed_timer):
    case = failed_timer
    before = instance(case).state
    with pytest.raises(ScriptError, match="division by zero"):
        engine.retry(case, actor="owner", lock_version=instance(case).lock_version)
    assert instance(case).state == before and instance(case).error.startswith("share: a division by zero")
    assert [e.actor for e in events(case, "incident")] == ["system", "owner"]
    assert events(case, "incident_retried") == [] and len(parked(case)) == 1


def test_two_retries_at_once_retry_once(failed_timer, settings):
    case = failed_timer
    engine.correct_data(case, actor="owner", lock_version=instance(case).lock_version, values={"parts": 2})
    seen = instance(case).lock_version
    results = race(settings, ["owner", "admin"],
                   lambda actor: engine.retry(case, actor=actor, lock_version=seen))
    assert sorted(outcome for _, outcome, _ in results) == ["conflict", "won"]
    assert len(events(case, "incident_retried")) == 1 and list(open_tasks(case)) == ["review"]


def test_a_retry_on_an_old_lock_version_or_of_a_case_without_an_incident_is_refused(failed_timer):
    case = failed_timer
    old = instance(case).lock_version
    engine.correct_data(case, actor="owner", lock_version=old, values={"parts": 2})
    with pytest.raises(repair.CaseChangedError) as refused:
        engine.retry(case, actor="admin", lock_version=old)
    assert refused.value.winner == "owner" and refused.value.status == 409
    engine.retry(case, actor="owner", lock_version=instance(case).lock_version)
    with pytest.raises(repair.NoIncidentError):
        engine.retry(case, actor="owner", lock_version=instance(case).lock_version)


def test_a_case_migrated_to_a_version_that_fixes_the_script_fires_its_parked_timer(failed_timer, app):
    case = failed_timer
    fixed = (BPMN / "divide.bpmn").read_text().replace("share = total / parts",
                                                      "share = total / parts if parts else total")
    [(v2, _)] = engine.deploy(fixed, actor="owner", name="divide.bpmn")
    [outcome] = engine.migrate([case], v2, actor="owner")
    assert outcome.status == "migrated"
    assert instance(case).error is None and data(case)["share"] == 900
    assert list(open_tasks(case)) == ["review"] and parked(case) == []
    assert audit_kinds(case)[-1] == "incident_resolved"


def test_a_task_completion_that_failed_is_done_again_after_the_correction(deploy):
    case = start(deploy, by_hand=True)
    with pytest.raises(ScriptError):
        complete(case, "count", {"counted": True})
    version = instance(case).lock_version
    engine.correct_data(case, actor="owner", lock_version=version, values={"parts": 4})
    retried = engine.retry(case, actor="owner", lock_version=instance(case).lock_version)
    assert retried.error is None and list(open_tasks(case)) == ["count"]   # nothing to re-run but the task
    complete(case, "count", {"counted": True})
    assert data(case)["share"] == 225


def test_a_stuck_case_retried_is_still_stuck_and_recorded_again(app):
    engine.deploy(DEADLOCK.encode(), actor="test", name="deadlock.bpmn")
    case = engine.start("deadlock", actor="manager").id
    complete(case, "decide", {"pick": "a"}, actor="manager")
    with pytest.raises(StuckError, match="both: the case stopped here"):
        engine.retry(case, actor="owner", lock_version=instance(case).lock_version)
    assert [e.details["code"] for e in events(case, "incident")] == ["stuck", "stuck"]


def test_a_script_left_in_error_as_spiffworkflow_leaves_it_runs_again_on_retry(deploy):
    """spiff-arena saves a case with its failed script in ERROR; Tasklane rolls the change
    back instead, but a case saved that way (imported, or by an older release) retries too."""
    case = start(deploy, by_hand=True)

    def fail_and_keep(work):
        [task] = work.workflow.get_tasks(state=TaskState.READY, manual=True)
        task.run()
        with pytest.raises(WorkflowException, match="division by zero"):
            work.workflow.do_engine_steps()
        work.instance.error = "share: ZeroDivisionError: division by zero"
    unit.run(engine.get_runtime(), case, "system", fail_and_keep)
    assert [t.task_spec.bpmn_id for t in engine.get_runtime().restore(instance(case))
            .get_tasks(state=TaskState.ERROR)] == ["share"]
    engine.correct_data(case, actor="owner", lock_version=instance(case).lock_version, values={"parts": 9})
    engine.retry(case, actor="owner", lock_version=instance(case).lock_version)
    assert data(case)["share"] == 100 and list(open_tasks(case)) == ["review"]


@pytest.mark.parametrize("values, removed, problems", [
    ({"2fast": 1}, (), {"2fast": "not_a_name"}),
    ({"class": 1}, (), {"class": "not_a_name"}),
    ({}, ["nothing_here"], {"nothing_here": "unknown"}),
])
def test_a_correction_with_a_name_scripts_cannot_read_or_hold_is_refused(failed_timer, values, removed,
                                                                          problems):
    case = failed_timer
    before = (instance(case).state, audit_kinds(case))
    with pytest.raises(repair.DataCorrectionError) as refused:
        engine.correct_data(case, actor="owner", lock_version=instance(case).lock_version, values=values,
                            removed=removed)
    assert refused.value.problems == problems
    assert (instance(case).state, audit_kinds(case)) == before


def test_a_correction_removes_variables_and_one_that_changes_nothing_writes_nothing(failed_timer):
    case = failed_timer
    version = instance(case).lock_version
    assert not engine.correct_data(case, actor="owner", lock_version=version, values={"parts": 0}).changed
    assert instance(case).lock_version == version and events(case, "data_corrected") == []
    engine.correct_data(case, actor="owner", lock_version=version, removed=["by_hand"])
    assert "by_hand" not in engine.case_data(case)
    [event] = events(case, "data_corrected")
    assert (event.data_before, event.data_after) == ({"by_hand": False}, {})
    assert event.details["removed"] == ["by_hand"]


def test_a_correction_of_an_ended_case_is_refused(deploy):
    case = start(deploy, by_hand=True, parts=1)
    complete(case, "count")
    complete(case, "review")
    with pytest.raises(repair.CaseEndedError):
        engine.correct_data(case, actor="owner", lock_version=instance(case).lock_version,
                            values={"parts": 2})


def test_a_failed_start_the_case_asked_for_is_queued_again_by_a_retry(app):
    from tests.workers.test_delivery import FAILS_AT_START
    from workers import delivery

    engine.deploy(FAILS_AT_START, actor="owner", name="divides.bpmn")
    asking = engine.start("divides", actor="sales1", data={"parts": 4}).id
    row = outbox.add("start", "divides", params={"data": {"parts": 0}}, instance_id=asking)
    db.session.commit()
    with pytest.raises(ScriptError):
        delivery.deliver(row.id)
    assert instance(asking).status == "completed" and instance(asking).error
    engine.deploy(FAILS_AT_START.replace("100 // parts", "100 // (parts or 1)"), actor="owner",
                  name="divides.bpmn")
    engine.retry(asking, actor="owner", lock_version=instance(asking).lock_version)
    [retried] = events(asking, "incident_retried")
    assert retried.details["starts"] == [row.id] and instance(asking).error is None
    assert db.session.get(Outbox, row.id, populate_existing=True).state == "pending"
    assert delivery.deliver(row.id) == "sent"
    assert db.session.query(ProcessInstance).filter_by(definition_key="divides").count() == 2
