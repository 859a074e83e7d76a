"""Pruning the task tree keeps parallel joins, boundary events and data correct."""
import json

import engine

from .helpers import complete, data, instance, open_tasks, pending_timers, saved_state


def test_loop_with_parallel_join_and_boundary_timer_stays_correct_and_small(deploy):
    deploy("parallel_loop.bpmn")
    started = engine.start("parallel_loop", actor="sales1", data={"rounds": 0, "target": 60})
    sizes = []
    for n in range(60):
        assert list(open_tasks(started.id)) == ["draft"], n
        assert list(pending_timers(started.id)) == ["draft_late"], n
        complete(started.id, "draft")
        assert set(open_tasks(started.id)) == {"check_a", "check_b"}, n
        assert pending_timers(started.id) == {}
        # finish the branches in alternating order: the join must wait for both each round
        first, second = ("check_a", "check_b") if n % 2 else ("check_b", "check_a")
        complete(started.id, first, {first[-1]: n, f"{first}_{n}": True})
        assert list(open_tasks(started.id)) == [second], n
        complete(started.id, second, {second[-1]: n, f"{second}_{n}": True})
        sizes.append(len(saved_state(started.id)["tasks"]))
    assert instance(started.id).status == "completed"
    final = data(started.id)
    assert final["rounds"] == 60
    assert all(final[f"check_{x}_{n}"] for x in "ab" for n in range(60))  # both branches merged
    assert max(sizes[:-1]) <= sizes[1], sizes  # the tree does not grow with the rounds


def test_pruned_state_has_few_tasks_after_many_rounds(deploy):
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    for _ in range(50):
        complete(started.id, "call", {"outcome": "not_reached"})
    state = saved_state(started.id)
    assert len(state["tasks"]) < 15, len(state["tasks"])
    assert json.loads(json.dumps(state))  # plain JSON
