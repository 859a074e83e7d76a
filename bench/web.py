"""Web benchmark: the inbox on a large data set, and task completions over HTTP.

On PostgreSQL, in a schema of its own, in one run:

1. loads a backlog of synthetic human tasks with COPY (``--small-open`` open tasks
   and the same share of ``--completed``), over 50 users in 5 teams (roles) and
   2 managers; times ``engine.inbox.page`` + ``engine.inbox.counts`` (exactly what
   ``GET /inbox`` runs) for a user's ``mine`` tab, a team's ``queue`` tab and a
   manager's ``all`` tab, and ``GET /inbox`` end to end through the Flask test client;
2. grows the backlog to ``--open`` / ``--completed`` tasks and measures again;
3. completes user tasks of real instances (``bench/web_process.bpmn``) through
   ``POST /tasks/<id>`` on gunicorn with 2 workers, from ``--clients`` threads each
   signed in as its own user, against the raw SpiffWorkflow rate of
   ``bench/engine.py`` measured in the same run.

    .venv/bin/python bench/web.py [--open 100000] [--completed 1000000] [--quick] [--json]

See docs/performance.md.
"""
import importlib.util
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from benchlib import reset_pg_schema
from web_backlog import Backlog, load
from web_common import (
    BACKLOG_KEY,
    BENCH_DIR,
    MANAGERS,
    PAGE_USER,
    PAGES,
    PASSWORD,
    TARGET_GROWTH,
    TARGET_HTTP_RATIO,
    TARGET_P95_MS,
    TEAMS,
    WARMUP_QUERIES,
    config,
    csrf_token,
    make_app,
    parse_args,
    percentiles,
    team_users,
)
from web_http import forget_redis_keys, run_http


