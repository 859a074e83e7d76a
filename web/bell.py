"""The bell: in-app notifications, an unread count in the header, read when opened."""
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from engine import notifications
from engine.db import db
from engine.errors import NotFoundError
from engine.models import Notification
from processes import referral

bp = Blueprint("bell", __name__)
SHOWN = 50
# Notifications of the loan referral procedure, titled by processes.referral.referral_texts.
REFERRAL_KINDS = frozenset({
    "referral_offered", "referral_accepted", "referral_offer_timed_out", "referral_unassigned",
    "cross_sell_started", "cross_sell_requested", "cross_sell_reminder", "cross_sell_expired",
    "referral_disbursed", "referral_failed"})


def unread_count():
    if not current_user.is_authenticated:
        return 0
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.username == current_user.username, Notification.read_at.is_(None)))


def text(note):
    """``(title, body)`` of a notification in the reader's language when its kind is known."""
    params = note.params or {}
    titles = params.get("titles") or {}
    title = titles.get(str(get_locale())) or note.title
    if note.kind == "task_assigned":
        return title, _("%(name)s assigned this task to you.", name=params.get("by", ""))
    if note.kind == "comment_added":
        return _("New comment on case #%(case)s", case=params.get("case", "")), \
            _("%(name)s wrote: %(text)s", name=params.get("by", ""), text=note.title)
    if note.kind == "deadline_near":
        return title, _("Due %(when)s.", when=params.get("due_local", ""))
    if note.kind in REFERRAL_KINDS:
        return referral.referral_texts(note.kind, params.get("name", "")), params.get("phone") or note.body
    if note.kind == "callback_due":
        return _("Call back %(name)s", name=params.get("name", "")), \
            _("The call-back time has come: %(phone)s.", phone=params.get("phone", ""))
    return note.title, note.body


@bp.get("/notifications")
@login_required
def notification_index():
    notes = db.session.scalars(select(Notification).where(Notification.username == current_user.username)
                               .order_by(Notification.id.desc()).limit(SHOWN)).all()
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
