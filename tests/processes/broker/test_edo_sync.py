"""The ЭДО status sync delivers each outcome once: run twice, or by two workers at once; an
operator that is down is tried again, one that refuses ends the document and tells the case."""
import threading
from datetime import timedelta

import pytest

import engine
from engine.db import db
from engine.models import Attachment
from engine.types import utcnow
from processes.broker.edo import adapter as edo
from processes.broker.edo import development, report, sync
from processes.broker.edo.adapter import Counterparty, File
from processes.broker.edo.models import EdoDevMessage
from processes.broker.edo.sending import send
from tests.processes.broker.edo_support import (
    FlakyAdapter,
    RefusingAdapter,
    case_state,
    document_of,
    messages_received,
    waiting_case,
)


def _signed_case():
    case_id = waiting_case(7)
    sync.run()
    development.sign(document_of(case_id).sent_id)
    sync.poll()
    return case_id


def test_a_sync_run_twice_delivers_the_signature_once(edo_app):
    case_id = _signed_case()
    assert sync.run() == "sent 0, changed 0, reported 1"
    assert sync.run() == "sent 0, changed 0, reported 0"
    assert report.deliver(document_of(case_id).id) == 0
    assert messages_received(case_id) == ["edo_signed"]
    assert case_state(case_id) == ("completed", [])


def _at_once(app, count, work):
    """Run ``work()`` in ``count`` threads, each with its own app context and session, released together."""
    barrier, results, errors = threading.Barrier(count), [], []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                results.append(work())
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


# A case that would take the signature twice: if two workers both delivered it, it would
# pass the second catch event too and end.
TWICE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t">
  <bpmn:message id="m_signed" name="edo_signed" />
  <bpmn:process id="edo_twice" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="first"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="m_signed" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="second"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="m_signed" /></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first" />
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second" />
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_two_workers_reporting_at_once_deliver_the_signature_once(edo_app):

    engine.deploy(TWICE, actor="test", name="edo_twice.bpmn")
    case_id = engine.start("edo_twice", actor="analyst1").id
    row_id = send(File("contract.pdf", "application/pdf", b"%PDF-1.4 twice"), Counterparty("7707083893"),
                  instance_id=case_id, actor="analyst1").id
    db.session.commit()
    sync.dispatch()
    development.sign(document_of(case_id).sent_id)
    sync.poll()
    results, errors = _at_once(edo_app, 2, lambda: report.deliver(row_id))
    assert errors == [] and sorted(results) == [0, 1]
    assert messages_received(case_id) == ["edo_signed"]
    assert case_state(case_id) == ("running", [])   # at the second catch, not past it
    files = [a for a in _attachments(case_id) if a.field and a.field.startswith("edo_signed.")]
    assert sorted(a.field for a in files) == ["edo_signed.document", "edo_signed.signature"]
    assert report.deliver(row_id) == 0 and messages_received(case_id) == ["edo_signed"]


def test_two_workers_sending_at_once_send_a_document_once(edo_app):
    case_id = waiting_case(7)
    db.session.commit()
    results, errors = _at_once(edo_app, 2, sync.dispatch)
    assert errors == [] and sorted(results) == [0, 1]
    assert db.session.query(EdoDevMessage).count() == 1
    assert document_of(case_id).state == "sent"


def test_three_whole_sync_runs_at_once_tell_the_case_once(edo_app):
    case_id = waiting_case(7)
    sync.run()
    development.sign(document_of(case_id).sent_id)
    db.session.commit()
    results, errors = _at_once(edo_app, 3, sync.run)
    assert errors == [] and len(results) == 3
    assert messages_received(case_id) == ["edo_signed"]
    assert sum(int(result[-1]) for result in results) == 1   # "... reported 1" once
    assert (document_of(case_id).report_error, document_of(case_id).report_attempts) == (None, 0)


def test_a_send_interrupted_after_the_adapter_took_it_is_not_sent_twice(edo_app):
    case_id = waiting_case(7)
    row = document_of(case_id)
    # A worker claimed the row, the adapter took the document, and the worker died before
    # recording it: the row stays "sending" until its lease runs out.

    first = edo.current().send(edo.File(row.filename, row.content_type, b"x"),
                               edo.Counterparty(row.counterparty_inn), key=sync.key_of(row.id),
                               sender="analyst1")

    row.state, row.state_at = "sending", utcnow() - sync.SENDING_LEASE - timedelta(seconds=1)
    db.session.commit()
    assert sync.run() == "sent 1, changed 0, reported 0"
    assert document_of(case_id).sent_id == first
    assert db.session.query(EdoDevMessage).count() == 1


