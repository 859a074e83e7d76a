"""Notifications written in the transaction that causes them, sent after commit."""
from sqlalchemy import case, select

from .db import db
from .errors import ValidationError
from .models import AttachmentBlob, HumanTask, Outbox
from .unit import current_unit

# "start" starts another process once this transaction commits (recipient: its key;
# params: data and business_key); see workers/delivery.py.
CHANNELS = ("in_app", "email", "sms", "start")
# Every bell links to what it is about; one a step rings without naming a page (a
# script's ``notify``, the call-back bell) opens the case it came from.
CASE_LINK = "/cases/{id}"


def add(channel, recipient, *, subject="", body="", link=None, instance_id=None, kind=None,
        params=None, attachments=None):
    """Queue a message to send once the current transaction commits.

    ``kind`` and ``params`` name a message the web layer shows in the reader's
    language (``subject`` and ``body`` are the fallback text). A bell without a ``link``
    links to its case (:data:`CASE_LINK`).
    Inside an instance's unit of work (a script calling a helper) the row joins
    that unit and is scheduled after its commit.

    :param attachments: files an e-mail carries: objects with ``filename``,
        ``content_type`` and ``sha256`` whose bytes are stored (``attachment_blob``: a
        case's file, or :func:`keep_file`); kept in ``params["attachments"]``
    :raises ValidationError: unknown channel, empty recipient, attachments on another
        channel than e-mail or whose bytes are not stored
    """
    if channel not in CHANNELS:
        raise ValidationError(f"unknown channel '{channel}'", fields={"channel": "unknown"})
    if not recipient:
        raise ValidationError("a message needs a recipient", fields={"recipient": "required"})
    if attachments:
        params = {**(params or {}), "attachments": _attachments(channel, attachments)}
    work = current_unit()
    if work is not None and instance_id is None:
        instance_id = work.instance.id
    if channel == "in_app" and not link and instance_id is not None:
        link = CASE_LINK.format(id=instance_id)
    row = Outbox(channel=channel, recipient=str(recipient), subject=subject, body=body,
                 link=link, instance_id=instance_id, kind=kind, params=params,
                 state="pending")
    db.session.add(row)
    db.session.flush()
    if work is not None:
        work.outbox.append(row)
    return row


def keep_file(file):
    """Store ``file``'s bytes (``filename``, ``content_type``, ``data``, ``sha256``) once, in the
    current transaction, for an e-mail to carry (:func:`add`'s ``attachments``)."""
    if db.session.get(AttachmentBlob, file.sha256) is None:
        db.session.add(AttachmentBlob(sha256=file.sha256, data=file.data, size=len(file.data)))
        db.session.flush()
    return file


def _attachments(channel, files):
    if channel != "email":
        raise ValidationError("only an e-mail carries files", fields={"attachments": "e-mail only"})
    listed = [{"filename": f.filename, "content_type": f.content_type, "sha256": f.sha256} for f in files]
    for item in listed:
        if db.session.get(AttachmentBlob, item["sha256"]) is None:
            raise ValidationError(f"the file {item['filename']} is not stored",
                                  fields={"attachments": "not stored"})
    return listed


def attached_files(row):
    """``[(filename, content_type, bytes)]`` of the files an outbox row's e-mail carries."""
    found = []
    for item in (row.params or {}).get("attachments") or []:
        blob = db.session.get(AttachmentBlob, item["sha256"])
        found.append((item["filename"], item["content_type"], blob.data))
    return found


# A bell's link that names the task its step opens next (a call-back bell rings in the step
# that opens the call task, before the task has an id): :func:`resolve_link` at delivery.
OPEN_TASK = "task:open"
TASK_LINK = "/tasks/{id}"


def resolve_link(row):
    """The link a delivered bell shows: :data:`OPEN_TASK` becomes the open task of the row's
    case (the recipient's, else the newest), or the case when it has none open."""
    if row.link != OPEN_TASK:
        return row.link
    if row.instance_id is None:
        return None
    mine = case((HumanTask.assignee == row.recipient, 0), else_=1)
    task_id = db.session.scalar(select(HumanTask.id).where(
        HumanTask.instance_id == row.instance_id, HumanTask.state == "open")
        .order_by(mine, HumanTask.created_at.desc()).limit(1))
    return TASK_LINK.format(id=task_id) if task_id else CASE_LINK.format(id=row.instance_id)


def start_after_commit(key, *, data=None, business_key=None):
    """Start an instance of process ``key`` once the current transaction commits.

    The row commits with the step that asks for it, and the worker starts the instance
    and marks the row sent in one transaction: the instance starts exactly once, even
    if the step is retried or the worker is killed. A refused start (process not
    deployed, a failing script) is retried up to five times, then left ``failed`` with
    its error for an operator.
    """
    return add("start", key, subject=f"start {key}",
               params={"data": data or {}, "business_key": business_key})
