"""Moving running cases between versions: the dry run, the batch, the audit, the next steps."""
import pytest

import engine
from engine import audit
from engine.db import db
from engine.errors import ConflictError
from engine.models import AuditEvent, ProcessVersion
from tests.conftest import BPMN, deploy_file
from tests.engine.helpers import audit_kinds, complete, data, instance, open_tasks, pending_timers, race


@pytest.fixture
def cases(app):
    """Version 1 with case ``at_call`` (waits at call) and ``at_review`` (waits at review,
    which version 2 removes); then version 2."""
    v1 = deploy_file("versioned_v1.bpmn")
    at_call = engine.start("versioned", actor="manager", data={"name": "An"}).id
    at_review = engine.start("versioned", actor="manager", data={"name": "Bình"}).id
    complete(at_review, "call")
    v2 = deploy_file("versioned_v2.bpmn")
    return v1, v2, at_call, at_review


def test_a_dry_run_lists_which_cases_can_move_and_why_the_others_cannot(cases):
    v1, v2, at_call, at_review = cases
    outcomes = {o.instance_id: o for o in engine.migration_dry_run(v1, v2)}
    assert outcomes[at_call].status == "movable" and outcomes[at_call].reasons == []
    assert outcomes[at_call].waiting == [{"element": "call", "name": "Call the customer"}]
    refused = outcomes[at_review]
    assert refused.status == "refused"
    assert [(r["code"], r["element"]) for r in refused.reasons] == [("task_missing", "review")]
    assert "version 2" in refused.reasons[0]["message"]


def test_a_dry_run_changes_nothing(cases):
    v1, v2, at_call, at_review = cases
    before = {i: (instance(i).state, instance(i).lock_version) for i in (at_call, at_review)}
    engine.migration_dry_run(v1, v2)
    assert {i: (instance(i).state, instance(i).lock_version) for i in before} == before
    assert instance(at_call).version_id == v1.id


def test_a_batch_moves_the_good_cases_each_audited_and_leaves_the_bad_one_untouched(cases):
    v1, v2, at_call, at_review = cases
    untouched = (instance(at_review).state, instance(at_review).lock_version, audit_kinds(at_review))
    outcomes = engine.migrate([at_call, at_review], v2, actor="owner", from_version=v1)
    assert [(o.instance_id, o.status) for o in outcomes] == [(at_call, "migrated"), (at_review, "refused")]
    assert outcomes[1].reasons[0]["code"] == "task_missing"
    assert instance(at_call).version_id == v2.id and instance(at_review).version_id == v1.id
    assert (instance(at_review).state, instance(at_review).lock_version, audit_kinds(at_review)) == untouched
    assert audit_kinds(at_call)[-1] == "instance_migrated"
    event = db.session.query(AuditEvent).filter_by(instance_id=at_call, kind="instance_migrated").one()
    assert event.actor == "owner" and event.details == {"from_version": 1, "to_version": 2}
    assert audit.verify() == []


def test_the_open_task_of_a_moved_case_keeps_its_id_and_holder_and_takes_the_new_title(cases):
    v1, v2, at_call, _ = cases
    call = open_tasks(at_call)["call"]
    call.assignee = "sales1"
    db.session.commit()
    engine.migrate([at_call], v2, actor="owner")
    moved = open_tasks(at_call)
    assert list(moved) == ["call"] and moved["call"].id == call.id
    assert moved["call"].title == "Call the customer today" and moved["call"].priority == 1
    assert moved["call"].assignee == "sales1"


def test_a_moved_case_goes_on_along_the_new_diagram_to_its_end(cases):
    _v1, v2, at_call, _ = cases
    engine.migrate([at_call], v2, actor="owner")
    complete(at_call, "call")
    tasks = open_tasks(at_call)
    assert list(tasks) == ["approve"] and tasks["approve"].candidate_role == "manager"
    complete(at_call, "approve", actor="manager")
    assert instance(at_call).status == "completed"
    assert data(at_call)["closed"] == 2 and data(at_call)["name"] == "An"


def test_a_case_that_was_already_moved_is_reported_and_not_moved_twice(cases):
    v1, v2, at_call, _ = cases
    engine.migrate([at_call], v2, actor="owner", from_version=v1)
    lock_version = instance(at_call).lock_version
    [again] = engine.migrate([at_call], v2, actor="owner", from_version=v1)
    assert again.status == "refused" and again.reasons[0]["code"] == "already_there"
    v3, _ = engine.redeploy(v1, actor="owner")
    [elsewhere] = engine.migrate([at_call], v3, actor="owner", from_version=v1)
    assert elsewhere.status == "refused" and elsewhere.reasons[0]["code"] == "moved"
    assert instance(at_call).lock_version == lock_version
    assert audit_kinds(at_call).count("instance_migrated") == 1


def test_a_finished_case_is_not_moved(cases):
    v1, v2, at_call, _ = cases
    engine.cancel(at_call, actor="manager")
    [outcome] = engine.migrate([at_call], v2, actor="owner")
    assert outcome.status == "refused" and outcome.reasons[0]["code"] == "not_running"
    assert engine.migration_dry_run(v1, v2)[0].instance_id != at_call


def test_an_unknown_case_is_reported_as_failed(cases):
    _v1, v2, _, _ = cases
    [outcome] = engine.migrate([999_999], v2, actor="owner")
    assert outcome.status == "failed" and outcome.reasons[0]["code"] == "not_found"


def test_a_waiting_timer_keeps_its_due_time_when_its_case_moves(app):
    xml = (BPMN / "wait.bpmn").read_text()
    engine.deploy(xml, actor="owner", name="wait.bpmn", roles=None)
    case = engine.start("wait_then_call", actor="manager", data={"wait": "PT1H", "owner": "sales1"})
    [before] = pending_timers(case.id).values()
    v2 = engine.deploy(xml.replace('name="Call back"', 'name="Call back now"'), actor="owner",
                       name="wait.bpmn", roles=None)[0][0]
    [outcome] = engine.migrate([case.id], v2, actor="owner")
    assert outcome.status == "migrated"
    [after] = pending_timers(case.id).values()
    assert (after.id, after.due_at, after.task_id) == (before.id, before.due_at, before.task_id)


def _migrate_or_conflict(actor):
    target = db.session.query(ProcessVersion).filter_by(version=2).one()
    [outcome] = engine.migrate([1], target, actor=actor)
    if outcome.status != "migrated":
        raise ConflictError(outcome.reasons[0]["code"])


def test_two_people_moving_the_same_case_at_once_move_it_once(cases, settings):
    _v1, _v2, at_call, _ = cases
    assert at_call == 1
    outcomes = race(settings, ["owner", "admin"], _migrate_or_conflict)
    assert sorted(o[1] for o in outcomes) == ["conflict", "won"], outcomes
    assert audit_kinds(at_call).count("instance_migrated") == 1
    assert audit.verify() == []