def bench_engine():
    """``bench/engine.py`` as a module (its name would shadow the ``engine`` package).

    Its ``use_project_packages`` then takes ``bench/`` off ``sys.path``, where this
    file would shadow the ``web`` package as that one shadows ``engine``.
    """
    spec = importlib.util.spec_from_file_location("bench_engine", BENCH_DIR / "engine.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the inbox ------------------------------------------------------------------------------------


def inbox_cases(rng):
    """``{case: draw}``: each draw returns the (viewer, filters) of one query, varied."""
    from engine.inbox import Filters, Viewer

    def mine():
        name = rng.choice(team_users(rng.choice(TEAMS)))[0]
        team = name.rstrip("0123456789")
        return Viewer(name, frozenset({team})), Filters(tab="mine", page=rng.choice(PAGES))

    def queue():
        team = rng.choice(TEAMS)
        name = rng.choice(team_users(team))[0]
        return Viewer(name, frozenset({team})), Filters(tab="queue", page=rng.choice(PAGES))

    def everything():
        viewer = Viewer(rng.choice(MANAGERS), frozenset({"manager", "sales"}), sees_all=True)
        return viewer, Filters(tab="all", page=rng.choice(PAGES))

    return {"mine (one user)": mine, "queue (a team)": queue, "all (a manager)": everything}


def time_inbox(app, repeat, rng):
    """Milliseconds of ``inbox.page`` + ``inbox.counts`` per case, the cases interleaved."""
    from engine import inbox
    from engine.db import db
    from engine.types import utcnow

    cases = inbox_cases(rng)
    samples = {case: {"total": [], "page": [], "counts": [], "rows": []} for case in cases}
    with app.app_context():
        for turn in range(WARMUP_QUERIES + repeat):
            for case, draw in cases.items():
                viewer, filters = draw()
                now = utcnow()
                began = time.perf_counter()
                rows, total = inbox.page(viewer, filters, now)
                paged = time.perf_counter()
                inbox.counts(viewer, now, filters)
                ended = time.perf_counter()
                db.session.rollback()
                if turn >= WARMUP_QUERIES:
                    figures = samples[case]
                    figures["total"].append(1000 * (ended - began))
                    figures["page"].append(1000 * (paged - began))
                    figures["counts"].append(1000 * (ended - paged))
                    figures["rows"].append(total)
    return {case: {**percentiles(f["total"]), "page_p50": statistics.median(f["page"]),
                   "counts_p50": statistics.median(f["counts"]), "rows_in_tab": statistics.mean(f["rows"])}
            for case, f in samples.items()}


def time_inbox_page(app, repeat, rng):
    """Milliseconds of ``GET /inbox`` (the user's ``mine`` tab) through the Flask test client."""
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": PAGE_USER, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    samples = []
    for turn in range(WARMUP_QUERIES + repeat):
        began = time.perf_counter()
        response = client.get(f"/inbox?page={rng.choice(PAGES)}")
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, response.status_code
        if turn >= WARMUP_QUERIES:
            samples.append(1000 * elapsed)
    return {**percentiles(samples), "user": PAGE_USER}


def explain_inbox(app, rng):
    """EXPLAIN (ANALYZE, BUFFERS) of every statement one page + counts call runs, per case."""
    from sqlalchemy import event

    from engine import inbox
    from engine.db import db
    from engine.types import utcnow

    plans = {}
    with app.app_context():
        for case, draw in inbox_cases(rng).items():
            viewer, filters = draw()
            seen = []

            def record(conn, cursor, statement, parameters, context, executemany, seen=seen):
                seen.append((statement, parameters))

            event.listen(db.engine, "before_cursor_execute", record)
            try:
                now = utcnow()
                inbox.page(viewer, filters, now)
                inbox.counts(viewer, now, filters)
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
            connection = db.session.connection()
            plans[case] = [{"statement": statement, "parameters": {k: str(v) for k, v in params.items()},
                            "plan": [r[0] for r in connection.exec_driver_sql(
                                "EXPLAIN (ANALYZE, BUFFERS) " + statement, params)]}
                           for statement, params in seen]
            db.session.rollback()
    return plans


# --- output ----------------------------------------------------------------------------------------


def summarize(result):
    """The targets of the issue, met or not, from the figures."""
    targets = {}
    small, full = result["inbox"]["small"], result["inbox"]["full"]
    for case, figures in full.items():
        targets[f"inbox {case}: p95 < {TARGET_P95_MS:.0f} ms"] = figures["p95"] < TARGET_P95_MS
        growth = figures["p95"] / small[case]["p95"]
        figures["p95_growth"] = growth
        targets[f"inbox {case}: p95 <= {TARGET_GROWTH} x the small set"] = growth <= TARGET_GROWTH
    ratio = result["http"]["http"]["per_second"] / result["raw"]["per_second"]
    result["http"]["ratio_to_raw"] = ratio
    targets[f"HTTP completions >= {TARGET_HTTP_RATIO} x raw SpiffWorkflow"] = ratio >= TARGET_HTTP_RATIO
    result["targets"] = targets
    return result


def print_table(result):
    print(f"{'data set':<10}{'open':>10}{'completed':>12}{'COPY s':>9}{'index s':>9}{'vacuum s':>10}"
          f"{'human_task MB':>15}")
    for size, load_figures in result["load"].items():
        print(f"{size:<10}{load_figures['open']:>10,}{load_figures['completed']:>12,}"
              f"{load_figures['copy_seconds']:>9.1f}{load_figures['index_seconds']:>9.1f}"
              f"{load_figures['vacuum_analyze_seconds']:>10.1f}{load_figures['table_bytes'] / 2**20:>15.0f}")
    sizes = result["inbox"]
    print(f"\n{'inbox page + counts (ms)':<27}{'size':<7}{'p50':>7}{'p95':>7}{'p99':>7}"
          f"{'page p50':>10}{'counts p50':>12}{'rows in tab':>13}")
    for case in sizes["full"]:
        for size in ("small", "full"):
            f = sizes[size][case]
            print(f"{case:<27}{size:<7}{f['p50']:>7.2f}{f['p95']:>7.2f}{f['p99']:>7.2f}"
                  f"{f['page_p50']:>10.2f}{f['counts_p50']:>12.2f}{f['rows_in_tab']:>13,.0f}")
    for size in ("small", "full"):
        f = result["inbox_page"][size]
        print(f"{'GET /inbox (' + f['user'] + ')':<27}{size:<7}"
              f"{f['p50']:>7.2f}{f['p95']:>7.2f}{f['p99']:>7.2f}")
    print_http(result)
    print("\ntargets:")
    for name, met in result["targets"].items():
        print(f"  {'met   ' if met else 'MISSED'} {name}")
    machine = result["machine"]
    print("\nload average (1 min) at the start of each phase: "
          + ", ".join(f"{phase} {value:.2f}" for phase, value in result["load_average"].items()))
    print(f"{machine['cpus']} CPUs ({machine['cpu_model']}), Python {machine['python']}, "
          f"PostgreSQL {machine['postgresql']}, "
          f"load average (1 min) before/after: {machine['load_average_1min'][0]:.2f} / "
          f"{machine['load_average_1min'][1]:.2f}; {result['seconds']:.0f} s in all")


def print_http(result):
    raw, http = result["raw"], result["http"]
    print(f"\n{'completions':<44}{'tasks':>7}{'seconds':>9}{'tasks/s':>9}{'vs raw':>8}"
          f"{'latency p50/p95 ms':>20}")
    print(f"{'raw SpiffWorkflow (bench/engine.py)':<44}{raw['completions']:>7}{raw['seconds']:>9.2f}"
          f"{raw['per_second']:>9.1f}{1:>8.2f}")
    over_http = f"HTTP POST /tasks/<id> ({http['workers']} workers, {http['clients']} clients)"
    lines = [("engine.complete_task in-process, 1 thread", http["engine"], None),
             (over_http, http["http"], 1),
             ("HTTP POST, then GET /inbox it redirects to", http.get("http_follow"), 1)]
    for name, figures, has_latency in lines:
        if figures is None:
            continue
        latency = (f"{figures['latency_ms']['p50']:.1f} / {figures['latency_ms']['p95']:.1f}"
                   if has_latency else "")
        print(f"{name:<44}{figures['completions']:>7}{figures['seconds']:>9.2f}{figures['per_second']:>9.1f}"
              f"{figures['per_second'] / raw['per_second']:>8.2f}{latency:>20}")
    print(f"failures: {http['http']['failures']} + {http.get('http_follow', {}).get('failures', 0)}; "
          f"completed rows verified: {http['verified_completed']}; "
          f"tracebacks in the gunicorn log: {http['gunicorn_log_errors']}")


def print_plans(plans):
    for case, statements in plans.items():
        print(f"\n=== {case}")
        for item in statements:
            print(f"\n{item['statement']}\n{item['parameters']}")
            print("\n".join(item["plan"]))


def measure_size(app, args, rng, result, size):
    result["load_average"][size] = os.getloadavg()[0]
    result["inbox"][size] = time_inbox(app, args.repeat, rng)
    result["inbox_page"][size] = time_inbox_page(app, args.repeat, rng)


def backlog_version(app):
    from engine.db import db
    from engine.models import ProcessDefinition, ProcessVersion

    with app.app_context():
        version_id = db.session.query(ProcessVersion.id).join(ProcessDefinition).filter(
            ProcessDefinition.key == BACKLOG_KEY).scalar()
        db.session.rollback()
    return version_id


def machine_facts(bench, began, url):
    import psycopg

    facts = bench.machine_facts(began)
    models = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
              if line.startswith("model name")] if Path("/proc/cpuinfo").exists() else []
    facts["cpu_model"] = models[0] if models else "unknown"
    with psycopg.connect(url) as conn:
        facts["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    return facts


def main(argv=None):
    args = parse_args(argv)
    bench, rng = bench_engine(), random.Random(args.seed)
    bench.use_project_packages()
    from engine.types import utcnow

    started, load_before = time.perf_counter(), os.getloadavg()[0]
    result = {"load": {}, "inbox": {}, "inbox_page": {}, "load_average": {}}
    small_completed = args.completed * args.small_open // args.open
    prefix = f"bench-web-{uuid.uuid4().hex[:8]}"
    url = reset_pg_schema(args.schema)
    with tempfile.TemporaryDirectory(prefix="tasklane-bench-web-") as folder:
        settings = config(url, folder, prefix)
        app = make_app(settings)
        try:
            backlog = Backlog(args.seed, utcnow(), backlog_version(app))
            result["load"]["small"] = load(app, url, backlog, args.small_open, small_completed)
            measure_size(app, args, rng, result, "small")
            result["load"]["full"] = load(app, url, backlog, args.open - args.small_open,
                                          args.completed - small_completed)
            result["load"]["full"].update(open=args.open, completed=args.completed)
            measure_size(app, args, rng, result, "full")
            plans = explain_inbox(app, rng) if args.explain else None
            result["load_average"]["raw and HTTP"] = os.getloadavg()[0]
            result["raw"] = bench.run_raw(args.raw_instances)  # next to the HTTP run: the same load
            result["http"] = run_http(app, settings, args, folder, rng)
        finally:
            forget_redis_keys(prefix)
    result["machine"] = machine_facts(bench, load_before, url)
    result["seconds"] = time.perf_counter() - started
    summarize(result)
    if args.json:
        print(json.dumps({**result, "explain": plans}, indent=2, default=str))
        return
    print_table(result)
    if plans:
        print_plans(plans)


if __name__ == "__main__":
    main()
