"""Whose transaction an engine call commits: it refuses what its caller left pending, and
``engine.begin()`` makes one transaction of the caller's rows and the cases started in it."""
import pytest

import engine
from engine import assignment, audit
from engine.db import db
from engine.errors import NotFoundError, PendingChangesError
from engine.models import AuditStream, HumanTask, ProcessInstance

from .helpers import open_tasks

NOTE = "note:1"


def leave_a_note(flush):
    """A row of the caller's, in the open transaction (flushed or only added)."""
    audit.append(NOTE, "noted", actor="sales1")
    if flush:
        db.session.flush()


def stored(stream=NOTE):
    db.session.rollback()
    return (db.session.query(AuditStream).filter_by(stream=stream).count(),
            db.session.query(ProcessInstance).count())


def test_engine_changes_over_rows_the_caller_left_are_refused_and_neither_commit_nor_drop_them(deploy):
    deploy("two_lanes.bpmn")
    for flush in (False, True):
        leave_a_note(flush)
        with pytest.raises(PendingChangesError, match="engine.start"):
            engine.start("two_lanes", actor="sales1", data={"name": "An"})
        assert db.session.new or db.session.info.get("tasklane_wrote")   # still the caller's to decide
        assert stored() == (0, 0)
    call = open_tasks(engine.start("two_lanes", actor="sales1", data={"name": "An"}).id)["call"]
    for change in (lambda: engine.complete_task(call.id, actor="sales1"),
                   lambda: assignment.claim(call.id, actor="sales1")):
        leave_a_note(flush=True)
        with pytest.raises(PendingChangesError):
            change()
        assert stored() == (0, 1)
    row = db.session.get(HumanTask, call.id)
    assert (row.state, row.assignee) == ("open", None)


def test_begin_commits_the_callers_rows_with_the_case_and_any_failure_inside_leaves_neither(deploy):
    with pytest.raises(NotFoundError):
        with engine.begin():
            leave_a_note(flush=True)
            engine.start("two_lanes", actor="sales1")   # not deployed yet
    assert stored() == (0, 0)
    deploy("two_lanes.bpmn")
    with engine.begin():
        leave_a_note(flush=True)
        instance = engine.start("two_lanes", actor="sales1", data={"name": "An"})
    assert stored() == (1, 1) and set(open_tasks(instance.id)) == {"call"}
    call = open_tasks(instance.id)["call"]
    with pytest.raises(PendingChangesError, match="inside engine.begin"):   # it would commit on its own
        with engine.begin():
            leave_a_note(flush=True)
            engine.complete_task(call.id, actor="sales1")
    assert stored() == (1, 1) and db.session.get(HumanTask, call.id).state == "open"
