"""ЭДО (issue 15, step 9): a contract sent through the development adapter is delivered, then
signed or rejected by the simulated counterparty, and the status sync tells the waiting case
once, with the signed files stored as files of the case."""
from datetime import timedelta

import pytest

import engine
from engine import attachments
from engine.db import db
from engine.errors import ConfigError, ConflictError, IncidentError, ValidationError
from processes.broker.edo import development, sync
from processes.broker.edo.adapter import DELIVERED, SENT, SIGNED, Counterparty, File
from processes.broker.edo.models import EdoDevMessage
from processes.broker.edo.sending import send
from tasklane import config as config_module
from tests.engine.helpers import complete, open_tasks
from tests.processes.broker.edo_support import (
    PDF,
    case_state,
    dev_message,
    document_of,
    messages_received,
    waiting_case,
)


def test_a_contract_is_queued_with_the_step_and_sent_by_the_sync_recording_what_would_be_sent(edo_app):
    case_id = waiting_case(7)
    row = document_of(case_id)
    assert (row.state, row.sent_id, row.requested_by) == ("queued", None, "analyst1")
    assert row.correlation == {"deal_id": 7} and row.counterparty_inn == "7707083893"
    assert db.session.query(EdoDevMessage).count() == 0   # nothing goes out inside the case's step

    assert sync.run() == "sent 1, changed 0, reported 0"
    message = dev_message(case_id)
    assert (message.filename, message.counterparty_inn, message.counterparty_kpp) == (
        "Договор 7.pdf", "7707083893", "773601001")
    assert message.counterparty_name == "ООО «Ромашка»" and message.sent_by == "analyst1"
    assert message.sent_at is not None and message.delivered_at is None
    assert document_of(case_id).state == SENT
    assert case_state(case_id) == ("running", [])


def test_delivered_then_signed_reaches_the_waiting_case_with_the_document_and_a_marked_signature(edo_app):
    case_id = waiting_case(7)
    other_case = waiting_case(8)
    sync.run()
    development.deliver(document_of(case_id).sent_id)
    assert sync.run() == "sent 0, changed 1, reported 0"
    assert document_of(case_id).state == DELIVERED and case_state(case_id) == ("running", [])

    development.sign(document_of(case_id).sent_id)
    assert sync.run() == "sent 0, changed 1, reported 1"
    assert case_state(case_id) == ("completed", [])
    assert case_state(other_case) == ("running", [])
    data = engine.case_data(case_id)
    signature = data["signature"]
    assert signature["deal_id"] == 7 and signature["state"] == SIGNED
    document_row, document = attachments.read(signature["document"]["attachment_id"])
    signature_row, signature_file = attachments.read(signature["signature"]["attachment_id"])
    assert document == PDF and document_row.instance_id == case_id
    assert signature_row.filename == "Договор 7.pdf.SIMULATED-signature.txt"
    text = signature_file.decode()
    assert "НЕ ЯВЛЯЕТСЯ КВАЛИФИЦИРОВАННОЙ" in text and "NOT A QUALIFIED" in text and "sha256" in text
    row = document_of(case_id)
    assert (row.signed_attachment_id, row.signature_attachment_id) == (document_row.id, signature_row.id)
    assert row.reported_at is not None and messages_received(case_id) == ["edo_signed"]


def test_a_rejection_brings_the_counterpartys_reason_to_the_case(edo_app):
    case_id = waiting_case(7)
    sync.run()
    development.reject(document_of(case_id).sent_id, "Неверные реквизиты банка")
    sync.run()
    assert case_state(case_id) == ("running", ["revise"])
    rejection = engine.case_data(case_id)["rejection"]
    assert rejection["reason"] == "Неверные реквизиты банка" and rejection["deal_id"] == 7
    assert messages_received(case_id) == ["edo_rejected"]


def test_a_revised_contract_is_sent_again_as_a_new_document(edo_app):
    case_id = waiting_case(7)
    sync.run()
    development.reject(document_of(case_id).sent_id, "Неверные реквизиты банка")
    sync.run()
    first = document_of(case_id).id
    complete(case_id, "revise", {}, actor="analyst1")
    complete(case_id, "approve", {}, actor="analyst1")
    sync.run()
    second = document_of(case_id)
    assert second.id != first and second.state == SENT
    development.sign(second.sent_id)
    sync.run()
    assert case_state(case_id) == ("completed", [])
    assert messages_received(case_id) == ["edo_rejected", "edo_signed"]


