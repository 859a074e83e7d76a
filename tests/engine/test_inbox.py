"""Inbox counts: capped, so that they cost the same at any table size."""
from datetime import timedelta

from engine.types import utcnow

from .test_deadlines import task


def test_inbox_counts_stop_at_the_cap_and_split_the_queue_by_role(app, monkeypatch):
    from engine import inbox

    monkeypatch.setattr(inbox, "COUNT_CAP", 3)
    for _ in range(5):
        task(app, due_in=timedelta(hours=1), assignee=None)
    viewer = inbox.Viewer(username="sales1", roles=frozenset({"sales"}))
    rows, total = inbox.page(viewer, inbox.Filters(tab="queue"), utcnow())
    assert len(rows) == 5 and total == 4  # "more than 3"
    assert inbox.counts(viewer, utcnow(), known={"queue": 4}) == {"mine": 0, "queue": 4, "done": 0}
    outsider = inbox.Viewer(username="p", roles=frozenset({"partner"}), staff=False)
    assert inbox.page(outsider, inbox.Filters(tab="queue"), utcnow())[1] == 0
