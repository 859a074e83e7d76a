"""Fixtures: an app on a clean database for each test (SQLite, and PostgreSQL when
``DATABASE_URL`` names one), real Redis (``REDIS_URL`` or the embedded one), and
real worker processes.

The tables are built once per session (each xdist worker its own): a PostgreSQL
schema that is emptied after each test, and a SQLite template file copied for each
test. The URL still names the test's database (``search_path`` in the URL), so
child processes started by a test see exactly that test's tables. Tests that need a
database without tables (migrations) use :func:`fresh_database`.

What costs the same in every test is done once per session and handed back clean:
the app (:class:`_Apps`), and the users and diagrams fixtures make (:func:`seed`).
"""
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis as redis_lib

from engine.db import db

ROOT = Path(__file__).resolve().parent.parent
BPMN = Path(__file__).resolve().parent / "bpmn"
PG_URL = os.environ.get("DATABASE_URL", "")
HAS_PG = PG_URL.startswith("postgres")
BACKENDS = ["sqlite", "postgresql"] if HAS_PG else ["sqlite"]


def _own_database(url):
    """``url`` with a Redis database of this xdist worker's own (gw0: the URL's, gw1: the
    next, ...): tests flush their database, which must not clear another worker's queues."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + int(worker[2:])}"))


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """``REDIS_URL`` (a database per xdist worker) if set, else an embedded Redis for the
    whole session (each worker its own)."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield _own_database(url)
        return
    from workers import embedded

    folder = tmp_path_factory.mktemp("embedded-redis")
    yield embedded.ensure(folder)
    embedded.stop(folder)


@pytest.fixture
def redis_conn(redis_url):
    conn = redis_lib.Redis.from_url(redis_url)
    conn.flushdb()
    yield conn
    conn.close()


def lose_redis_data(conn, prefix):
    """What a flushed Redis loses, for this test only: every key that carries its queue
    prefix (queues, registries, jobs, the sweep's epoch, the scheduler's locks). FLUSHALL
    would also empty the databases of the other xdist worker and of other test runs."""
    keys = list(conn.scan_iter(match=f"*{prefix}*", count=1000))
    if keys:
        conn.delete(*keys)
    return len(keys)


def _pg_schema_url(schema):
    base = PG_URL.replace("postgres://", "postgresql://", 1)
    separator = "&" if "?" in base else "?"
    # No wait for the disk at each commit: a test database need not survive a crash of
    # the server, and every commit is as visible to other connections as before.
    return f"{base}{separator}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A database with every table and no rows for one test, on each backend.
    (Page and API tests narrow this to one backend: ONE_BACKEND.)"""
    yield from built_database(request.param, tmp_path)


# Pages and the API run on one backend, PostgreSQL when there is one: what differs
# between the backends is tested below them (engine, crm, processes, workers), and
# the embedded CI run covers SQLite. This halves the suite's page and API tests.
ONE_BACKEND = BACKENDS[-1:]


def fresh_database(backend, tmp_path):
    """Yield the URL of a fresh, empty database of ``backend`` (no tables); drop it afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield _pg_schema_url(schema)
    _DROPPER.drop(schema)


def built_database(backend, tmp_path):
    """Yield the URL of a database of ``backend`` with every table and no rows, for one
    test: a copy of the session's SQLite template, or the session's PostgreSQL schema,
    emptied again (and its sequences restarted) when the test is done."""
    yield from _TABLES.database(backend, tmp_path)


def _create_tables(url):
    """Every table of the models, in the database at ``url``."""
    from tasklane.app import create_app

    folder = Path(_TABLES.folder())
    app = create_app({"TASKLANE_ENV": "testing", "TASKLANE_INSTANCE_DIR": str(folder / "instance"),
                      "TASKLANE_DATABASE_URL": url, "TASKLANE_SECRET_KEY": "test",
                      "TASKLANE_REDIS_URL": "redis://127.0.0.1:1/0"})   # never connected to
    with app.app_context():
        db.create_all()
        tables = [table.name for table in reversed(db.metadata.sorted_tables)]
        db.session.remove()
        db.engine.dispose()
    return tables


