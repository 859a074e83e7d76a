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
import argparse
import http.client
import importlib.util
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from benchlib import reset_pg_schema, schema_name

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PG_SCHEMA = "bench_web"
REDIS_URL = "redis://127.0.0.1:6379/11"  # test suites flush database 0 while they run
PROCESS_FILE = BENCH_DIR / "web_process.bpmn"
PROCESS_KEY = "bench_web_call"
BACKLOG_FILE = BENCH_DIR / "bench_process.bpmn"  # the synthetic rows belong to its version
BACKLOG_KEY = "bench_process"
TEAMS = ("sales", "underwriting", "collections", "support", "onboarding")
USERS_PER_TEAM = 10
MANAGERS = ("boss1", "boss2")
PAGE_USER = "sales03"  # weight 3 of 1..5: an average inbox
PASSWORD = "bench-password"  # noqa: S105 - the benchmark's own users, in its own schema
PAGES = (1, 1, 1, 1, 1, 1, 2, 2, 3)
WARMUP_QUERIES = 20
TARGET_P95_MS = 25.0
TARGET_GROWTH = 1.5
TARGET_HTTP_RATIO = 0.4
WORK = {  # team: (element id, English title, Vietnamese title)
    "sales": ("call", "Call the lead", "Gọi cho khách hàng"),
    "underwriting": ("check_documents", "Check the documents", "Kiểm tra hồ sơ"),
    "collections": ("remind_payment", "Remind about the payment", "Nhắc thanh toán"),
    "support": ("answer", "Answer the customer", "Trả lời khách hàng"),
    "onboarding": ("verify_identity", "Verify identity", "Xác minh danh tính"),
}
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Minh", "Đức", "Thu", "Ngọc", "Quốc", "Hồng")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Hà", "Hải", "Lan", "Long", "Mai", "Nam", "Phúc", "Quân",
         "Thảo", "Trang", "Tuấn", "Việt")
TASK_COLUMNS = ("id", "instance_id", "definition_key", "element_id", "title", "titles", "lane",
                "candidate_role", "assignee", "claimed_at", "due_at", "priority", "subject",
                "subject_phone", "search_text", "sort_key", "state", "created_at", "completed_at",
                "completed_by")
INSTANCE_COLUMNS = ("id", "version_id", "definition_key", "status", "state", "lock_version",
                    "started_by", "started_at", "updated_at", "ended_at")
TASKS_PER_DONE_INSTANCE = 4


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--open", type=int, default=100_000, help="open human tasks of the full set")
    parser.add_argument("--completed", type=int, default=1_000_000,
                        help="completed human tasks of the full set")
    parser.add_argument("--small-open", type=int, default=10_000,
                        help="open tasks of the small set (completed tasks in the same proportion)")
    parser.add_argument("--repeat", type=int, default=300, help="timed inbox queries per case and size")
    parser.add_argument("--completions", type=int, default=1000, help="tasks completed over HTTP (timed)")
    parser.add_argument("--follow-completions", type=int, default=300,
                        help="tasks completed over HTTP following the redirect to /inbox (0: skip)")
    parser.add_argument("--engine-completions", type=int, default=300,
                        help="tasks completed in-process with engine.complete_task (timed)")
    parser.add_argument("--raw-instances", type=int, default=800,
                        help="raw SpiffWorkflow instances (3 user tasks each)")
    parser.add_argument("--clients", type=int, default=4, help="HTTP client threads, one user each")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--schema", default=PG_SCHEMA, type=schema_name,
                        help="PostgreSQL schema, dropped and created again at the start of the run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true",
                        help="defaults for a check in a few minutes: 20,000 open / 100,000 completed, "
                             "fewer samples (options given explicitly still win)")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN ANALYZE of every inbox statement at the full size")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    if parser.parse_args(argv).quick:
        parser.set_defaults(open=20_000, completed=100_000, repeat=100, completions=300,
                            follow_completions=100, engine_completions=100, raw_instances=300)
    args = parser.parse_args(argv)
    if not 0 < args.small_open <= args.open:
        parser.error("--small-open must be between 1 and --open")
    if not 1 <= args.clients <= USERS_PER_TEAM:
        parser.error(f"--clients must be between 1 and {USERS_PER_TEAM}")
    return args


def bench_engine():
    """``bench/engine.py`` as a module (its name would shadow the ``engine`` package).

    Its ``use_project_packages`` then takes ``bench/`` off ``sys.path``, where this
    file would shadow the ``web`` package as that one shadows ``engine``.
    """
    spec = importlib.util.spec_from_file_location("bench_engine", BENCH_DIR / "engine.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def percentiles(samples):
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "n": len(samples)}


