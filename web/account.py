"""A customer's own page: what Tasklane has for them (tasks of their lane, their requests,
their notifications), instead of a staff inbox that would always be empty."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import inbox, notifications
from engine.db import db
from engine.models import ProcessDefinition, ProcessInstance
from engine.types import utcnow

from . import access, bell
from .formatting import process_names

bp = Blueprint("account", __name__)
SHOWN = 10


@bp.get("/me")
@login_required
def account_home():
    viewer, now = access.viewer(current_user), utcnow()
    tasks = [row for tab in ("mine", "queue")
             for row in inbox.page(viewer, inbox.Filters(tab=tab, per_page=SHOWN), now)[0]]
    me = current_user.username
    cases = db.session.scalars(select(ProcessInstance).where(ProcessInstance.started_by == me)
                               .order_by(ProcessInstance.id.desc()).limit(SHOWN)).all()
    notes = db.session.scalars(notifications.of(me).limit(SHOWN)).all()
    names = process_names(db.session.query(ProcessDefinition))
    return render_template("account/home.html", tasks=tasks, cases=cases, names=names,
                           notes=[(note, *bell.text(note)) for note in notes])