class _Tables:
    """The tables of this session (xdist worker), built once: ``create_all`` of the 31
    tables costs 0.2-0.4 s, a file copy or deleting the few rows a test wrote much less."""

    def __init__(self):
        self.template = self.schema = self.tables = self._folder = self.conn = self.written = None
        self.prepared = set()   # URLs whose tables exist: the ``app`` fixture skips create_all

    def folder(self):
        if self._folder is None:
            import tempfile

            self._folder = tempfile.mkdtemp(prefix="tasklane-tables-")
        return self._folder

    def database(self, backend, tmp_path):
        if backend == "sqlite":
            if self.template is None:
                template = Path(self.folder()) / "template.sqlite"
                self.tables = _create_tables(f"sqlite:///{template}")
                self.template = template
            # One path for the session's tests, so that they can share an app (the
            # ``app`` fixture); a test's connections are closed before the next one's copy.
            path = Path(self.folder()) / "test.sqlite"
            for leftover in (path, path.with_name("test.sqlite-wal"), path.with_name("test.sqlite-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(self.template, path)
            url = f"sqlite:///{path}"
            self.prepared.add(url)
            yield url
            self.prepared.discard(url)
            return
        if self.schema is None:
            schema = f"t_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            self.tables = _create_tables(_pg_schema_url(schema))
            self.schema = schema
            with psycopg.connect(_pg_schema_url(schema)) as conn:
                sequences = [row[0] for row in conn.execute(
                    "SELECT relname FROM pg_class WHERE relkind = 'S'"
                    " AND relnamespace = current_schema()::regnamespace")]
            # What a test wrote, in one query: the tables with rows, the sequences it used.
            self.written = " UNION ALL ".join(
                [f"SELECT 'table', '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in self.tables]
                + [f"SELECT 'sequence', '{name}' FROM \"{name}\" WHERE is_called" for name in sequences])
        url = _pg_schema_url(self.schema)
        self.prepared.add(url)
        yield url
        self.prepared.discard(url)
        if not self._empty(url):
            _DROPPER.drop(self.schema)   # the next test builds a new one
            self.schema = None

    def _empty(self, url):
        """Delete the rows a test wrote and restart the sequences it used (two round trips
        on a connection kept for the session); False if that failed (a lock still held)."""
        try:
            if self.conn is None:
                self.conn = psycopg.connect(url)
                self.conn.execute("SET lock_timeout = '10s'")
                self.conn.commit()
            written = set(self.conn.execute(self.written))
            # DELETE rather than TRUNCATE: truncating the 31 tables took 0.4 s, deleting
            # the few rows of a test (children before parents) takes milliseconds.
            statements = [f'DELETE FROM "{name}";' for name in self.tables if ("table", name) in written]
            statements += [f"SELECT setval('\"{name}\"', 1, false);"
                           for kind, name in written if kind == "sequence"]
            if statements:
                self.conn.execute("".join(statements))
            self.conn.commit()
            return True
        except psycopg.Error as error:
            print(f"schema {self.schema} not emptied, dropped: {error}", file=sys.stderr)
            self._close()
            return False

    def _close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def finish(self):
        self._close()
        if self.schema is not None:
            _DROPPER.drop(self.schema)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


_TABLES = _Tables()


class _SchemaDropper:
    """Drops finished tests' PostgreSQL schemas in a background thread, so the next test
    does not wait for it (a DROP SCHEMA of the whole model takes about 0.1 s, the
    server does it on the other core); the session waits for the last ones at its end."""

    def __init__(self):
        self.queue, self.thread = queue.Queue(), None

    def drop(self, schema):
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="schema-dropper", daemon=True)
            self.thread.start()
        self.queue.put(schema)

    def _run(self):
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            while (schema := self.queue.get()) is not None:
                try:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")
                except psycopg.Error as error:   # left for the next session's database
                    print(f"schema {schema} not dropped: {error}", file=sys.stderr)

    def finish(self):
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()


_DROPPER = _SchemaDropper()


def pytest_sessionfinish(session, exitstatus):
    _TABLES.finish()
    _DROPPER.finish()


@pytest.fixture
def settings(database_url, tmp_path, redis_url):
    """The settings a test app and its worker processes share."""
    return {
        "TASKLANE_ENV": "testing",
        "TASKLANE_INSTANCE_DIR": str(tmp_path / "instance"),
        "TASKLANE_DATABASE_URL": database_url,
        "TASKLANE_REDIS_URL": redis_url,
        "TASKLANE_QUEUE_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "TASKLANE_SECRET_KEY": "test",
        "TASKLANE_SWEEP_SECONDS": 0.5,
        "TASKLANE_TIMER_GRACE_SECONDS": 1.0,
        "TASKLANE_PASSWORD_HASH": "pbkdf2:sha256:1000",
    }


class _Apps:
    """The apps of this session (xdist worker), one per set of settings, each reused by
    the tests with those settings: ``create_app`` takes 50-90 ms (werkzeug compiles each
    of the ~140 routes), minutes of a whole run.

    A test gets the app as a new one would be: its config and extensions as
    ``create_app`` left them, with the test's own instance folder and queue prefix (what
    a test changed or replaced is put back), an empty spec cache (the version ids of an
    emptied database start again at 1), and no open database connection (the ``app``
    fixture closes them). An app whose engine or routes a test changed (a helper, check,
    hook or view added) is not reused. A test that changes the app's setup after a
    request (``app.add_url_rule``) is marked ``fresh_app`` and gets an app of its own.
    Only apps on the session's tables are kept; others (a fresh database) are built per test.
    """

    PER_TEST = ("TASKLANE_INSTANCE_DIR", "TASKLANE_QUEUE_PREFIX")

    def __init__(self):
        self.apps = {}

    def get(self, settings, fresh=False):
        from tasklane.app import create_app

        if fresh or settings["TASKLANE_DATABASE_URL"] not in _TABLES.prepared:
            return create_app(settings)
        key = tuple(sorted((name, repr(value)) for name, value in settings.items()
                           if name not in self.PER_TEST))
        kept = self.apps.get(key)
        if kept is None or _engine_state(kept[0]) != kept[2]:
            app = create_app(settings)
            self.apps[key] = (app, dict(app.config), _engine_state(app), _copies(app.extensions))
            return app
        app, config, _state, extensions = kept
        self._renew(app, config, extensions, settings)
        return app

    @staticmethod
    def _renew(app, config, extensions, settings):
        from engine import specs
        from tasklane import config as config_module

        app.extensions.clear()
        app.extensions.update(_copies(extensions))
        app.config.clear()
        app.config.update(config)
        app.config.update(config_module.load(overrides=settings))
        Path(app.config["TASKLANE_INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
        app.extensions["tasklane_runtime"].spec_cache = specs.SpecCache()


def _engine_state(app):
    """What tests may register on an app: the engine's helpers, checks and hooks, the views."""
    runtime = app.extensions["tasklane_runtime"]
    return (dict(runtime.helpers), list(runtime.checks), list(runtime.on_commit_hooks),
            set(app.view_functions))


def _copies(extensions):
    """The extensions, with a copy of each plain dict (a registry a test may refill)."""
    return {name: dict(value) if type(value) is dict else value for name, value in extensions.items()}


_APPS = _Apps()


@pytest.fixture
def app(settings, request):
    app = _APPS.get(settings, fresh=request.node.get_closest_marker("fresh_app") is not None)
    with app.app_context():
        if settings["TASKLANE_DATABASE_URL"] not in _TABLES.prepared:
            db.create_all()
        from accounts.service import ensure_roles

        ensure_roles()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


class _Seeds:
    """Rows that fixtures make again and again (the demo users, a test's users, a
    deployed diagram), made once per session and copied back for the next tests: making
    a user takes 5 round trips and a password hash, 0.4-0.7 s for the 8-15 users of a page
    or API test; deploying lead_handling.bpmn parses and checks it, about 0.1 s.

    ``seed(name, build)`` runs ``build()`` the first time and keeps every row of the
    database afterwards; later, in a database in the same state as then (every table's
    row count the same: the roles of the ``app`` fixture and nothing else, say), it
    inserts the kept rows with their ids and moves the sequences on, as ``build()`` would
    have left them. In any other state it runs ``build()``.
    """

    def __init__(self):
        self.kept = {}

    def seed(self, name, build):
        from flask import current_app

        key = (name, str(db.engine.url), current_app.config.get("TASKLANE_PASSWORD_HASH"))
        before = self._counts()
        kept = self.kept.get(key)
        if kept is not None and kept[0] == before:
            self._restore(kept[1])
            return
        build()
        db.session.commit()
        if kept is None:
            self.kept[key] = (before, self._rows())

    @staticmethod
    def _counts():
        tables = db.metadata.sorted_tables
        query = " UNION ALL ".join(f"SELECT '{t.name}', COUNT(*) FROM \"{t.name}\"" for t in tables)
        counts = {name: count for name, count in db.session.execute(db.text(query))}
        db.session.rollback()
        return counts

    @staticmethod
    def _rows():
        rows = {table: [dict(row) for row in db.session.execute(table.select()).mappings()]
                for table in db.metadata.sorted_tables}
        db.session.rollback()
        return {table: values for table, values in rows.items() if values}

    @staticmethod
    def _restore(rows):
        from engine.db import is_postgresql

        for table in reversed(list(rows)):
            db.session.execute(table.delete())
        for table, values in rows.items():
            db.session.execute(table.insert(), values)
            serial = [c.name for c in table.primary_key.columns if c.autoincrement is True
                      or (c.autoincrement == "auto" and len(table.primary_key.columns) == 1
                          and c.type.python_type is int)]
            if serial and is_postgresql():
                db.session.execute(db.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{serial[0]}'),"
                    f" (SELECT MAX(\"{serial[0]}\") FROM \"{table.name}\"))"))
        db.session.commit()


_SEEDS = _Seeds()


def seed(name, build):
    """Run ``build()`` (which makes rows), or copy back the rows it made in an earlier
    test of this session when the database is in the same state; see :class:`_Seeds`."""
    _SEEDS.seed(name, build)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def deploy_file(name, roles=None):
    """Deploy ``tests/bpmn/<name>`` and return the first version."""
    import engine
    from accounts.service import role_names

    return engine.deploy((BPMN / name).read_bytes(), actor="test", name=name,
                         roles=role_names() if roles is None else roles)[0][0]


@pytest.fixture
def deploy(app):
    return deploy_file


def worker_env(settings):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({k: str(v) for k, v in settings.items()})
    return env


class WorkerProcess:
    """A real ``tasklane worker`` process for one test."""

    def __init__(self, settings, log_path):
        self.settings = settings
        self.log_path = log_path
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "tasklane.cli", "worker"], cwd=ROOT,
                                     env=worker_env(self.settings), stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self, sig=signal.SIGKILL):
        """Kill the worker and everything it started (rq's scheduler process too)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)
        if self.proc:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # rq's scheduler, if it outlived the worker
            except ProcessLookupError:
                pass
        self.log.close()

    def output(self):
        return Path(self.log_path).read_text(errors="replace")


@pytest.fixture
def worker(settings, tmp_path, redis_conn):
    processes = []

    def start(**more_settings):
        """A worker with the test's settings, and ``more_settings`` (e.g. its log level)."""
        log = tmp_path / f"worker-{len(processes)}.log"
        process = WorkerProcess({**settings, **more_settings}, log).start()
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.kill(signal.SIGTERM)


def wait_for(predicate, timeout=20.0, interval=0.1):
    """Poll ``predicate`` until it returns something truthy; return it (or fail)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