def test_an_operator_that_is_down_is_tried_again_and_the_document_sent_when_it_is_back(edo_app):
    flaky = edo_app.extensions["tasklane_edo_adapter"] = FlakyAdapter(outages=2)
    case_id = waiting_case(7)
    assert sync.dispatch() == 0
    row = document_of(case_id)
    assert (row.state, row.attempts) == ("queued", 1) and "503" in row.last_error
    assert sync.dispatch() == 0
    assert sync.dispatch() == 1
    row = document_of(case_id)
    assert (row.state, row.sent_id) == ("sent", f"sent-{sync.key_of(row.id)}")
    assert (row.attempts, row.last_error) == (3, None)
    assert flaky.calls == 3


def test_an_operator_down_too_often_fails_the_document_and_tells_the_case(edo_app):
    edo_app.extensions["tasklane_edo_adapter"] = FlakyAdapter(outages=sync.MAX_SEND_ATTEMPTS)
    case_id = waiting_case(7)
    for _ in range(sync.MAX_SEND_ATTEMPTS):
        sync.dispatch()
    assert document_of(case_id).state == "failed"
    report.deliver_outcomes()
    assert case_state(case_id) == ("completed", [])
    assert messages_received(case_id) == ["edo_failed"]


def test_a_refused_document_fails_at_once_and_the_case_hears_why(edo_app):
    edo_app.extensions["tasklane_edo_adapter"] = RefusingAdapter()
    case_id = waiting_case(7)
    assert sync.run() == "sent 0, changed 0, reported 1"
    row = document_of(case_id)
    assert (row.state, row.attempts) == ("failed", 1)
    assert "no ЭДО box" in row.reason
    assert messages_received(case_id) == ["edo_failed"]

    assert "no ЭДО box" in engine.case_data(case_id)["failure"]["reason"]


def test_a_case_not_waiting_for_the_answer_is_tried_again_after_a_growing_wait(edo_app):

    case_id = waiting_case(7, uses_edo=False)   # e-mailed: it waits for the team's check of the scan
    row = send(edo.File("extra.pdf", "application/pdf", b"%PDF-1.4 x"), edo.Counterparty("7707083893"),
               instance_id=case_id, actor="analyst1", correlation={"deal_id": 7})
    db.session.commit()
    sync.run()
    development.sign(document_of(case_id).sent_id)
    before = utcnow()
    assert sync.run() == "sent 0, changed 1, reported 0"
    row = document_of(case_id)
    assert row.reported_at is None and row.report_attempts == 1 and "not waiting" in row.report_error
    assert timedelta(seconds=29) < row.report_after - before < timedelta(seconds=31)
    assert sync.run() == "sent 0, changed 0, reported 0"
    assert document_of(case_id).report_attempts == 1   # not before its time
    row.report_after = utcnow() - timedelta(seconds=1)
    db.session.commit()
    before = utcnow()
    sync.run()
    row = document_of(case_id)
    assert row.report_attempts == 2
    assert timedelta(seconds=59) < row.report_after - before < timedelta(seconds=61)
    assert messages_received(case_id) == [] and case_state(case_id) == ("running", ["check_scan"])


def _attachments(case_id):
    db.session.expire_all()
    return db.session.query(Attachment).filter_by(instance_id=case_id).all()


def test_the_sync_is_a_periodic_job_every_30_seconds_and_one_occurrence_runs_once(edo_app):
    from engine import periodic
    from processes.broker import edo as package

    [job] = package.PERIODIC
    now = utcnow().replace(second=10, microsecond=0)
    assert (job.latest(now).second, job.next_after(now).second) == (0, 30)
    assert periodic.registered(edo_app)[job.name] is job   # the broker domain declares it
    case_id = waiting_case(7)
    run = periodic.record_due(job)
    assert periodic.run(run.id, edo_app) == "sent 1, changed 0, reported 0"
    assert periodic.run(run.id, edo_app) == "done"   # the occurrence was run already
    assert document_of(case_id).state == "sent"


def test_a_document_that_breaks_the_adapter_holds_up_no_other_and_fails_the_run_naming_it(edo_app):
    from processes.broker.edo.batches import SyncError
    from tests.processes.broker.edo_support import BrokenForOneAdapter

    edo_app.extensions["tasklane_edo_adapter"] = BrokenForOneAdapter(edo_app.config, inn="7736207543")
    broken = waiting_case(7, inn="7736207543")
    fine = waiting_case(8)
    with pytest.raises(SyncError) as failed:
        sync.run()
    assert "RuntimeError: the adapter broke" in failed.value.message and failed.value.done == 1
    assert document_of(fine).state == "sent" and document_of(broken).state == "queued"
    development.sign(document_of(fine).sent_id)
    with pytest.raises(SyncError):
        sync.run()
    assert case_state(fine) == ("completed", [])   # told although the other document broke the run
    for _ in range(sync.MAX_SEND_ATTEMPTS - 2):
        with pytest.raises(SyncError):
            sync.run()
    assert document_of(broken).state == "failed" and "the adapter broke" in document_of(broken).reason
    assert messages_received(broken) == ["edo_failed"]   # told in the run that gave up on it
    assert sync.run() == "sent 0, changed 0, reported 0"   # and the next run is clean
