"""Outbox rows are delivered once: the bell, the dev mailbox, a real SMTP server."""
import socket

import pytest
from aiosmtpd.controller import Controller

from engine import outbox
from engine.db import db
from engine.models import MailMessage, Notification, Outbox
from workers import delivery, jobs


def _row(channel, recipient, **kwargs):
    row = outbox.add(channel, recipient, **kwargs)
    db.session.commit()
    return row.id


def test_bell_notification_is_delivered_once_even_if_the_job_runs_twice(app):
    row_id = _row("in_app", "sales1", subject="Call back now", link="/tasks/1")
    assert jobs.deliver(row_id) == "sent"
    assert jobs.deliver(row_id) == "sent"  # the row's state, unchanged
    [bell] = db.session.query(Notification).all()
    assert (bell.username, bell.title, bell.link) == ("sales1", "Call back now", "/tasks/1")
    assert bell.outbox_id == row_id
    assert db.session.get(Outbox, row_id).attempts == 1


def test_email_without_smtp_lands_in_the_dev_mailbox(app):
    row_id = _row("email", "an@example.test", subject="Xin chào", body="Nội dung")
    delivery.deliver(row_id)
    [mail] = db.session.query(MailMessage).all()
    assert (mail.recipient, mail.subject, mail.body) == ("an@example.test", "Xin chào", "Nội dung")


def test_sms_goes_to_the_log_gateway_in_development(app):
    row_id = _row("sms", "+84912345678", body="Hẹn gọi lại 15:00")
    delivery.deliver(row_id)
    [sms] = db.session.query(MailMessage).filter_by(channel="sms").all()
    assert sms.recipient == "+84912345678"


def test_unknown_channel_and_empty_recipient_are_refused(app):
    from engine.errors import ValidationError

    with pytest.raises(ValidationError):
        outbox.add("fax", "x")
    with pytest.raises(ValidationError):
        outbox.add("email", "")


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    handler, port = _Inbox(), _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(TASKLANE_SMTP_HOST="127.0.0.1", TASKLANE_SMTP_PORT=port)
    yield handler
    controller.stop()


def test_email_is_sent_once_through_a_real_smtp_server(app, smtp_server):
    row_id = _row("email", "an@example.test", subject="Hợp đồng sắp hết hạn", body="Xin chào")
    assert delivery.deliver(row_id) == "sent"
    assert delivery.deliver(row_id) == "sent"
    [message] = smtp_server.messages
    assert message.rcpt_tos == ["an@example.test"]
    assert f"Message-ID: <outbox-{row_id}@tasklane>".encode() in message.content
    assert db.session.get(Outbox, row_id).state == "sent"


def test_smtp_failure_keeps_the_row_pending_with_the_error(app):
    app.config.update(TASKLANE_SMTP_HOST="127.0.0.1", TASKLANE_SMTP_PORT=_free_port())
    row_id = _row("email", "an@example.test", subject="x")
    with pytest.raises(OSError):
        delivery.deliver(row_id)
    db.session.expire_all()
    row = db.session.get(Outbox, row_id)
    assert row.state == "pending" and row.attempts == 1 and row.last_error


FAILS_AT_START = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t">
  <bpmn:process id="divides" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="share"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>share = 100 // parts</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="share" />
    <bpmn:sequenceFlow id="f2" sourceRef="share" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_start_whose_script_fails_is_not_retried_and_is_an_incident_of_the_asking_case(app):
    import engine
    from engine.errors import ScriptError
    from engine.models import AuditEvent, ProcessInstance

    engine.deploy(FAILS_AT_START, actor="owner", name="divides.bpmn")
    asking = engine.start("divides", actor="sales1", data={"parts": 4})
    row_id = _row("start", "divides", params={"data": {"parts": 0}}, instance_id=asking.id)
    with pytest.raises(ScriptError):
        jobs.deliver(row_id)
    db.session.expire_all()
    row = db.session.get(Outbox, row_id)
    assert row.state == "failed" and row.attempts == 1 and "a division by zero" in row.last_error
    assert db.session.query(ProcessInstance).count() == 1
    incidents = db.session.query(AuditEvent).filter_by(kind="incident").order_by(AuditEvent.id).all()
    assert [(e.stream, e.element_id) for e in incidents] == [("definition:divides", "share"),
                                                            (f"instance:{asking.id}", "share")]
    assert "a division by zero" in db.session.get(ProcessInstance, asking.id).error
