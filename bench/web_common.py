"""What the parts of bench/web.py share: names, sizes, targets, the people."""
import argparse
import re
import statistics
from pathlib import Path

from benchlib import schema_name

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


def csrf_token(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
