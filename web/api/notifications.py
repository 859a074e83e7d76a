"""The caller's in-app notifications (the bell), newest first."""
from sqlalchemy import select

from engine.models import Notification

from .common import caller, load_query, page, paginate
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
    return page(NotificationPageSchema, rows, total, query)
