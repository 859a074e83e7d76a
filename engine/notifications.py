"""A user's in-app notifications (the bell): marking them read, one rule for the page and the API."""
from sqlalchemy import update

from .db import db
from .errors import NotFoundError
from .models import Notification
from .types import utcnow


def mark_read(username, note_id=None):
    """Mark ``username``'s notification ``note_id`` read (all of theirs when ``None``) and commit.

    Reading twice changes nothing the second time: the first moment read stays.

    :returns: the notification (``None`` when marking all)
    :raises NotFoundError: ``note_id`` is not one of ``username``'s
    """
    statement = update(Notification).where(Notification.username == username,
                                           Notification.read_at.is_(None)).values(read_at=utcnow())
    note = None
    if note_id is not None:
        note = db.session.get(Notification, note_id)
        if note is None or note.username != username:
            raise NotFoundError("no such notification")
        statement = statement.where(Notification.id == note_id)
    db.session.execute(statement)
    db.session.commit()
    if note is not None:
        db.session.refresh(note)
    return note
