"""The loser of a completion race (issue 11, 7 of 250 answered 500): a request that read the
task as open, while another completed it, gets the 409 naming the winner."""
import pytest

import engine
from engine.db import db
from engine.errors import ConflictError
from engine.models import HumanTask

from .helpers import open_tasks


def test_a_task_completed_by_someone_else_after_it_was_read_is_a_conflict_naming_the_winner(app, deploy):
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    task_id = open_tasks(started.id)["call"].id
    assert db.session.get(HumanTask, task_id).state == "open"  # the loser has read the task
    with app.app_context():  # the winner, on a session of its own, completes and commits first
        engine.complete_task(task_id, actor="sales2", data={"outcome": "not_reached"})
    with pytest.raises(ConflictError) as raised:
        engine.task_data(task_id)  # what the loser's form check reads next
    assert raised.value.winner == "sales2"
