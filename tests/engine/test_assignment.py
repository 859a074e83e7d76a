"""Claims from separate processes at the same moment: one owner, one audit event."""
import pytest

import engine
from engine import assignment, audit
from engine.db import db
from engine.errors import ConflictError
from engine.models import AuditEvent, HumanTask

from .helpers import open_tasks, race

CONTENDERS = 12


def test_concurrent_claims_leave_exactly_one_owner_and_one_event(deploy, settings):
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    task_id = open_tasks(started.id)["call"].id
    outcomes = race(settings, [f"rep{n}" for n in range(CONTENDERS)],
                    lambda actor: assignment.claim(task_id, actor=actor))

    assert [o for o in outcomes if o[1] == "error"] == []
    winners = [actor for actor, result, _ in outcomes if result == "won"]
    assert len(winners) == 1
    assert {winner for _, result, winner in outcomes if result == "conflict"} == set(winners)
    assert db.session.get(HumanTask, task_id).assignee == winners[0]
    assert db.session.query(AuditEvent).filter_by(kind="task_claimed").count() == 1
    assert audit.verify() == []


def test_a_completed_task_cannot_be_claimed(deploy):
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    task_id = open_tasks(started.id)["call"].id
    engine.complete_task(task_id, actor="sales2", data={"outcome": "not_reached"})
    with pytest.raises(ConflictError) as refused:
        assignment.claim(task_id, actor="sales1")
    assert refused.value.winner == "sales2"


def test_claiming_ones_own_task_again_changes_nothing(deploy):
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    task_id = open_tasks(started.id)["call"].id
    assignment.claim(task_id, actor="sales1")
    assignment.claim(task_id, actor="sales1")
    assert db.session.query(AuditEvent).filter_by(kind="task_claimed").count() == 1
