"""The backlog of bench/web.py: synthetic human tasks written with COPY."""
import json
import random
import time
import uuid
from datetime import timedelta

from web_common import (
    BACKLOG_KEY,
    FAMILY,
    GIVEN,
    INSTANCE_COLUMNS,
    MIDDLE,
    TASK_COLUMNS,
    TASKS_PER_DONE_INSTANCE,
    TEAMS,
    WORK,
    team_users,
)

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
