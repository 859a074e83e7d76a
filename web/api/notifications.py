"""The caller's in-app notifications (the bell), newest first.

Title and body are in the caller's language where the bell knows the kind
(:func:`web.bell.text`); ``kind`` and ``params`` are there for programs.
"""
from engine import notifications

from .. import bell
from .common import Viewed, caller, load_query, page, paginate
from .registry import operation
from .schemas import NotificationPageSchema, NotificationQuerySchema, NotificationSchema


@operation("/notifications", "GET", summary="The caller's notifications, newest first",
           tag="notifications", query=NotificationQuerySchema, response=NotificationPageSchema)
def notifications_list():
    """Only the caller's own; ``unread=true`` leaves out those already read."""
    query = load_query(NotificationQuerySchema)
    rows, total = paginate(notifications.of(caller().username, unread=query["unread"]), query)
    return page(NotificationPageSchema, [_viewed(note) for note in rows], total, query)


@operation("/notifications/<int:note_id>/read", "POST", summary="Mark one of the caller's notifications read",
           tag="notifications", response=NotificationSchema, errors=(404,))
def notification_read(note_id):
    """Marks it read and answers it; reading it again keeps the first moment it was read.

    :raise 404: not one of the caller's notifications
    """
    return NotificationSchema().dump(_viewed(notifications.mark_read(caller().username, note_id)))


@operation("/notifications/read", "POST", summary="Mark all the caller's notifications read",
           tag="notifications", status=204)
def notifications_read_all():
    """Marks every unread notification of the caller read."""
    notifications.mark_read(caller().username)
    return "", 204


def _viewed(note):
    """``note`` with its title and body in the caller's language (:func:`web.bell.text`)."""
    return Viewed(note, **dict(zip(("title", "body"), bell.text(note), strict=True)))
