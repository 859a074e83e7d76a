"""Notifications written in the transaction that causes them, sent after commit."""
from .db import db
from .errors import ValidationError
from .models import Outbox
from .unit import current_unit

CHANNELS = ("in_app", "email", "sms")


def add(channel, recipient, *, subject="", body="", link=None, instance_id=None, kind=None,
        params=None):
    """Queue a message to send once the current transaction commits.

    ``kind`` and ``params`` name a message the web layer shows in the reader's
    language (``subject`` and ``body`` are the fallback text).
    Inside an instance's unit of work (a script calling a helper) the row joins
    that unit and is scheduled after its commit.

    :raises ValidationError: unknown channel or empty recipient
    """
    if channel not in CHANNELS:
        raise ValidationError(f"unknown channel '{channel}'", fields={"channel": "unknown"})
    if not recipient:
        raise ValidationError("a message needs a recipient", fields={"recipient": "required"})
    work = current_unit()
    if work is not None and instance_id is None:
        instance_id = work.instance.id
    row = Outbox(channel=channel, recipient=str(recipient), subject=subject, body=body,
                 link=link, instance_id=instance_id, kind=kind, params=params,
                 state="pending")
    db.session.add(row)
    db.session.flush()
    if work is not None:
        work.outbox.append(row)
    return row
