"""The bell: in-app notifications, an unread count in the header, read when opened."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from engine import notifications
from engine.db import db
from engine.errors import NotFoundError
from engine.models import Notification

bp = Blueprint("bell", __name__)
SHOWN = 50


def unread_count():
    if not current_user.is_authenticated:
        return 0
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.username == current_user.username, Notification.read_at.is_(None)))


def text(note):
    """``(title, body)`` of a notification in the reader's language, by the renderer its
    kind's domain declared (``Domain.notifications``); an unknown kind shows as stored."""
    render = current_app.extensions["tasklane_notifications"].get(note.kind)
    return render(note) if render is not None else (note.title, note.body)


@bp.get("/notifications")
@login_required
def notification_index():
    notes = db.session.scalars(notifications.of(current_user.username).limit(SHOWN)).all()
    return render_template("bell/index.html", notes=[(n, *text(n)) for n in notes])


@bp.get("/notifications/badge")
@login_required
def notification_badge():
    return render_template("bell/_badge.html")


@bp.get("/notifications/<int:note_id>")
@login_required
def notification_show(note_id):
    """Mark the notification read and go where it points (a page of this site only)."""
    try:
        note = notifications.mark_read(current_user.username, note_id)
    except NotFoundError:
        return redirect(url_for("bell.notification_index"))
    link = note.link or ""
    parts = urlsplit(link)
    if link.startswith("/") and not parts.netloc and not parts.scheme:
        return redirect(link)
    return redirect(url_for("bell.notification_index"))


@bp.post("/notifications/read")
@login_required
def notification_read_all():
    notifications.mark_read(current_user.username)
    return redirect(url_for("bell.notification_index"))


def init_app(app):
    app.register_blueprint(bp)
    app.jinja_env.globals["unread_count"] = unread_count
