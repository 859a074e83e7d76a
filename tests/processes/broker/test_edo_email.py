"""The e-mail path: a client without ЭДО gets the contract by e-mail, through the outbox, sent
once by the workers to a real SMTP server (a local one on loopback here) with the file attached."""
import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

import engine
from engine import attachments, outbox
from engine.db import db
from engine.errors import IncidentError, ValidationError
from engine.models import MailMessage, Outbox
from processes.broker.edo.adapter import File
from processes.broker.edo.mail import send_document
from tests.engine.helpers import open_tasks
from tests.processes.broker.edo_support import (
    CLIENT,
    PDF,
    case_state,
    document_of,
    waiting_case,
)
from workers import delivery


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(edo_app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    edo_app.config.update(TASKLANE_SMTP_HOST="127.0.0.1", TASKLANE_SMTP_PORT=port)
    yield handler
    controller.stop()


def _mail_of(case_id):
    db.session.expire_all()
    return db.session.query(Outbox).filter_by(instance_id=case_id, channel="email").one()


def test_a_client_without_edo_gets_the_contract_by_email_with_the_file_attached(edo_app, smtp_server):
    case_id = waiting_case(7, uses_edo=False)
    assert case_state(case_id) == ("running", ["check_scan"]) and document_of(case_id) is None
    row = _mail_of(case_id)
    assert (row.recipient, row.subject, row.state) == ("client@example.test", "Договор № 7", "pending")
    row_id = row.id
    del row   # the worker reads the row afresh

    assert delivery.deliver(row_id) == "sent"
    db.session.expire_all()
    assert delivery.deliver(row_id) == "sent"   # the row's state: sent once
    [envelope] = smtp_server.messages
    assert envelope.rcpt_tos == ["client@example.test"]
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"] == "Договор № 7"
    assert "подпишите его и пришлите скан" in message.get_body(("plain",)).get_content()
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "Договор 7.pdf" and attached.get_content_type() == "application/pdf"
    assert attached.get_content() == PDF


def test_without_smtp_the_contract_email_lands_in_the_dev_mailbox_naming_its_file(edo_app):
    case_id = waiting_case(7, uses_edo=False)
    row = _mail_of(case_id)
    delivery.deliver(row.id)
    [mail] = db.session.query(MailMessage).all()
    assert (mail.recipient, mail.subject) == ("client@example.test", "Договор № 7")
    assert [name for name, _type, _data in outbox.attached_files(row)] == ["Договор 7.pdf"]


def test_a_malformed_address_is_an_incident_of_the_case_naming_the_task(edo_app):
    case = engine.start("edo_contract", actor="analyst1",
                        data={"deal_id": 9, "uses_edo": False, **CLIENT, "email": "не адрес"})
    contract = attachments.attach(case.id, File("contract.pdf", "application/pdf", PDF), actor="analyst1")
    task = open_tasks(case.id)["approve"]
    with pytest.raises(IncidentError) as failed:
        engine.complete_task(task.id, actor="analyst1", data={"contract": attachments.reference(contract)})
    assert "send_email" in str(failed.value) and "e-mail address" in str(failed.value)
    assert db.session.query(Outbox).filter_by(channel="email").count() == 0


def test_send_document_takes_plain_values_and_refuses_what_cannot_be_sent(edo_app):
    contract = File("contract.pdf", "application/pdf", PDF)
    row = send_document("client@example.test", "Договор", "", [contract])
    db.session.commit()
    assert row.params["attachments"] == [{"filename": "contract.pdf", "content_type": "application/pdf",
                                          "sha256": contract.sha256}]
    for to, subject, documents, field in (("a@b.test, c@d.test", "x", [contract], "to"),
                                          ("a@b.test", " ", [contract], "subject"),
                                          ("a@b.test", "x", [], "document")):
        with pytest.raises(ValidationError) as refused:
            send_document(to, subject, "", documents)
        assert field in refused.value.fields
    with pytest.raises(ValidationError):
        outbox.add("sms", "+79161234567", body="x", attachments=[contract])
    db.session.rollback()
