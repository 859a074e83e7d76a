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
                                     [--backend postgresql|sqlite] [--json]
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

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "bench_timers"
REDIS_URL = "redis://127.0.0.1:6379/0"
TIMER_KEY = "bench_timer"
WARMUP_INSTANCES = 100
START_SAFETY = 1.3  # the start phase may run this much slower than the warm-up did
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


def reachable_redis():
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="timers (one instance each)")
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which the timers come due")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default=None,
                        help="database (default: PostgreSQL if it answers on 127.0.0.1, else SQLite)")
    parser.add_argument("--redis", choices=["server", "embedded"], default=None,
                        help=f"Redis (default: the server at {REDIS_URL} if it answers, else embedded)")
    parser.add_argument("--lead", type=float, default=15.0,
                        help="seconds between the expected end of the start phase and the first due time")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="give up this many seconds after the last due time")
    parser.add_argument("--seed", type=int, default=1, help="seed of the due-time spread")
    parser.add_argument("--keep", action="store_true", help="keep the folder with the worker logs")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    args.backend = args.backend or ("postgresql" if reachable_postgresql() else "sqlite")
    args.redis = args.redis or ("server" if reachable_redis() else "embedded")
    return args


def reset_pg_schema():
    """Drop and create the benchmark's own schema; return the URL that selects it."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {PG_SCHEMA}")
    return f"{PG_URL}?options=-csearch_path%3D{PG_SCHEMA}"


def settings_for(args, folder):
    """The settings this process and the worker processes share (as environment variables)."""
    return {
        "TASKLANE_ENV": "testing",
        "TASKLANE_INSTANCE_DIR": str(Path(folder) / "instance"),
        "TASKLANE_DATABASE_URL": reset_pg_schema() if args.backend == "postgresql" else "",
        "TASKLANE_REDIS_URL": REDIS_URL if args.redis == "server" else "",
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


def start_all(count, first_due, spread, seed):
    """Start ``count`` instances whose timers come due at ``first_due`` + uniform(0, spread).

    Each ``wait`` is computed when its instance starts, so that the due time is the
    planned one whatever the start phase costs. A due time already passed (the start
    phase overran its estimate) is clamped to one second from now.

    :returns: the ids of the instances, first and last
    """
    import engine
    from engine.types import utcnow

    rng = random.Random(seed)
    offsets = [rng.uniform(0, spread) for _ in range(count)]
    first = last = None
    for offset in offsets:
        seconds = max(1.0, (first_due + timedelta(seconds=offset) - utcnow()).total_seconds())
        last = engine.start(TIMER_KEY, actor="bench", data={"wait": f"PT{seconds:.3f}S"}).id
        first = first or last
    return first, last


# --- workers -------------------------------------------------------------------------------------


def launch_workers(settings, count, folder):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({k: str(v) for k, v in settings.items()})
    workers = []
    for number in range(count):
        log = open(Path(folder) / f"worker-{number}.log", "wb")  # closed in stop_workers
        process = subprocess.Popen([PYTHON, "-m", "tasklane.cli", "worker"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        workers.append((process, log))
    return workers


def wait_for_workers(app, workers):
    """Block until every worker listens on the timer queue; raise if one dies or none comes."""
    from rq import Worker

    from workers.queues import connection, queue

    deadline = time.monotonic() + WORKER_READY_SECONDS
    while time.monotonic() < deadline:
        dead = [p.args for p, _ in workers if p.poll() is not None]
        if dead:
            raise RuntimeError(f"a worker exited at start: {dead}")
        if Worker.count(connection=connection(app), queue=queue("timers", app)) >= len(workers):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the workers did not register within {WORKER_READY_SECONDS} s")


def stop_workers(workers):
    """SIGTERM each worker's process group (rq's scheduler too); SIGKILL what outlives 30 s."""
    for process, _ in workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process, log in workers:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


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
    """Seconds each fired timer fired after it was due, sorted."""
    from engine.db import db
    from engine.models import Timer

    rows = (db.session.query(Timer.due_at, Timer.fired_at)
            .filter(Timer.instance_id.between(first, last), Timer.state == "fired").all())
    return sorted((fired - due).total_seconds() for due, fired in rows)


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


def worker_log_facts(folder, count):
    text = "".join((Path(folder) / f"worker-{n}.log").read_text(errors="replace") for n in range(count))
    return {"sweep_rearmed_lines": text.count("sweep re-armed"), "tracebacks": text.count("Traceback"),
            "failed_jobs_logged": text.count("Traceback (most recent call last)")}


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


def plan_and_start(app, args):
    """Warm up, plan the due window, start every instance. :returns: timing facts and the id range"""
    from engine.types import utcnow

    with app.app_context():
        per_start = warm_up(WARMUP_INSTANCES)
        expected = per_start * args.count
        began = utcnow()
        first_due = began + timedelta(seconds=expected * START_SAFETY + args.lead)
        clock = time.perf_counter()
        first, last = start_all(args.count, first_due, args.spread, args.seed)
        seconds = time.perf_counter() - clock
    return {"warmup_seconds_per_start": per_start, "start_phase_expected_seconds": expected,
            "start_phase_seconds": seconds, "starts_per_second": args.count / seconds,
            "first_due": first_due, "first_id": first, "last_id": last}


def run_workers_until_fired(app, settings, args, folder, plan):
    """Launch the workers, wait until every timer fired (or the time-out), stop them."""
    from engine.types import utcnow

    workers = launch_workers(settings, args.workers, folder)
    try:
        with app.app_context():
            wait_for_workers(app, workers)
            plan["workers_ready_before_first_due_seconds"] = (plan["first_due"] - utcnow()).total_seconds()
            last_due_in = (plan["first_due"] - utcnow()).total_seconds() + args.spread
            give_up_at = time.monotonic() + max(0.0, last_due_in) + args.timeout
            plan["progress"] = wait_until_fired(args.count, plan["first_id"], plan["last_id"], give_up_at)
    finally:
        stop_workers(workers)


def collect(app, args, folder, plan):
    with app.app_context():
        late = lateness(plan["first_id"], plan["last_id"])
        checks = exactly_once(plan["first_id"], plan["last_id"], args.count)
        failed = failed_jobs(app)
        clean_redis(app)
    progress = plan.pop("progress")
    plan["first_due"] = plan["first_due"].isoformat()
    return {
        "settings": {"count": args.count, "spread": args.spread, "workers": args.workers,
                     "backend": args.backend, "redis": args.redis, "command": " ".join(sys.argv),
                     "cpus": os.cpu_count(), "load_average_1min": os.getloadavg()[0]},
        "start_phase": plan,
        "lateness_seconds": lateness_figures(late),
        "fired": len(late),
        "exactly_once": checks,
        "failed_jobs": failed,
        "worker_logs": worker_log_facts(folder, args.workers),
        "max_overdue_backlog": max(s["overdue"] for s in progress),
        "progress": progress,
    }


def print_report(result):
    s, plan, late = result["settings"], result["start_phase"], result["lateness_seconds"]
    print(f"{s['count']} timers over {s['spread']:g} s, {s['workers']} worker(s), {s['backend']} + "
          f"{s['redis']} Redis, {s['cpus']} CPUs")
    print(f"start phase: {plan['start_phase_seconds']:.1f} s ({plan['starts_per_second']:.0f} starts/s; "
          f"expected {plan['start_phase_expected_seconds']:.1f} s); workers ready "
          f"{plan['workers_ready_before_first_due_seconds']:.1f} s before the first due time")
    shown = {k: "n/a" if late[k] is None else f"{late[k]:.3f} s" for k in ("p50", "p99", "max", "mean")}
    print(f"fired: {result['fired']} / {s['count']}; lateness p50 {shown['p50']}, p99 {shown['p99']}, "
          f"max {shown['max']}, mean {shown['mean']}")
    print("lateness histogram: " + ", ".join(f"{k}: {v}" for k, v in late["histogram"].items()))
    print(f"largest backlog of due but unfired timers: {result['max_overdue_backlog']}")
    print("exactly once: " + ", ".join(f"{k}={v}" for k, v in result["exactly_once"].items()))
    print(f"failed rq jobs: {result['failed_jobs']}; worker logs: " +
          ", ".join(f"{k}={v}" for k, v in result["worker_logs"].items()))
    violations = {k: v for k, v in result["exactly_once"].items() if k != "instances" and v}
    met_p99 = late["p99"] is not None and late["p99"] < TARGET_P99_SECONDS
    print(f"\ntargets:\n  {'met   ' if met_p99 else 'MISSED'} p99 lateness < {TARGET_P99_SECONDS:g} s")
    every = result["fired"] == s["count"] and not violations
    print(f"  {'met   ' if every else 'MISSED'} every timer fired exactly once")


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    folder = tempfile.mkdtemp(prefix="tasklane-bench-timers-")
    settings = settings_for(args, folder)
    app = make_app(settings)
    try:
        plan = plan_and_start(app, args)
        run_workers_until_fired(app, settings, args, folder, plan)
        result = collect(app, args, folder, plan)
    finally:
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
