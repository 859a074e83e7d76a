"""The broker team's pages (issue 15): the queue of deals (by step and state, the analyses
due first, due times in the reader's zone with "overdue" marks) and a deal with everything
on one page: its data, documents with downloads, the pre-check, the range, the history and
the open task. The checklist and question editors are :mod:`.editors`.

Only the team (``broker_analyst``, ``broker_lead``) and admins open them.

:raise 403: anyone else
:raise 404: no such deal
"""
from functools import wraps

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import case, func, select

from engine.db import db
from processes.broker import deals
from processes.broker import steps as deal_steps
from processes.broker.models import STATES, STEPS, Deal
from web import access
from web.access.routes import ROUTES, allowed

from . import views

bp = Blueprint("broker", __name__, url_prefix="/broker")
PAGE = 50
ANALYSIS_STEPS = (5, 6)
PRECHECK_PROCESS = "broker_deal"


def team_required(view):
    """Signed in as the broker team or an admin. :raise 403: anyone else"""
    @login_required
    @wraps(view)
    def checked(*args, **kwargs):
        access.check(deals.is_team(access.roles(current_user)))
        return view(*args, **kwargs)
    return checked


def _number(name, allowed_values):
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and int(value) in allowed_values else None


def _queue(state, step, page):
    query = select(Deal)
    if state is not None:
        query = query.filter(Deal.state == state)
    if step is not None:
        query = query.filter(Deal.step == step)
    due = (Deal.state == "open") & Deal.step.in_(ANALYSIS_STEPS) & Deal.range_from.is_(None)
    waiting = case((due, 0), else_=1)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(waiting, Deal.analysis_due_at.is_(None), Deal.analysis_due_at,
                                             Deal.created_at.desc(), Deal.id.desc())
                              .limit(PAGE).offset((page - 1) * PAGE)).all()
    return rows, total


def _counts():
    query = select(Deal.step, func.count()).filter(Deal.state == "open").group_by(Deal.step)
    return dict(db.session.execute(query).all())


@bp.get("/deals")
@team_required
def deal_queue():
    """Deals, the analyses due first (earliest due time first), then the newest.
    ``?state=`` (``open`` unless ``all``), ``?step=`` 1-12, ``?page=`` from 1; a bad value is ignored."""
    state = request.args.get("state", "open")
    state = state if state in STATES else None
    step = _number("step", STEPS)
    page = _number("page", range(1, 10_000)) or 1
    rows, total = _queue(state, step, page)
    cards = [(row, views.asked(row)) for row in rows]
    return render_template("broker_staff/queue.html", cards=cards, total=total, state=state, step=step,
                           page=page, more=page * PAGE < total, states=STATES, steps=STEPS, counts=_counts(),
                           analysis_steps=ANALYSIS_STEPS, step_name=deal_steps.name,
                           state_name=views.state_name, product_name=views.product_name)


@bp.get("/deals/<int:deal_id>")
@team_required
def deal_show(deal_id):
    """:raise 404: no such deal"""
    row = deals.readable(current_user.username, access.roles(current_user), deal_id)
    return render_template("broker_staff/show.html", **views.context(row), errors={},
                           fact_lines=views.facts(row), modeler_url=modeler_url())


def modeler_url():
    """The modeler's page of the deal's procedure, where the pre-check's table is edited
    (dmn-js), when the reader may open it; else ``None``."""
    endpoint = "modeler.modeler_edit"
    if endpoint not in ROUTES or not allowed(ROUTES[endpoint], access.roles(current_user), True):
        return None
    return url_for(endpoint, key=PRECHECK_PROCESS)
