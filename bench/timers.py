"""Timer benchmark: 10,000 timers due within one minute, fired by real worker processes.

1. Deploys a small diagram (start -> timer catch event waiting ``wait`` -> end).
2. Starts ``--count`` instances, each ``wait`` chosen so that its due time falls
   uniformly in a ``--spread``-second window that opens ``--lead`` seconds after the
   start phase is expected to end (the start rate is measured on a warm-up first).
3. Launches ``--workers`` ``tasklane worker`` processes (rq with its scheduler, plus
   the database sweep) before the first timer is due.
4. Waits until every timer has fired (or ``--timeout`` seconds after the last due
   time), stops the workers, and checks exactly-once: every instance completed,
   every timer row ``fired``, exactly one ``timer_fired`` audit event per instance.
5. Prints lateness (``fired_at - due_at`` of the timer rows) p50 / p99 / max.

    .venv/bin/python bench/timers.py [--count 10000] [--spread 60] [--workers 2]
                                     [--backend postgresql|sqlite] [--redis URL|embedded] [--json]

See docs/performance.md.
"""
import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from benchlib import PG_URL, REDIS_URL, reachable_redis, reset_pg_schema, schema_name

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_SCHEMA = "bench_timers"
TIMER_KEY = "bench_timer"
WARMUP_INSTANCES = 200
START_SAFETY = 1.25  # the start phase may run this much slower than the warm-up did
LAUNCH_MARGIN_SECONDS = 20  # launch the workers at the latest this long before the first due time
WORKER_READY_SECONDS = 60
POLL_SECONDS = 1.0
TARGET_P99_SECONDS = 1.0
TIMER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="Definitions_bench_timer" targetNamespace="http://tasklane.test/bench">
  <bpmn:process id="bench_timer" name="Benchmark: wait, then end" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait" name="Wait">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="wait_timer">
        <bpmn:timeDuration>wait</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def reachable_postgresql():
    import psycopg

    try:
        psycopg.connect(PG_URL, connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="timers (one instance each)")
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which the timers come due")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default=None,
                        help="database (default: PostgreSQL if it answers on 127.0.0.1, else SQLite)")
    parser.add_argument("--redis", default=None, metavar="URL|embedded",
                        help=f"Redis URL, or 'embedded' (default: {REDIS_URL} if it answers, else embedded); "
                             "use a Redis that nothing flushes during the run (the test fixtures do)")
    parser.add_argument("--lead", type=float, default=20.0,
                        help="seconds between the expected end of the start phase and the first due time")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="give up this many seconds after the last due time")
    parser.add_argument("--seed", type=int, default=1, help="seed of the due-time spread")
    parser.add_argument("--keep", action="store_true", help="keep the folder with the worker logs")
    parser.add_argument("--schema", default=PG_SCHEMA, type=schema_name,
                        help="PostgreSQL schema, dropped and created again at the start of the run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    args.backend = args.backend or ("postgresql" if reachable_postgresql() else "sqlite")
    args.redis = args.redis or (REDIS_URL if reachable_redis(REDIS_URL) else "embedded")
    if args.redis != "embedded" and not reachable_redis(args.redis):
        parser.error(f"no Redis answers at {args.redis}")
    return args


def settings_for(args, folder):
    """The settings this process and the worker processes share (as environment variables)."""
    return {
        "TASKLANE_ENV": "testing",
        "TASKLANE_INSTANCE_DIR": str(Path(folder) / "instance"),
        "TASKLANE_DATABASE_URL": reset_pg_schema(args.schema) if args.backend == "postgresql" else "",
        "TASKLANE_REDIS_URL": "" if args.redis == "embedded" else args.redis,
        "TASKLANE_QUEUE_PREFIX": f"bench-timers-{uuid.uuid4().hex[:8]}",
        "TASKLANE_SECRET_KEY": "bench",
    }


def make_app(settings):
    """The app on a fresh database with the roles and the timer diagram deployed."""
    import logging

    import engine
    from accounts.service import ensure_roles, role_names
    from engine.db import db
    from tasklane.app import create_app

    app = create_app(settings)
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        db.create_all()
        ensure_roles()
        db.session.commit()
        engine.deploy(TIMER_XML, actor="bench", name="bench_timer.bpmn", roles=role_names())
    return app


# --- start phase ---------------------------------------------------------------------------------


def warm_up(count):
    """Start and cancel ``count`` instances; return the seconds one start takes (second half)."""
    import engine

    ids, began, half = [], None, count // 2
    for number in range(count):
        if number == half:
            began = time.perf_counter()
        ids.append(engine.start(TIMER_KEY, actor="bench", data={"wait": "PT1H"}).id)
    seconds = (time.perf_counter() - began) / (count - half)
    for instance_id in ids:
        engine.cancel(instance_id, actor="bench", reason="benchmark warm-up")
    return seconds


def start_all(count, first_due, spread, seed, before_each):
    """Start ``count`` instances whose timers come due at ``first_due`` + uniform(0, spread).

    Each ``wait`` is computed when its instance starts, so that the due time is the
    planned one whatever the start phase costs. A due time already passed (the start
    phase overran its estimate) is moved to one second from now, and counted.

    :param before_each: called before each start (launches the workers if time runs short)
    :returns: ``(first id, last id, number of due times moved)``
    """
    import engine
    from engine.types import utcnow

    rng = random.Random(seed)
    offsets = [rng.uniform(0, spread) for _ in range(count)]
    first = last = None
    moved = 0
    for offset in offsets:
        before_each()
        seconds = (first_due + timedelta(seconds=offset) - utcnow()).total_seconds()
        if seconds < 1.0:
            seconds, moved = 1.0, moved + 1
        last = engine.start(TIMER_KEY, actor="bench", data={"wait": f"PT{seconds:.3f}S"}).id
        first = first or last
    return first, last, moved


# --- workers -------------------------------------------------------------------------------------


class WorkerPool:
    """``tasklane worker`` processes, each in its own process group (with rq's scheduler)."""

    def __init__(self, settings, count, folder):
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        self.env.update({k: str(v) for k, v in settings.items()})
        self.count = count
        self.folder = Path(folder)
        self.running = []
        self.launched_at = None

    def launch(self):
        for number in range(self.count):
            log = open(self.folder / f"worker-{number}.log", "wb")  # closed in stop()
            process = subprocess.Popen([PYTHON, "-m", "tasklane.cli", "worker"], cwd=ROOT, env=self.env,
                                       stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            self.running.append((process, log))
        self.launched_at = time.monotonic()

    def wait_until_listening(self, app):
        """Block until every worker listens on the timer queue; raise if one dies or none comes."""
        from rq import Worker

        from workers.queues import connection, queue

        deadline = time.monotonic() + WORKER_READY_SECONDS
        while time.monotonic() < deadline:
            dead = [p.args for p, _ in self.running if p.poll() is not None]
            if dead:
                raise RuntimeError(f"a worker exited at start: {dead}")
            if Worker.count(connection=connection(app), queue=queue("timers", app)) >= self.count:
                return
            time.sleep(0.2)
        raise RuntimeError(f"the workers did not register within {WORKER_READY_SECONDS} s")

    def stop(self):
        """SIGTERM each worker's process group; SIGKILL a group that outlives 30 s."""
        for process, _ in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, log in self.running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()
        self.running = []

    def log_facts(self):
        text = "".join(path.read_text(errors="replace") for path in sorted(self.folder.glob("worker-*.log")))
        return {"jobs_completed": text.count("Successfully completed"),
                "sweep_rearm_passes": text.count("sweep re-armed"),
                "sweep_rearm_all_passes": text.count("'rearmed_all': True"),
                "tracebacks": text.count("Traceback (most recent call last)")}


# --- waiting and checking ------------------------------------------------------------------------


def timer_counts(first, last):
    """``(fired, pending and due)`` among the timers of instances ``first``..``last``."""
    from sqlalchemy import func

    from engine.db import db
    from engine.models import Timer
    from engine.types import utcnow

    mine = db.session.query(Timer).filter(Timer.instance_id.between(first, last))
    fired = mine.filter(Timer.state == "fired").with_entities(func.count()).scalar()
    overdue = (mine.filter(Timer.state == "pending", Timer.due_at <= utcnow())
               .with_entities(func.count()).scalar())
    db.session.rollback()
    return fired, overdue


def wait_until_fired(count, first, last, give_up_at):
    """Poll until ``count`` timers fired or ``give_up_at`` (monotonic); return the backlog samples."""
    samples, began = [], time.monotonic()
    while True:
        fired, overdue = timer_counts(first, last)
        samples.append({"t": round(time.monotonic() - began, 1), "fired": fired, "overdue": overdue})
        if len(samples) % 10 == 1:
            print(f"  +{samples[-1]['t']:5.0f} s: {fired} fired, {overdue} due and waiting", file=sys.stderr)
        if fired >= count or time.monotonic() > give_up_at:
            return samples
        time.sleep(POLL_SECONDS)


def exactly_once(first, last, count):
    """Exactly-once checks over instances ``first``..``last``; each value is a count of violations."""
    from sqlalchemy import case, func

    from engine.db import db
    from engine.models import AuditEvent, ProcessInstance, Timer

    instances = db.session.query(ProcessInstance.status, func.count()).filter(
        ProcessInstance.id.between(first, last)).group_by(ProcessInstance.status).all()
    per_instance = (db.session.query(Timer.instance_id, func.count(),
                                     func.sum(case((Timer.state == "fired", 1), else_=0)))
                    .filter(Timer.instance_id.between(first, last)).group_by(Timer.instance_id).all())
    events = dict(db.session.query(AuditEvent.instance_id, func.count())
                  .filter(AuditEvent.instance_id.between(first, last), AuditEvent.kind == "timer_fired")
                  .group_by(AuditEvent.instance_id).all())
    statuses = dict(instances)
    return {
        "instances": sum(statuses.values()),
        "instances_not_completed": sum(n for s, n in statuses.items() if s != "completed"),
        "instances_without_one_timer_row": count - sum(1 for _, rows, _ in per_instance if rows == 1),
        "timer_rows_not_fired": sum(rows - (fired or 0) for _, rows, fired in per_instance),
        "instances_without_one_timer_fired_event": count - sum(1 for n in events.values() if n == 1),
        "extra_timer_fired_events": sum(n - 1 for n in events.values() if n > 1),
    }


def lateness(first, last):
    """Seconds each fired timer fired after it was due (sorted), and the seconds from first to last firing."""
    from engine.db import db
    from engine.models import Timer

    rows = (db.session.query(Timer.due_at, Timer.fired_at)
            .filter(Timer.instance_id.between(first, last), Timer.state == "fired").all())
    span = (max(f for _, f in rows) - min(f for _, f in rows)).total_seconds() if rows else 0.0
    return sorted((fired - due).total_seconds() for due, fired in rows), span


def percentile(values, fraction):
    if not values:
        return None
    return values[min(len(values) - 1, int(round(fraction * (len(values) - 1))))]


def lateness_figures(late):
    buckets = {"<0 (early)": 0, "0-0.5 s": 0, "0.5-1 s": 0, "1-2 s": 0, "2-5 s": 0, ">=5 s": 0}
    for value in late:
        key = ("<0 (early)" if value < 0 else "0-0.5 s" if value < 0.5 else "0.5-1 s" if value < 1
               else "1-2 s" if value < 2 else "2-5 s" if value < 5 else ">=5 s")
        buckets[key] += 1
    return {"p50": percentile(late, 0.5), "p99": percentile(late, 0.99), "max": late[-1] if late else None,
            "mean": statistics.fmean(late) if late else None, "histogram": buckets}


def failed_jobs(app):
    from workers.queues import queue

    return queue("timers", app).failed_job_registry.count


def clean_redis(app):
    """Delete this run's queues, registries and jobs (the prefix is unique to the run)."""
    from rq.job import Job

    from workers.queues import all_queues, connection

    conn = connection(app)
    for q in all_queues(app):
        registries = (q.scheduled_job_registry, q.started_job_registry, q.finished_job_registry,
                      q.failed_job_registry, q.deferred_job_registry, q.canceled_job_registry)
        ids = set(q.get_job_ids())
        for registry in registries:
            ids.update(registry.get_job_ids(cleanup=False))
        with conn.pipeline() as pipe:
            for job_id in ids:
                pipe.delete(Job.key_for(job_id), f"rq:results:{job_id}")
            pipe.delete(*(r.key for r in registries))
            pipe.execute()
        q.delete(delete_jobs=False)
    conn.delete(f"{app.config['TASKLANE_QUEUE_PREFIX']}:epoch")


# --- the run -------------------------------------------------------------------------------------


def plan_and_start(app, args, pool):
    """Warm up, plan the due window, start every instance.

    The workers are launched during the start phase if it runs so late that the
    first timer would otherwise come due before they listen.
    """
    from engine.types import utcnow

    with app.app_context():
        per_start = warm_up(WARMUP_INSTANCES)
        expected = per_start * args.count
        first_due = utcnow() + timedelta(seconds=expected * START_SAFETY + args.lead)

        def launch_if_late():
            if not pool.running and utcnow() > first_due - timedelta(seconds=LAUNCH_MARGIN_SECONDS):
                pool.launch()

        clock = time.perf_counter()
        first, last, moved = start_all(args.count, first_due, args.spread, args.seed, launch_if_late)
        seconds = time.perf_counter() - clock
    return {"warmup_seconds_per_start": per_start, "start_phase_expected_seconds": expected,
            "start_phase_seconds": seconds, "starts_per_second": args.count / seconds,
            "workers_launched_during_start_phase": bool(pool.running), "due_times_moved": moved,
            "first_due": first_due, "first_id": first, "last_id": last}


def wait_for_timers(app, args, pool, plan):
    """Launch the workers (unless running), wait until every timer fired or the time-out."""
    from engine.types import utcnow

    if not pool.running:
        pool.launch()
    with app.app_context():
        pool.wait_until_listening(app)
        plan["workers_ready_before_first_due_seconds"] = (plan["first_due"] - utcnow()).total_seconds()
        last_due_in = (plan["first_due"] - utcnow()).total_seconds() + args.spread
        give_up_at = time.monotonic() + max(0.0, last_due_in) + args.timeout
        plan["progress"] = wait_until_fired(args.count, plan["first_id"], plan["last_id"], give_up_at)


def collect(app, args, pool, plan):
    with app.app_context():
        late, span = lateness(plan["first_id"], plan["last_id"])
        checks = exactly_once(plan["first_id"], plan["last_id"], args.count)
        failed = failed_jobs(app)
        clean_redis(app)
    progress = plan.pop("progress")
    plan["first_due"] = plan["first_due"].isoformat()
    result = {
        "settings": {"count": args.count, "spread": args.spread, "workers": args.workers,
                     "backend": args.backend, "redis": args.redis, "command": " ".join(sys.argv),
                     "cpus": os.cpu_count(), "load_average_1min": os.getloadavg()[0]},
        "start_phase": plan,
        "lateness_seconds": lateness_figures(late),
        "fired": len(late),
        "fired_per_second": len(late) / span if span else None,
        "exactly_once": checks,
        "failed_jobs": failed,
        "worker_logs": pool.log_facts(),
        "max_overdue_backlog": max(s["overdue"] for s in progress),
        "progress": progress,
    }
    result["targets"] = targets(result)
    return result


def print_report(result):
    s, plan, late = result["settings"], result["start_phase"], result["lateness_seconds"]
    print(f"{s['count']} timers due over {s['spread']:g} s, {s['workers']} worker(s), {s['backend']}, Redis "
          f"{s['redis']}, {s['cpus']} CPUs, load average {s['load_average_1min']:.1f} at the end")
    print(f"start phase: {plan['start_phase_seconds']:.1f} s ({plan['starts_per_second']:.0f} starts/s; "
          f"expected {plan['start_phase_expected_seconds']:.1f} s); workers launched "
          f"{'during' if plan['workers_launched_during_start_phase'] else 'after'} it, listening "
          f"{plan['workers_ready_before_first_due_seconds']:.1f} s before the first due time; "
          f"due times moved because the start phase overran: {plan['due_times_moved']}")
    shown = {k: "n/a" if late[k] is None else f"{late[k]:.3f} s" for k in ("p50", "p99", "max", "mean")}
    rate = f"{result['fired_per_second']:.1f}" if result["fired_per_second"] else "n/a"
    print(f"fired: {result['fired']} / {s['count']} ({rate} per second from first to last, "
          f"{s['count'] / s['spread']:.1f} per second offered); lateness "
          f"p50 {shown['p50']}, p99 {shown['p99']}, max {shown['max']}, mean {shown['mean']}")
    print("lateness histogram: " + ", ".join(f"{k}: {v}" for k, v in late["histogram"].items()))
    print(f"largest backlog of due but unfired timers: {result['max_overdue_backlog']}")
    print("exactly once: " + ", ".join(f"{k}={v}" for k, v in result["exactly_once"].items()))
    print(f"failed rq jobs: {result['failed_jobs']}; worker logs: " +
          ", ".join(f"{k}={v}" for k, v in result["worker_logs"].items()))
    if plan["workers_ready_before_first_due_seconds"] < 0:
        print("WARNING: timers came due before the workers listened; lateness includes that wait")
    print("\ntargets:")
    for name, met in result["targets"].items():
        print(f"  {'met   ' if met else 'MISSED'} {name}")


def targets(result):
    p99, checks = result["lateness_seconds"]["p99"], result["exactly_once"]
    count = result["settings"]["count"]
    violations = any(v for k, v in checks.items() if k != "instances") or checks["instances"] != count
    return {
        f"p99 lateness < {TARGET_P99_SECONDS:g} s": p99 is not None and p99 < TARGET_P99_SECONDS,
        "every timer fired exactly once": result["fired"] == count and not violations,
    }


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    folder = tempfile.mkdtemp(prefix="tasklane-bench-timers-")
    settings = settings_for(args, folder)
    app = make_app(settings)
    pool = WorkerPool(settings, args.workers, folder)
    try:
        plan = plan_and_start(app, args, pool)
        wait_for_timers(app, args, pool, plan)
        pool.stop()
        result = collect(app, args, pool, plan)
    finally:
        pool.stop()
        if args.redis == "embedded":
            from workers import embedded

            embedded.stop(settings["TASKLANE_INSTANCE_DIR"])
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result)
    if args.keep:
        print(f"\nworker logs and instance folder kept in {folder}", file=sys.stderr)
    else:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
