"""The audit trail: what a case records, and the hash chain that exposes any edit,
deletion, insertion or changed head, through ``audit.verify`` and ``tasklane audit verify``."""
import json

import pytest
from sqlalchemy import delete, update

import engine
from engine import audit
from engine.db import db
from engine.models import AuditEvent, AuditStream
from tasklane.cli import main
from tests.conftest import BPMN

from .helpers import complete


@pytest.fixture
def case(deploy):
    """A finished call_loop case: started by sales1, the call completed by sales2."""
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    complete(started.id, "call", {"outcome": "reached"}, actor="sales2")
    return started.id


def events(instance_id):
    db.session.expire_all()
    return db.session.query(AuditEvent).filter_by(instance_id=instance_id).order_by(AuditEvent.seq).all()


def tamper(statement):
    """Change the audit tables behind the application's back."""
    db.session.execute(statement)
    db.session.commit()
    db.session.expire_all()


def event_table():
    return AuditEvent.__table__


def test_a_case_records_each_step_in_order(case):
    trail = events(case)
    assert [(e.kind, e.element_id, e.actor) for e in trail] == [
        ("instance_started", None, "sales1"),
        ("event_passed", "start", "sales1"),
        ("task_completed", "call", "sales2"),
        ("script_run", "count", "sales2"),
        ("gateway_passed", "reached", "sales2"),
        ("event_passed", "end", "sales2"),
        ("instance_completed", None, "sales2"),
    ]
    assert [e.seq for e in trail] == list(range(1, 8))
    assert {e.stream for e in trail} == {f"instance:{case}"}
    started, _, completed, script, *_ = trail
    assert started.data_after == {"name": "An", "calls": 0}
    assert completed.data_before == {"name": "An", "calls": 0}
    assert completed.data_after == {"outcome": "reached"}
    assert (script.data_before, script.data_after) == ({"calls": 0}, {"calls": 1})


def test_each_event_is_chained_to_the_one_before(case):
    trail = events(case)
    assert trail[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in trail[1:]] == [e.hash for e in trail[:-1]]
    head = db.session.get(AuditStream, f"instance:{case}")
    assert (head.seq, head.hash) == (7, trail[-1].hash)


def test_an_intact_trail_verifies(case):
    assert audit.verify() == []
    assert audit.verify(f"instance:{case}") == []


@pytest.mark.parametrize("change", [{"actor": "mallory"}, {"data_after": {"outcome": "not_reached"}}],
                         ids=["actor", "data_after"])
def test_an_edited_event_is_detected(case, change):
    third = events(case)[2]
    tamper(update(event_table()).where(event_table().c.id == third.id).values(**change))
    assert audit.verify() == [{"stream": f"instance:{case}", "seq": 3, "event_id": third.id,
                               "message": "content does not match its hash: the event was edited"}]


def test_a_deleted_middle_event_is_detected(case):
    tamper(delete(event_table()).where(event_table().c.id == events(case)[3].id))
    problems = audit.verify()
    assert {(p["stream"], p["seq"]) for p in problems} == {(f"instance:{case}", 5)}
    assert "expected event 4, found 5: events are missing" in [p["message"] for p in problems]


def test_a_deleted_last_event_is_detected(case):
    tamper(delete(event_table()).where(event_table().c.id == events(case)[-1].id))
    [problem] = audit.verify()
    assert (problem["stream"], problem["seq"]) == (f"instance:{case}", 7)
    assert problem["message"].startswith("chain ends at event 6 but its head says 7")


def test_an_inserted_event_is_detected_even_when_correctly_hashed(case):
    # A forger who knows the algorithm appends a well-formed event and puts the head back.
    stream = f"instance:{case}"
    head = db.session.get(AuditStream, stream)
    seq, last_hash = head.seq, head.hash
    audit.append(stream, "task_completed", actor="mallory", instance_id=case, data_after={"approved": True})
    db.session.commit()
    tamper(update(AuditStream.__table__).where(AuditStream.__table__.c.stream == stream)
           .values(seq=seq, hash=last_hash))
    [problem] = audit.verify()
    assert problem["stream"] == stream
    assert problem["message"].startswith("chain ends at event 8 but its head says 7")


def test_a_changed_head_is_detected(case):
    stream = f"instance:{case}"
    heads = AuditStream.__table__
    tamper(update(heads).where(heads.c.stream == stream).values(hash="f" * 64))
    [problem] = audit.verify()
    assert (problem["stream"], problem["seq"]) == (stream, 8)
    assert "the head was altered" in problem["message"]


def test_verifying_one_stream_ignores_the_others(case):
    third = events(case)[2]
    tamper(update(event_table()).where(event_table().c.id == third.id).values(actor="mallory"))
    assert audit.verify("definition:call_loop") == []
    assert [p["seq"] for p in audit.verify(f"instance:{case}")] == [3]


def test_a_script_that_changes_nested_data_records_the_change(deploy):
    xml = (BPMN / "sandbox_script.bpmn").read_text().replace("result = value * 2",
                                                             "people[0]['score'] = 99\nresult = 20")
    engine.deploy(xml, actor="owner", name="sandbox_script.bpmn")
    started = engine.start("sandbox_script", actor="sales1", data={"people": [{"name": "An", "score": 3}]})
    complete(started.id, "enter", {"value": 1})
    [script] = [e for e in events(started.id) if e.kind == "script_run"]
    assert script.data_before == {"people": [{"name": "An", "score": 3}]}
    assert script.data_after == {"people": [{"name": "An", "score": 99}], "result": 20}


def test_cli_reports_an_intact_trail(case, runner):
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 0
    assert result.output == "audit trail intact\n"


def test_cli_exits_1_naming_the_broken_stream_and_event(case, runner):
    third = events(case)[2]
    tamper(update(event_table()).where(event_table().c.id == third.id).values(actor="mallory"))
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 1
    assert "audit trail intact" not in result.output
    [problem] = [json.loads(line) for line in result.stderr.splitlines()]
    assert (problem["stream"], problem["seq"], problem["event_id"]) == (f"instance:{case}", 3, third.id)
    assert runner.invoke(main, ["audit", "verify", "--stream", "definition:call_loop"]).exit_code == 0


def test_events_added_in_a_story_are_dated_at_its_moments_and_still_verify(deploy):
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from engine.types import utcnow

    before = utcnow()
    sent = datetime(2026, 10, 1, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))   # a local time, as the demo has
    with audit.story_time(sent):
        audit.append("referral:7", "referral_submitted", actor="partner1")
    with audit.story_time(sent + timedelta(days=2)):
        audit.append("referral:7", "referral_accepted", actor="consultant1")
    audit.append("referral:7", "referral_closed", actor="consultant1")
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    with audit.story_time(sent):   # a unit of work dates its own instance's events
        complete(started.id, "call", {"outcome": "reached"}, actor="sales2")
    db.session.commit()
    db.session.expire_all()
    story = db.session.query(AuditEvent).filter_by(stream="referral:7").order_by(AuditEvent.seq).all()
    assert [e.at for e in story[:2]] == [datetime(2026, 10, 1, 2, 30, tzinfo=timezone.utc),
                                         datetime(2026, 10, 3, 2, 30, tzinfo=timezone.utc)]
    assert story[2].at >= before   # outside the block: now
    assert all(e.at >= before for e in events(started.id))
    assert audit.verify() == []
