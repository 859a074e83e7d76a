"""The caller's in-app notifications (the bell), newest first.

Title and body are in the caller's language where the bell knows the kind
(:func:`web.bell.text`); ``kind`` and ``params`` are there for programs.
"""
from sqlalchemy import select

from engine.models import Notification

from .. import bell
from .common import Viewed, caller, load_query, page, paginate
from .registry import operation
from .schemas import NotificationPageSchema, NotificationQuerySchema


@operation("/notifications", "GET", summary="The caller's notifications, newest first",
           tag="notifications", query=NotificationQuerySchema, response=NotificationPageSchema)
def notifications_list():
    """Only the caller's own; ``unread=true`` leaves out those already read."""
    query = load_query(NotificationQuerySchema)
    statement = (select(Notification).where(Notification.username == caller().username)
                 .order_by(Notification.created_at.desc(), Notification.id.desc()))
    if query["unread"]:
        statement = statement.where(Notification.read_at.is_(None))
    rows, total = paginate(statement, query)
    items = [Viewed(note, **dict(zip(("title", "body"), bell.text(note), strict=True))) for note in rows]
    return page(NotificationPageSchema, items, total, query)
