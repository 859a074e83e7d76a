"""A lead called back a thousand times: still correct, still small, and it ends.

SpiffWorkflow's task iterator stops at depth 1,000; without pruning, such a case
would silently report itself finished with no end event reached.
"""
import pytest

import engine
from tests.conftest import ONE_BACKEND

from .helpers import data, instance, open_tasks


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ONE_BACKEND, indirect=True)   # the pruning is the same on both
def test_case_looping_a_thousand_times_keeps_the_right_task_and_reaches_the_end(deploy):
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    sizes = []
    for n in range(1000):
        tasks = open_tasks(started.id)
        assert list(tasks) == ["call"], f"pass {n}"
        engine.complete_task(tasks["call"].id, actor="sales1", data={"outcome": "not_reached"})
        row = instance(started.id)
        assert row.status == "running", f"pass {n}"
        sizes.append(len(row.state))
    assert data(started.id)["calls"] == 1000
    assert max(sizes) < 6000
    assert sizes[-1] <= sizes[10] * 1.2  # the state does not grow with history
    tasks = open_tasks(started.id)
    engine.complete_task(tasks["call"].id, actor="sales1", data={"outcome": "reached"})
    assert instance(started.id).status == "completed"
    assert data(started.id)["calls"] == 1001
    assert open_tasks(started.id) == {}