# --- the application and its people ---------------------------------------------------------


def config(database_url, folder, prefix):
    """The ``TASKLANE_*`` settings shared by the in-process app and gunicorn."""
    return {"TASKLANE_ENV": "production", "TASKLANE_INSTANCE_DIR": str(Path(folder) / "instance"),
            "TASKLANE_DATABASE_URL": database_url, "TASKLANE_REDIS_URL": REDIS_URL,
            "TASKLANE_SECRET_KEY": "bench-web", "TASKLANE_QUEUE_PREFIX": prefix}


def team_users(team):
    """``[(username, weight)]``: weights 1..5, so some inboxes are five times fuller than others."""
    return [(f"{team}{n:02d}", 1 + (n - 1) % 5) for n in range(1, USERS_PER_TEAM + 1)]


def make_app(settings):
    """The app on a fresh schema: roles, 50 users in 5 teams, 2 managers, both diagrams deployed."""
    import logging

    from werkzeug.security import generate_password_hash

    import engine
    from accounts.models import Role, User
    from accounts.service import ensure_roles, role_names
    from engine.db import db
    from tasklane.app import create_app

    app = create_app(settings)
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        db.create_all()
        ensure_roles()
        db.session.add_all(Role(name=t, description=t) for t in TEAMS if t not in role_names())
        db.session.flush()
        roles = {r.name: r for r in db.session.query(Role)}
        password_hash = generate_password_hash(PASSWORD)  # once: scrypt is slow on purpose
        people = [(name, [team]) for team in TEAMS for name, _ in team_users(team)]
        people += [(name, ["manager", "sales"]) for name in MANAGERS]
        db.session.add_all(User(username=name, password_hash=password_hash, full_name=name.title(),
                                locale="vi", roles=[roles[r] for r in names]) for name, names in people)
        db.session.commit()
        for path in (BACKLOG_FILE, PROCESS_FILE):
            engine.deploy(path.read_bytes(), actor="bench", name=path.name, roles=role_names())
    return app


# --- the backlog: synthetic rows written with COPY -----------------------------------------------