def test_the_simulated_counterparty_answers_by_itself_after_the_configured_delays(edo_app):
    edo_app.config.update(TASKLANE_EDO_DEV_DELIVER_SECONDS=30.0, TASKLANE_EDO_DEV_SIGN_SECONDS=120.0)
    case_id = waiting_case(7)
    sync.run()
    sent_id = document_of(case_id).sent_id

    def time_passes(seconds):   # the simulated counterparty's clock, moved instead of waiting
        back = timedelta(seconds=seconds)
        message = db.session.get(EdoDevMessage, sent_id, populate_existing=True)
        message.sent_at -= back
        if message.delivered_at is not None:
            message.delivered_at -= back
        db.session.commit()

    time_passes(10)
    sync.run()
    assert document_of(case_id).state == SENT
    time_passes(60)   # 70 s after sending: delivered 40 s ago
    sync.run()
    assert document_of(case_id).state == DELIVERED and case_state(case_id) == ("running", [])
    time_passes(60)   # delivered 100 s ago: not signed yet
    sync.run()
    assert document_of(case_id).state == DELIVERED
    time_passes(30)   # 130 s: signed 10 s ago
    sync.run()
    assert case_state(case_id) == ("completed", [])
    message = db.session.get(EdoDevMessage, sent_id, populate_existing=True)
    assert message.signed_at - message.delivered_at == timedelta(seconds=120)


def test_the_counterparty_cannot_answer_twice_and_a_rejection_needs_a_reason(edo_app):
    case_id = waiting_case(7)
    sync.run()
    sent_id = document_of(case_id).sent_id
    with pytest.raises(ValidationError):
        development.reject(sent_id, "  ")
    development.sign(sent_id)
    with pytest.raises(ConflictError):
        development.reject(sent_id, "Передумали")
    with pytest.raises(ConflictError):
        development.sign(sent_id)


def test_a_case_that_ended_meanwhile_takes_no_message_and_the_document_is_closed(edo_app):
    case_id = waiting_case(7)
    sync.run()
    engine.cancel(case_id, actor="manager", reason="клиент ушёл")
    development.sign(document_of(case_id).sent_id)
    assert sync.run() == "sent 0, changed 1, reported 0"
    row = document_of(case_id)
    assert row.reported_at is not None and "cancelled" in row.report_error
    assert messages_received(case_id) == []
    assert sync.run() == "sent 0, changed 0, reported 0"


def test_send_refuses_a_malformed_inn_or_kpp_and_an_empty_document(edo_app):
    case_id = waiting_case(7, uses_edo=False)
    document = File("contract.pdf", "application/pdf", PDF)
    for counterparty, field in ((Counterparty("77070838"), "inn"),
                                (Counterparty("7707083893", "77360100"), "kpp"),
                                (Counterparty("500100732259", "773601001"), "kpp")):
        with pytest.raises(ValidationError) as refused:
            send(document, counterparty, instance_id=case_id, actor="analyst1")
        assert field in refused.value.fields
    with pytest.raises(ValidationError) as refused:
        send(File("contract.pdf", "application/pdf", b""), Counterparty("7707083893"), instance_id=case_id,
             actor="analyst1")
    assert "document" in refused.value.fields
    db.session.rollback()


def test_edo_send_refuses_a_file_of_another_case_as_an_incident_naming_the_task(edo_app):
    other = waiting_case(8, uses_edo=False)
    foreign = attachments.attach(other, File("чужой.pdf", "application/pdf", PDF), actor="analyst1")
    case = engine.start("edo_contract", actor="analyst1", data={"deal_id": 9, "uses_edo": True,
                                                                 "inn": "7707083893", "kpp": None,
                                                                 "company": "ИП", "email": "a@b.test"})
    task = open_tasks(case.id)["approve"]
    with pytest.raises(IncidentError) as failed:
        engine.complete_task(task.id, actor="analyst1", data={"contract": attachments.reference(foreign)})
    assert "send_edo" in str(failed.value) and "not a file of this case" in str(failed.value)
    assert document_of(case.id) is None


TESTING = {"TASKLANE_ENV": "testing", "TASKLANE_SECRET_KEY": "test"}


def test_the_adapter_setting_takes_development_or_an_installed_factory_and_refuses_diadoc_by_name():
    assert config_module.load(environ={}, overrides=TESTING)["TASKLANE_EDO_ADAPTER"] \
        == "development"
    with pytest.raises(ConfigError, match="docs/broker-edo.md"):
        config_module.load(environ={"TASKLANE_EDO_ADAPTER": "diadoc"}, overrides=TESTING)
    with pytest.raises(ConfigError):
        config_module.load(environ={"TASKLANE_EDO_ADAPTER": "no_such_package.adapter:make"},
                           overrides=TESTING)
    factory = "tests.processes.broker.edo_support:refusing"
    loaded = config_module.load(environ={"TASKLANE_EDO_ADAPTER": factory}, overrides=TESTING)
    assert loaded["TASKLANE_EDO_ADAPTER"] == "tests.processes.broker.edo_support:refusing"

