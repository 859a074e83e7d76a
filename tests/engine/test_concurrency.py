"""Fifty people complete the same task at the same moment, from separate processes."""
import engine
from engine import audit
from engine.db import db
from engine.models import AuditEvent, HumanTask

from .helpers import instance, open_tasks, race

CONTENDERS = 50


def test_fifty_concurrent_completions_have_exactly_one_winner(deploy, settings):
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    task_id = open_tasks(started.id)["call"].id
    version_before = instance(started.id).lock_version
    outcomes = race(settings, [f"rep{n}" for n in range(CONTENDERS)], lambda actor: engine.complete_task(
        task_id, actor=actor, data={"outcome": "not_reached"}))

    winners = [actor for actor, result, _ in outcomes if result == "won"]
    assert [o for o in outcomes if o[1] == "error"] == []
    assert len(winners) == 1
    losers = [o for o in outcomes if o[1] == "conflict"]
    assert len(losers) == CONTENDERS - 1
    assert {winner for _, _, winner in losers} == set(winners)

    row = db.session.get(HumanTask, task_id)
    assert (row.state, row.completed_by) == ("completed", winners[0])
    assert instance(started.id).lock_version == version_before + 1
    assert list(open_tasks(started.id)) == ["call"]
    completions = (db.session.query(AuditEvent)
                   .filter_by(instance_id=started.id, kind="task_completed").count())
    assert completions == 1
    assert audit.verify() == []
