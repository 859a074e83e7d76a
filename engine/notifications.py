"""A user's in-app notifications (the bell): their order and marking them read, one rule
for every list (the bell's page, a customer's page, the API) and the API."""
from sqlalchemy import select, update

from .db import db
from .errors import NotFoundError
from .models import Notification
from .types import utcnow

# Newest first: by the moment the notification was made, then by id for those made in the
# same instant. Ids alone are not the order: a row delivered late (a retried delivery,
# demo data) gets a higher id than a newer one.
NEWEST_FIRST = (Notification.created_at.desc(), Notification.id.desc())


def of(username, *, unread=False):
    """A select of ``username``'s notifications (only the unread ones when ``unread``),
    newest first (:data:`NEWEST_FIRST`)."""
    statement = select(Notification).where(Notification.username == username).order_by(*NEWEST_FIRST)
    return statement.where(Notification.read_at.is_(None)) if unread else statement


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
