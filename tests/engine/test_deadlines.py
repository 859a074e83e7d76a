"""Deadline warnings: once per task, to its assignee, only when due soon."""
from datetime import timedelta

from engine import deadlines
from engine.db import db
from engine.models import HumanTask, Outbox, ProcessDefinition, ProcessInstance, ProcessVersion
from engine.types import utcnow


def task(app, *, due_in, assignee="sales1"):
    if db.session.query(ProcessVersion).count() == 0:
        definition = ProcessDefinition(key="p", name="P", latest_version=1)
        db.session.add(definition)
        db.session.flush()
        db.session.add(ProcessVersion(definition_id=definition.id, version=1, bpmn_xml="", sha256="x",
                                      spec_json="{}", deployed_by="t"))
        db.session.flush()
    instance = ProcessInstance(version_id=1, definition_key="p", state="{}", started_by="t")
    db.session.add(instance)
    db.session.flush()
    row = HumanTask(id=f"t{instance.id}", instance_id=instance.id, element_id="e", title="Call",
                    titles={"en": "Call"}, assignee=assignee, due_at=utcnow() + due_in, state="open")
    db.session.add(row)
    db.session.commit()
    return row


def test_the_assignee_is_warned_once_when_a_task_is_due_within_the_window(app):
    soon = task(app, due_in=timedelta(minutes=30))
    task(app, due_in=timedelta(hours=5))
    task(app, due_in=timedelta(minutes=10), assignee=None)
    assert [r.recipient for r in deadlines.warn_near(60)] == ["sales1"]
    assert deadlines.warn_near(60) == []
    row = db.session.query(Outbox).one()
    assert (row.kind, row.link) == ("deadline_near", f"/tasks/{soon.id}")

