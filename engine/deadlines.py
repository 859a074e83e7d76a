"""Warn the assignee once when an open task's due time comes near.

Each task is warned at most once: the row is marked with a conditional update in
the same transaction that writes the bell's outbox row, so two workers scanning at
once warn once. The scan is a periodic job (engine/periodic.py), every minute.

A task whose deadline another task pauses (engine/pauses.py) has no ``due_at`` while
paused, so it is not warned then; when the pause ends its ``due_notified_at`` is cleared
and it is warned as its new due time nears.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from .db import db
from .models import HumanTask
from .outbox import add
from .periodic import PeriodicJob
from .types import utcnow

BATCH = 500


def warn_near(window_minutes, now=None):
    """Ring the bell of every assignee whose open task is due within ``window_minutes``.

    :returns: the outbox rows written (the caller schedules their delivery)
    """
    now = now or utcnow()
    horizon = now + timedelta(minutes=window_minutes)
    due = db.session.scalars(select(HumanTask).where(
        HumanTask.state == "open", HumanTask.assignee.is_not(None), HumanTask.due_notified_at.is_(None),
        HumanTask.due_at.is_not(None), HumanTask.due_at <= horizon).limit(BATCH)).all()
    rows = []
    for task in due:
        claimed = db.session.execute(update(HumanTask).where(
            HumanTask.id == task.id, HumanTask.due_notified_at.is_(None)).values(due_notified_at=now))
        if claimed.rowcount != 1:
            continue
        rows.append(add("in_app", task.assignee, subject=task.title, link=f"/tasks/{task.id}",
                        instance_id=task.instance_id, kind="deadline_near",
                        params={"titles": task.titles, "due": task.due_at.isoformat()}))
    db.session.commit()
    return rows


def scan(scheduled_at):
    """The periodic job: warn within ``TASKLANE_DEADLINE_WARNING_MINUTES``, then hand the
    bells to the after-commit hooks (the worker enqueues their delivery)."""
    rows = warn_near(current_app.config["TASKLANE_DEADLINE_WARNING_MINUTES"])
    current_app.extensions["tasklane_runtime"].committed([], rows)
    return f"{len(rows)} warned"


PERIODIC = [PeriodicJob("deadline-warnings", "* * * * *", "UTC", scan, timeout=timedelta(minutes=1))]
