"""Every join shape ends as raw SpiffWorkflow ends it, with the state saved, pruned and
restored after every step (engine/state.py), whatever order the branches finish in.

Raw SpiffWorkflow without saves is the reference: the same diagram, the same inputs and
the same order of completions must give the same end state and the same end data.
"""
import itertools

import pytest
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

import engine
from engine import specs, state

from . import join_shapes
from .helpers import complete, instance, open_tasks

MAX_STEPS = 200


def _spec(xml, key):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(xml.encode())
    return parser.get_spec(key), parser.get_subprocess_specs(key)


def _run(xml, key, *, order, data, saved):
    """Complete ready user tasks one at a time, ``order`` picking which, until the
    workflow ends or nothing is ready. With ``saved``, the workflow is dumped and
    restored from its pruned state after each step."""
    spec, subprocess_specs = _spec(xml, key)
    script_engine = PythonScriptEngine()
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
    workflow.task_tree.data.update(data)
    for step in range(MAX_STEPS):
        workflow.refresh_timers()
        workflow.do_engine_steps()
        if saved:
            registry = specs.registry()
            workflow = state.load(state.dump(workflow, registry), spec, subprocess_specs,
                                  registry, script_engine)
        ready = sorted(workflow.get_tasks(state=TaskState.READY, manual=True),
                       key=lambda t: t.task_spec.name)
        if workflow.completed or not ready:
            break
        task = order(ready, step)
        task.data[f"seen_{task.task_spec.name}"] = step
        task.run()
    end = max(workflow.tasks.values(), key=lambda t: t.last_state_change).data
    return workflow.completed, {k: v for k, v in end.items() if k != "step"}


def first(ready, _step):
    return ready[0]


def last(ready, _step):
    return ready[-1]


def alternate(ready, step):
    return ready[-1] if step % 2 else ready[0]


ORDERS = [first, last, alternate]
SHAPES = [
    *[(join_shapes.parallel(n), f"parallel_{n}", {}) for n in range(2, 9)],
    *[(join_shapes.parallel(n, "inclusiveGateway", conditions=True), f"inclusive_{n}",
       {f"pick_{i}": i % 2 == 1 or i == n for i in range(1, n + 1)}) for n in (2, 3, 5)],
    (join_shapes.parallel(4, "inclusiveGateway", conditions=True), "inclusive_4",
     {"pick_1": True, "pick_2": True, "pick_3": True, "pick_4": True}),
    *[(join_shapes.nested(outer, inner), f"nested_{outer}_{inner}", {})
      for outer, inner in ((2, 3), (3, 3), (4, 2))],
    *[(join_shapes.loop(n), f"loop_{n}", {"rounds": 0, "target": 3}) for n in (2, 3, 5)],
    *[(join_shapes.boundary(n), f"boundary_{n}", {}) for n in (2, 3, 4)],
]


@pytest.mark.parametrize(("xml", "key", "data"), SHAPES, ids=[s[1] for s in SHAPES])
@pytest.mark.parametrize("order", ORDERS, ids=[o.__name__ for o in ORDERS])
def test_join_ends_as_raw_spiffworkflow_ends_it(xml, key, data, order):
    raw = _run(xml, key, order=order, data=data, saved=False)
    assert raw[0], f"raw SpiffWorkflow did not complete {key}: the shape is wrong"
    assert _run(xml, key, order=order, data=data, saved=True) == raw


@pytest.mark.parametrize("branches", [3, 5])
def test_pruning_keeps_the_tree_small_with_wide_joins_in_a_loop(branches):
    xml, key = join_shapes.loop(branches), f"loop_{branches}"
    spec, subprocess_specs = _spec(xml, key)
    registry, script_engine = specs.registry(), PythonScriptEngine()
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
    workflow.task_tree.data.update(rounds=0, target=40)
    sizes = []
    for step in itertools.count():
        workflow.do_engine_steps()
        saved = state.dump(workflow, registry)
        workflow = state.load(saved, spec, subprocess_specs, registry, script_engine)
        sizes.append(len(workflow.tasks))
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if workflow.completed:
            break
        assert ready and step < 1000
        ready[-1].run()
    assert workflow.last_task.data["rounds"] == 40
    # one pass's tree at most, whatever the number of passes
    assert max(sizes) <= 2 * max(sizes[: 2 * branches]), sizes


def test_a_three_branch_join_fires_through_the_engine(app):
    engine.deploy(join_shapes.parallel(3).encode(), actor="test", name="parallel_3.bpmn")
    started = engine.start("parallel_3", actor="sales1")
    for element in ("task_2", "task_3", "task_1"):
        assert element in open_tasks(started.id)
        complete(started.id, element, {element: True})
    assert instance(started.id).status == "completed"


@pytest.mark.parametrize("branches", [2, 3, 5])
def test_a_join_in_a_loop_waits_for_every_branch_of_each_pass(branches):
    """The branches finish in a different order on each pass. Raw SpiffWorkflow 3.2 fires
    such a join early from the second pass (docs/runtime.md), so here the reference is
    the count: every pass completes each branch's task exactly once."""
    done = []

    def rotating(ready, step):
        task = ready[(step // branches) % len(ready)]
        done.append(task.task_spec.name)
        return task

    xml, key = join_shapes.loop(branches), f"loop_{branches}"
    completed, end = _run(xml, key, order=rotating, data={"rounds": 0, "target": 4}, saved=True)
    assert completed and end["rounds"] == 4
    assert sorted(done) == sorted(f"task_{n}" for n in range(1, branches + 1) for _ in range(4))
