"""Engine benchmark: Tasklane's engine against raw SpiffWorkflow on the same diagram.

Runs ``bench/bench_process.bpmn`` (3 user tasks, 2 exclusive gateways, 2 script
tasks) in one run:

* raw: SpiffWorkflow in memory, with a ``serialize_json`` / ``deserialize_json``
  round trip after the start and after every user task (the default serializer
  configured with ``SPIFF_CONFIG``, which embeds the spec in every saved instance);
* engine: ``engine.start`` / ``engine.complete_task`` on SQLite and PostgreSQL:
  restore, sandboxed scripts, save, projections and audit in one transaction each.

It prints user-task completions per second and the ratio engine / raw, the size
of the saved state of one instance, and the cost of the 5th and the 500th
completion of instances that loop (a lead called back again and again), with the
targets of the performance issue. See docs/performance.md.

    .venv/bin/python bench/engine.py [--instances N] [--backends sqlite,postgresql] [--json]
"""
import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchlib import REDIS_URL, reachable_redis, reset_pg_schema, schema_name

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PROCESS_FILE = BENCH_DIR / "bench_process.bpmn"
PROCESS_KEY = "bench_process"
PG_SCHEMA = "bench"
WARMUP_INSTANCES = 20
LOOP_POINTS = (5, 500)
LOOP_WINDOW = 2  # completions on either side of each point: 5 per looping instance
TARGET_RATIO_TO_RAW = 0.5
TARGET_STATE_BYTES = 6000
TARGET_LOOP_RATIO = 1.5
START_DATA = {"lead": "Nguyễn Văn An", "phone": "+84901234567", "budget": 0, "interested": False}
STEPS = (
    ("qualify", {"budget": 80000, "interested": True}),
    ("approve", {"approved": True}),
    ("close", {"amount": 75000}),
)
LOOP_KEY = "bench_call_loop"
LOOP_XML = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="Definitions_bench_call_loop" targetNamespace="http://tasklane.test/bench">
  <bpmn:process id="bench_call_loop" name="Call until reached" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_sales" name="sales"><bpmn:flowNodeRef>call</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="call" name="Call the lead">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="dueIn" value="&quot;PT2H&quot;" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>again</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="count" name="Count the call">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>calls = calls + 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="reached" name="Reached?" default="done">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>again</bpmn:outgoing><bpmn:outgoing>done</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="count" />
    <bpmn:sequenceFlow id="f3" sourceRef="count" targetRef="reached" />
    <bpmn:sequenceFlow id="again" sourceRef="reached" targetRef="call">
      <bpmn:conditionExpression>outcome == "not_reached"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="done" sourceRef="reached" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>done</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=800,
                        help="instances per measurement (each completes 3 user tasks)")
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql")
    parser.add_argument("--loop-passes", type=int, default=max(LOOP_POINTS),
                        help="the later point measured in the looping instances (the other is the 5th)")
    parser.add_argument("--loop-instances", type=int, default=4,
                        help="looping instances per point, advanced in turn (more samples per point)")
    parser.add_argument("--schema", default=PG_SCHEMA, type=schema_name,
                        help="PostgreSQL schema, dropped and created again at the start of the run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(args.backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    return args


def use_project_packages():
    """Let ``import engine`` find the project's package, not this file.

    ``python bench/engine.py`` puts ``bench/`` first on ``sys.path``, where this
    file would shadow the ``engine`` package.
    """
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
    sys.path.insert(0, str(ROOT))


# --- raw SpiffWorkflow --------------------------------------------------------------------------


def raw_setup():
    """The parsed spec and a serializer configured for spiff-parsed workflows."""
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(PROCESS_FILE))
    spec = parser.get_spec(PROCESS_KEY)
    subprocess_specs = parser.get_subprocess_specs(PROCESS_KEY)
    serializer = BpmnWorkflowSerializer(registry=BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    return spec, subprocess_specs, serializer


def raw_instance(spec, subprocess_specs, serializer, sizes=None):
    """Run one instance to its end, saving and restoring it at every wait.

    :returns: the number of user tasks completed
    """
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    workflow = BpmnWorkflow(spec, subprocess_specs)
    workflow.task_tree.data.update(START_DATA)
    workflow.do_engine_steps()
    for element, data in STEPS:
        saved = serializer.serialize_json(workflow)
        if sizes is not None:
            sizes.append(len(saved.encode("utf-8")))
        workflow = serializer.deserialize_json(saved)
        [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
        assert task.task_spec.bpmn_id == element, task.task_spec.bpmn_id
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
    workflow = serializer.deserialize_json(serializer.serialize_json(workflow))
    assert workflow.completed and workflow.data["commission"] == 15000.0, workflow.data
    return len(STEPS)


def run_raw(instances):
    """Completions per second of raw SpiffWorkflow, and the size of its saved state."""
    spec, subprocess_specs, serializer = raw_setup()
    for _ in range(WARMUP_INSTANCES):
        raw_instance(spec, subprocess_specs, serializer)
    sizes = []
    raw_instance(spec, subprocess_specs, serializer, sizes)
    began = time.perf_counter()
    completions = sum(raw_instance(spec, subprocess_specs, serializer) for _ in range(instances))
    seconds = time.perf_counter() - began
    return {"instances": instances, "completions": completions, "seconds": seconds,
            "per_second": completions / seconds, "state_bytes": sizes}


# --- the Tasklane engine ------------------------------------------------------------------------


def redis_url():
    """The local Redis server if it answers, else '' (the embedded one, started only if needed)."""
    return REDIS_URL if reachable_redis(REDIS_URL) else ""


def make_app(backend, folder, schema=PG_SCHEMA):
    """A Tasklane app on a fresh database of ``backend``, with the roles and both diagrams deployed."""
    import logging

    import engine
    from accounts.service import ensure_roles, role_names
    from engine.db import db
    from tasklane.app import create_app

    app = create_app({
        "TASKLANE_ENV": "testing", "TASKLANE_INSTANCE_DIR": str(Path(folder) / backend),
        "TASKLANE_DATABASE_URL": reset_pg_schema(schema) if backend == "postgresql" else "",
        "TASKLANE_REDIS_URL": redis_url(), "TASKLANE_SECRET_KEY": "bench",
        "TASKLANE_QUEUE_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
    })
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        db.create_all()
        ensure_roles()
        db.session.commit()
        for xml, name in ((PROCESS_FILE.read_bytes(), PROCESS_FILE.name), (LOOP_XML, "call_loop.bpmn")):
            engine.deploy(xml, actor="bench", name=name, roles=role_names())
    return app


def open_task(instance_id):
    from engine.db import db
    from engine.models import HumanTask

    return db.session.query(HumanTask).filter_by(instance_id=instance_id, state="open").one()


def engine_instance(sizes=None):
    """Start one instance and complete its three user tasks through ``engine``.

    :returns: the number of user tasks completed
    """
    import engine
    from engine.db import db
    from engine.models import ProcessInstance

    instance_id = engine.start(PROCESS_KEY, actor="bench", data=START_DATA).id
    for element, data in STEPS:
        if sizes is not None:
            sizes.append(state_bytes(instance_id))
        row = open_task(instance_id)
        assert row.element_id == element, row.element_id
        engine.complete_task(row.id, actor="bench", data=data)
    assert db.session.get(ProcessInstance, instance_id).status == "completed"
    return len(STEPS)


def run_engine(app, instances):
    """Completions per second through ``engine`` on ``app``'s database, and the saved state size."""
    with app.app_context():
        for _ in range(WARMUP_INSTANCES):
            engine_instance()
        sizes = []
        engine_instance(sizes)
        began = time.perf_counter()
        completions = sum(engine_instance() for _ in range(instances))
        seconds = time.perf_counter() - began
    return {"instances": instances, "completions": completions, "seconds": seconds,
            "per_second": completions / seconds, "state_bytes": sizes}


def run_loop(app, passes, instances):
    """The cost of the 5th and the ``passes``-th completion of instances that loop.

    One group of ``instances`` looping instances per point is advanced (untimed) to
    just before its point; then the groups complete their passes around their points
    in turn, so a burst of load from elsewhere hits the 5th and the 500th pass alike.
    """
    points = sorted({min(LOOP_POINTS), passes})
    with app.app_context():
        advance(start_loops(2), 10)  # warm up: the loop's spec, statements, caches
        groups = {point: start_loops(instances) for point in points}
        for point, ids in groups.items():
            advance(ids, point - LOOP_WINDOW - 1)
        costs = {point: [] for point in points}
        for _ in range(2 * LOOP_WINDOW + 1):
            for position in range(instances):
                for point, ids in groups.items():
                    costs[point].extend(advance([ids[position]], 1))
        sizes = {point: state_bytes(ids[0]) for point, ids in groups.items()}
        for point, ids in groups.items():
            end_loops(ids, point + LOOP_WINDOW)
    return {"passes": passes, "instances": instances, "samples_per_point": instances * (2 * LOOP_WINDOW + 1),
            "median_seconds": {point: statistics.median(c) for point, c in costs.items()},
            "state_bytes": sizes, "ended": True}


def start_loops(count):
    import engine

    return [engine.start(LOOP_KEY, actor="bench", data={"name": "An", "calls": 0}).id for _ in range(count)]


def advance(ids, passes):
    """Complete the call task of each instance ``passes`` times ("not reached").

    :returns: the seconds each completion took
    """
    import engine

    costs = []
    for _ in range(passes):
        for instance_id in ids:
            row = open_task(instance_id)
            began = time.perf_counter()
            engine.complete_task(row.id, actor="bench", data={"outcome": "not_reached"})
            costs.append(time.perf_counter() - began)
    return costs


def state_bytes(instance_id):
    from engine.db import db
    from engine.models import ProcessInstance

    return len(db.session.get(ProcessInstance, instance_id).state.encode("utf-8"))


def end_loops(ids, passes):
    """Let each instance end ("reached") and check it counted ``passes`` + 1 calls."""
    import engine
    from engine.db import db
    from engine.models import ProcessInstance

    for instance_id in ids:
        engine.complete_task(open_task(instance_id).id, actor="bench", data={"outcome": "reached"})
        final = db.session.get(ProcessInstance, instance_id)
        calls = engine.get_runtime().restore(final).data.get("calls")
        assert final.status == "completed" and calls == passes + 1, (final.status, calls)


# --- output ----------------------------------------------------------------------------------


def summarize(raw, engines, loops, machine):
    """One JSON-ready dictionary of every figure, the ratios to the raw engine and the targets."""
    result = {"machine": machine, "raw": raw, "engine": {}, "loop": {}, "targets": {}}
    for backend, figures in engines.items():
        ratio = figures["per_second"] / raw["per_second"]
        result["engine"][backend] = {**figures, "ratio_to_raw": ratio}
        result["targets"][f"{backend}: engine >= 0.5 x raw"] = ratio >= TARGET_RATIO_TO_RAW
        result["targets"][f"{backend}: saved state < 6 KB"] = max(figures["state_bytes"]) < TARGET_STATE_BYTES
    for backend, loop in loops.items():
        costs = loop["median_seconds"]
        first, last = min(costs), max(costs)
        loop["ratio"] = costs[last] / costs[first] if len(costs) > 1 else None
        if loop["ratio"] is not None:
            name = f"{backend}: #{last} within 1.5 x #{first}"
            result["targets"][name] = loop["ratio"] <= TARGET_LOOP_RATIO
        loop["median_seconds"] = {str(k): v for k, v in costs.items()}
        loop["state_bytes"] = {str(k): v for k, v in loop["state_bytes"].items()}
        result["loop"][backend] = loop
    return result


def machine_facts(began):
    import os
    import platform

    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "load_average_1min": [began, os.getloadavg()[0]], "command": " ".join(sys.argv)}


def print_table(result):
    raw = result["raw"]
    print(f"{'run':<20}{'instances':>10}{'tasks':>7}{'seconds':>9}{'tasks/s':>9}{'vs raw':>8}"
          f"{'state bytes at each wait':>30}")
    print(f"{'raw SpiffWorkflow':<20}{raw['instances']:>10}{raw['completions']:>7}{raw['seconds']:>9.2f}"
          f"{raw['per_second']:>9.1f}{'1.00':>8}{str(raw['state_bytes']):>30}")
    for backend, figures in result["engine"].items():
        print(f"{'engine ' + backend:<20}{figures['instances']:>10}{figures['completions']:>7}"
              f"{figures['seconds']:>9.2f}{figures['per_second']:>9.1f}{figures['ratio_to_raw']:>8.2f}"
              f"{str(figures['state_bytes']):>30}")
    for backend, loop in result["loop"].items():
        points = ", ".join(f"#{n}: {1000 * s:.2f} ms (state {loop['state_bytes'].get(n, '?')} B)"
                           for n, s in loop["median_seconds"].items())
        ratio = f"{loop['ratio']:.2f}x" if loop["ratio"] else "n/a"
        print(f"\nloop on {backend} ({loop['instances']} instances per point, median of "
              f"{loop['samples_per_point']} completions around each point):\n  {points}; ratio {ratio}")
    print("\ntargets:")
    for name, met in result["targets"].items():
        print(f"  {'met   ' if met else 'MISSED'} {name}")
    machine = result["machine"]
    print(f"\n{machine['cpus']} CPUs, Python {machine['python']}, load average (1 min) before/after: "
          f"{machine['load_average_1min'][0]:.2f} / {machine['load_average_1min'][1]:.2f}")


def main(argv=None):
    import os

    args = parse_args(argv)
    use_project_packages()
    load_before = os.getloadavg()[0]
    raw = run_raw(args.instances)
    engines, loops = {}, {}
    with tempfile.TemporaryDirectory(prefix="tasklane-bench-") as folder:
        for backend in args.backends:
            app = make_app(backend, folder, args.schema)
            engines[backend] = run_engine(app, args.instances)
            loops[backend] = run_loop(app, args.loop_passes, args.loop_instances)
            with app.app_context():
                from engine.db import db

                db.engine.dispose()
    result = summarize(raw, engines, loops, machine_facts(load_before))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
