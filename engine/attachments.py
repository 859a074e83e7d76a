"""Files attached to a case: stored in the database once per SHA-256.

Uploads in a task form are stored in the same transaction that completes the task
(:func:`store_uploads`), so a refused or failed completion leaves no file behind
and a completed one cannot lose its files.
"""
from . import side
from .db import db
from .errors import NotFoundError
from .models import Attachment, AttachmentBlob

MAX_FILENAME = 255   # attachment.filename, process_version.source_name
MAX_EXTENSION = 16


def shorten_filename(name, limit=MAX_FILENAME):
    """``name`` cut to ``limit`` characters, keeping its extension (at most 16 characters),
    so a 5,000-character name is stored, not refused by the database."""
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > MAX_EXTENSION:
        return name[:limit]
    return f"{stem[:limit - len(extension) - 1]}.{extension}"


def is_upload(value):
    """Whether ``value`` is an uploaded file (``forms.uploads.Upload`` or alike)."""
    return all(hasattr(value, name) for name in ("filename", "content_type", "data", "sha256"))


def reference(row):
    """What task data keeps of a stored file."""
    return {"attachment_id": row.id, "filename": row.filename, "content_type": row.content_type,
            "size": row.size}


def store(upload, *, instance_id, actor, at, task_id=None, field=None):
    """Write one file's blob (if new) and its attachment row into the current transaction."""
    if db.session.get(AttachmentBlob, upload.sha256) is None:
        db.session.add(AttachmentBlob(sha256=upload.sha256, data=upload.data, size=len(upload.data)))
        db.session.flush()  # no relationship orders the two inserts: the blob must exist first
    row = Attachment(instance_id=instance_id, task_id=task_id, field=field and field[:MAX_FILENAME],
                     filename=shorten_filename(upload.filename),
                     content_type=upload.content_type, size=len(upload.data), sha256=upload.sha256,
                     uploaded_by=actor, created_at=at)
    db.session.add(row)
    db.session.flush()
    return row


def store_uploads(data, *, instance_id, actor, at, task_id=None, prefix=""):
    """Replace every upload inside ``data`` (nested dicts and lists too) by its reference.

    :returns: the new attachment rows
    """
    stored = []

    def walk(value, name):
        if is_upload(value):
            row = store(value, instance_id=instance_id, actor=actor, at=at, task_id=task_id, field=name)
            stored.append(row)
            return reference(row)
        if isinstance(value, dict):
            return {key: walk(item, f"{name}.{key}" if name else key) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, name) for item in value]
        return value

    return walk(data, prefix), stored


def attach(instance_id, upload, *, actor, task_id=None):
    """Attach a file to a case outside a task form (the case page), with an audit event.

    :raises NotFoundError: no such case
    """
    def action(change):
        row = store(upload, instance_id=instance_id, actor=actor, at=change.now, task_id=task_id)
        change.audit("attachment_added", task_id=task_id, details=reference(row))
        return row

    return side.apply(instance_id, actor, action)


def read(attachment_id):
    """``(attachment row, bytes)``.

    :raises NotFoundError: no such attachment
    """
    row = db.session.get(Attachment, attachment_id)
    if row is None:
        raise NotFoundError(f"attachment {attachment_id} does not exist")
    blob = db.session.get(AttachmentBlob, row.sha256)
    return row, blob.data