class Backlog:
    """Open and completed human tasks, and their instances, as the inbox would find them.

    Open tasks: 55 % assigned to a user of their team, 43 % in a team queue, 2 % in
    no team's lane (visible to all staff); created in the last 30 days, 75 % with a
    due time 2 h to 5 days after creation (so many are overdue). Completed tasks:
    over the last year, four per completed instance, half of them claimed first.
    The inbox reads only ``human_task``; the instances exist for the foreign key,
    with a placeholder state the inbox never restores.
    """

    def __init__(self, seed, now, version_id):
        from engine import task_meta

        self.meta = task_meta
        self.rng = random.Random(seed)
        self.now = now.replace(tzinfo=None)  # UTCDateTime keeps naive UTC in PostgreSQL
        self.version_id = version_id
        self.next_instance = 1
        self.titles = {team: json.dumps({"vi": vi, "en": en, "ru": en}, ensure_ascii=False)
                       for team, (_, en, vi) in WORK.items()}
        self.people = {team: team_users(team) for team in TEAMS}
        self.name_text = {}

    def add(self, conn, open_count, completed_count):
        """COPY ``open_count`` open and ``completed_count`` completed tasks with their instances."""
        first_open = self.next_instance
        done_instances = -(-completed_count // TASKS_PER_DONE_INSTANCE)
        first_done = first_open + open_count
        self.next_instance = first_done + done_instances
        with conn.cursor() as cursor:
            with cursor.copy(f"COPY process_instance ({', '.join(INSTANCE_COLUMNS)}) FROM STDIN") as copy:
                for row in self.instance_rows(first_open, open_count, first_done, done_instances):
                    copy.write_row(row)
            with cursor.copy(f"COPY human_task ({', '.join(TASK_COLUMNS)}) FROM STDIN") as copy:
                for n in range(open_count):
                    copy.write_row(self.task(first_open + n, completed=False))
                for n in range(completed_count):
                    copy.write_row(self.task(first_done + n // TASKS_PER_DONE_INSTANCE, completed=True))
        conn.execute("SELECT setval(pg_get_serial_sequence('process_instance', 'id'), %s)",
                     (self.next_instance - 1,))

    def instance_rows(self, first_open, open_count, first_done, done_count):
        for n in range(open_count):
            started = self.now - timedelta(days=30 * self.rng.random())
            yield (first_open + n, self.version_id, BACKLOG_KEY, "running", "{}", 1, "bench",
                   started, started, None)
        for n in range(done_count):
            started = self.now - timedelta(days=1 + 364 * self.rng.random())
            yield (first_done + n, self.version_id, BACKLOG_KEY, "completed", "{}", 1, "bench",
                   started, started, started + timedelta(days=3))

    def person(self, team):
        names, weights = zip(*self.people[team], strict=True)
        return self.rng.choices(names, weights)[0]

    def search_text(self, name, phone):
        """``task_meta.search_text(name, phone)``: the name's part cached (1,536 names), then the phone's."""
        if name not in self.name_text:
            self.name_text[name] = self.meta.search_text(name, None)
        return f"{self.name_text[name]} {self.meta.search_text(None, phone)}"

    def task(self, instance_id, *, completed):
        rng = self.rng
        team = rng.choice(TEAMS)
        element, title, _ = WORK[team]
        role, assignee, completed_by, completed_at = team, None, None, None
        if completed:
            created = self.now - timedelta(days=1 + 364 * rng.random())
            completed_by = self.person(team)
            assignee = completed_by if rng.random() < 0.5 else None
            completed_at = created + timedelta(minutes=5 + 4315 * rng.random())
        else:
            created = self.now - timedelta(days=30 * rng.random())
            roll = rng.random()
            if roll < 0.02:
                role = None
            elif roll < 0.57:
                assignee = self.person(team)
        due = created + timedelta(hours=2 + 118 * rng.random()) if rng.random() < 0.75 else None
        priority = rng.choices((-1, 0, 1, 2), (5, 70, 20, 5))[0]
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        phone = f"+849{rng.randrange(10**8):08d}"
        return (str(uuid.UUID(int=rng.getrandbits(128), version=4)), instance_id, BACKLOG_KEY, element,
                title, self.titles[team], role, role, assignee,
                created + timedelta(minutes=10) if assignee else None, due, priority, name, phone,
                self.search_text(name, phone), self.meta.sort_key(priority, due, created),
                "completed" if completed else "open", created, completed_at, completed_by)


def secondary_indexes():
    """``(drop, create)`` statements of every index of the two bulk-loaded tables but the keys."""
    from sqlalchemy.schema import CreateIndex, DropIndex

    from engine.db import db
    from engine.models import HumanTask, ProcessInstance

    dialect = db.engine.dialect
    indexes = [*HumanTask.__table__.indexes, *ProcessInstance.__table__.indexes]
    return ([str(DropIndex(i).compile(dialect=dialect)) for i in indexes],
            [str(CreateIndex(i).compile(dialect=dialect)) for i in indexes])


def load(app, url, backlog, open_count, completed_count):
    """Add rows without the secondary indexes, build them again, VACUUM ANALYZE; seconds of each."""
    import psycopg

    with app.app_context():
        drops, creates = secondary_indexes()
    timings = {"open": open_count, "completed": completed_count,
               "added_open": open_count, "added_completed": completed_count}
    with psycopg.connect(url, autocommit=True) as conn:
        began = time.perf_counter()
        for statement in drops:
            conn.execute(statement)
        with conn.transaction():
            backlog.add(conn, open_count, completed_count)
        timings["copy_seconds"] = time.perf_counter() - began
        began = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '256MB'")
        for statement in creates:
            conn.execute(statement)
        timings["index_seconds"] = time.perf_counter() - began
        began = time.perf_counter()
        conn.execute("VACUUM (ANALYZE) human_task")
        conn.execute("VACUUM (ANALYZE) process_instance")
        timings["vacuum_analyze_seconds"] = time.perf_counter() - began
        timings["table_bytes"] = conn.execute("SELECT pg_total_relation_size('human_task')").fetchone()[0]
    return timings


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


def csrf_token(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


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


# --- completions over HTTP --------------------------------------------------------------------------


def start_calls(app, count, rng):
    """Start ``count`` instances of the web process; the ids of their open user tasks."""
    import engine
    from engine.db import db
    from engine.models import HumanTask

    with app.app_context():
        ids = [engine.start(PROCESS_KEY, actor="bench", data={
            "customer_name": f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
            "phone": f"+849{rng.randrange(10**8):08d}"}).id for _ in range(count)]
        tasks = dict(db.session.query(HumanTask.instance_id, HumanTask.id)
                     .filter(HumanTask.definition_key == PROCESS_KEY, HumanTask.state == "open"))
        db.session.rollback()
    return [tasks[i] for i in ids]


def time_engine(app, task_ids):
    """Completions per second of ``engine.complete_task`` in this process, one thread."""
    import engine

    with app.app_context():
        began = time.perf_counter()
        for task_id in task_ids:
            engine.complete_task(task_id, actor="sales01", data={})
        seconds = time.perf_counter() - began
    return {"completions": len(task_ids), "seconds": seconds, "per_second": len(task_ids) / seconds}


class Browser:
    """One user's HTTP session: a new connection per request (gunicorn's sync workers close it)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None, *, keep_cookies=True):
        """``(status, headers, body)``. Without ``keep_cookies`` the session cookie stays as it was,
        so flashed messages of redirects not followed do not pile up in it."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        if keep_cookies:
            for header in response.headers.get_all("Set-Cookie") or []:
                self.cookies.update((k, m.value) for k, m in SimpleCookie(header).items())
        return response.status, response.headers, data

    def sign_in(self, username):
        """Through the real form: the CSRF token from the page, then the post; a token for later posts."""
        _, _, page = self.request("GET", "/login")
        self.token = csrf_token(page.decode())
        status, _, _ = self.request(
            "POST", "/login", {"username": username, "password": PASSWORD, "csrf_token": self.token})
        assert status == 302, f"sign-in of {username}: {status}"
        return self

    def complete(self, task_id, *, follow):
        """Complete a task through its form; with ``follow``, load the page it redirects to.

        :returns: whether the task was completed (302 to the inbox, and a 200 if followed)
        """
        status, headers, _ = self.request("POST", f"/tasks/{task_id}", {"csrf_token": self.token},
                                          keep_cookies=follow)
        if status != 302 or not headers.get("Location", "").endswith("/inbox"):
            return False
        return not follow or self.request("GET", "/inbox")[0] == 200


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch_gunicorn(settings, workers, folder):
    """gunicorn with ``workers`` processes in its own session; ``(process, port, log path)``."""
    port = free_port()
    env = {**os.environ, **settings}
    log = Path(folder) / "gunicorn.log"
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--error-logfile", str(log), "tasklane.app:create_app()"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log_tail(log)}")
        try:
            if Browser(port).request("GET", "/login")[0] == 200:
                return process, port, log
        except OSError:
            pass
        time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log_tail(log)}")


def log_tail(log, lines=30):
    """The end of gunicorn's log, for an error message (the run's folder is deleted after it)."""
    return "\n".join(log.read_text().splitlines()[-lines:]) if log.exists() else "(no log)"


def stop(process):
    """SIGTERM to the process group this benchmark started; SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def complete_over_http(browsers, task_ids, *, follow):
    """Each browser completes its share of ``task_ids`` in its own thread; rate and latencies."""
    shares = [task_ids[n::len(browsers)] for n in range(len(browsers))]
    latencies, failures = [], []
    barrier = threading.Barrier(len(browsers) + 1)

    def work(browser, share):
        barrier.wait()
        for task_id in share:
            began = time.perf_counter()
            ok = browser.complete(task_id, follow=follow)
            latencies.append(1000 * (time.perf_counter() - began))
            if not ok:
                failures.append(task_id)

    threads = [threading.Thread(target=work, args=pair) for pair in zip(browsers, shares, strict=True)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    done = len(task_ids) - len(failures)
    return {"completions": done, "failures": len(failures), "seconds": seconds,
            "per_second": done / seconds, "latency_ms": percentiles(latencies)}


def run_http(app, settings, args, folder, rng):
    """Engine in-process, then HTTP completions (POST only, then following the redirect)."""
    warmup = 10 * args.clients
    engine_ids = start_calls(app, args.engine_completions + 20, rng)
    time_engine(app, engine_ids[:20])
    result = {"engine": time_engine(app, engine_ids[20:])}
    ids = start_calls(app, warmup + args.completions + args.follow_completions, rng)
    process, port, log = launch_gunicorn(settings, args.workers, folder)
    try:
        browsers = [Browser(port).sign_in(name) for name, _ in team_users("sales")[:args.clients]]
        complete_over_http(browsers, ids[:warmup], follow=False)
        timed = ids[warmup:warmup + args.completions]
        result["http"] = complete_over_http(browsers, timed, follow=False)
        if args.follow_completions:
            result["http_follow"] = complete_over_http(browsers, ids[warmup + args.completions:], follow=True)
    finally:
        stop(process)
    result["gunicorn_log_errors"] = sum("Traceback" in line for line in log.read_text().splitlines())
    result["clients"], result["workers"] = args.clients, args.workers
    result["verified_completed"] = completed_count(app, ids)
    return result


def completed_count(app, task_ids):
    from engine.db import db
    from engine.models import HumanTask

    with app.app_context():
        count = db.session.query(HumanTask).filter(HumanTask.id.in_(task_ids),
                                                   HumanTask.state == "completed").count()
        db.session.rollback()
    return count


def forget_redis_keys(prefix):
    import redis

    conn = redis.Redis.from_url(REDIS_URL)
    for key in conn.scan_iter(match=f"{prefix}*"):
        conn.delete(key)


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
