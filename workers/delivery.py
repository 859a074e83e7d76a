"""Deliver outbox rows: the in-app bell, e-mail (SMTP or the dev mailbox), SMS (log gateway),
and starts of other processes (a start whose script fails is not retried: the row
fails at once and the case that asked for it gets an incident).

Local deliveries (bell, dev mailbox, SMS log) happen in one transaction with the
row's ``pending -> sent`` update, so they happen once. SMTP cannot join that
transaction: the row is claimed ``pending -> sending`` first, and a crash between
sending and recording leaves it ``sending`` until the sweep retries it; the
Message-ID is the outbox id so mail clients drop a duplicate.
"""
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import update

import engine
from engine import incidents, outbox
from engine.db import db
from engine.errors import IncidentError, TasklaneError
from engine.models import MailMessage, Notification, Outbox
from engine.types import utcnow

MAX_ATTEMPTS = 5


def deliver(outbox_id):
    row = db.session.get(Outbox, outbox_id)
    if row is None or row.state not in ("pending",):
        return row.state if row else "missing"
    if row.channel == "email" and current_app.config.get("TASKLANE_SMTP_HOST"):
        return _deliver_smtp(outbox_id)
    if row.channel == "start":
        return _deliver_start(row)
    return _deliver_local(row)


def _claim(outbox_id, from_state, to_state, **values):
    result = db.session.execute(
        update(Outbox).where(Outbox.id == outbox_id, Outbox.state == from_state)
        .values(state=to_state, **values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _deliver_local(row):
    outbox_id, now = row.id, utcnow()
    if row.channel == "in_app":
        record = Notification(outbox_id=row.id, username=row.recipient, title=row.subject,
                              body=row.body, link=outbox.resolve_link(row), kind=row.kind,
                              params=row.params, created_at=now)
    else:
        record = MailMessage(outbox_id=row.id, channel=row.channel, recipient=row.recipient,
                             subject=row.subject, body=row.body, created_at=now)
    if not _claim(outbox_id, "pending", "sent", sent_at=now, attempts=Outbox.attempts + 1):
        db.session.rollback()
        return "already sent"
    db.session.add(record)
    db.session.commit()
    return "sent"


def _deliver_start(row):
    """Start the process named by the row; the row's ``sent`` commits with the start."""
    outbox_id, key, params = row.id, row.recipient, row.params or {}
    try:
        with engine.begin():
            claimed = _claim(outbox_id, "pending", "sent", sent_at=utcnow(), attempts=Outbox.attempts + 1)
            if claimed:
                engine.start(key, actor="system", data=params.get("data") or {},
                             business_key=params.get("business_key"))
    except TasklaneError as error:  # the block rolled back, the claim with it
        row = db.session.get(Outbox, outbox_id, populate_existing=True)
        # A failing script fails the same way again: no retries, an incident on the asking case.
        incident = isinstance(error, IncidentError)
        state = "failed" if incident or row.attempts + 1 >= MAX_ATTEMPTS else "pending"
        _claim(outbox_id, "pending", state, attempts=Outbox.attempts + 1, last_error=str(error)[:2000])
        db.session.commit()
        if incident and row.instance_id is not None:
            incidents.record(row.instance_id, error, actor="system")
        raise
    return "sent" if claimed else "already sent"


def _deliver_smtp(outbox_id):
    if not _claim(outbox_id, "pending", "sending", attempts=Outbox.attempts + 1):
        db.session.rollback()
        return "already sending"
    db.session.commit()
    row = db.session.get(Outbox, outbox_id)
    message = EmailMessage()
    message["From"] = current_app.config["TASKLANE_MAIL_FROM"]
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Message-ID"] = f"<outbox-{row.id}@tasklane>"
    message.set_content(row.body)
    for filename, content_type, data in outbox.attached_files(row):
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype or "application",
                               subtype=subtype or "octet-stream", filename=filename)
    try:
        with smtplib.SMTP(current_app.config["TASKLANE_SMTP_HOST"],
                          current_app.config["TASKLANE_SMTP_PORT"], timeout=30) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        state = "failed" if row.attempts >= MAX_ATTEMPTS else "pending"
        _claim(outbox_id, "sending", state, last_error=str(error))
        db.session.commit()
        raise
    _claim(outbox_id, "sending", "sent", sent_at=utcnow())
    db.session.commit()
    return "sent"
