"""The task inbox: tabs, filters, search, paging; claim, unclaim and assign.

Every page works without JavaScript; with htmx the list, tab counts and actions
update in place (a request with ``HX-Request`` gets the list fragment only).
"""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from accounts.models import User
from crm import arrivals
from engine import assignment, inbox
from engine.db import db
from engine.errors import ValidationError
from engine.models import ProcessDefinition, ProcessInstance
from engine.types import utcnow
from forms import phone_search
from forms.phone import reader_region

from . import access, navigation, task_actions
from .customers import labels
from .formatting import process_name, process_names
from .limits import db_int

bp = Blueprint("inbox", __name__)


def filters_from(args):
    """:class:`engine.inbox.Filters` from query arguments; unknown values are ignored."""
    tab = args.get("tab", "mine")
    due = args.get("due") or None
    order = args.get("order") or None
    search = (args.get("q") or "").strip()[:100] or None
    return inbox.Filters(
        order=order if order in inbox.ORDERS else None,
        tab=tab if tab in inbox.TABS else "mine",
        process=args.get("process") or None,
        due=due if due in inbox.DUE_FILTERS else None,
        assignee=args.get("assignee") or None,
        search=search,
        phone=phone_search.read(search, reader_region()),
        page=args.get("page", 1, type=db_int) or 1,
        per_page=args.get("per_page", 25, type=db_int) or 25,
    )


def _context(filters):
    viewer = access.viewer(current_user)
    if filters.tab == "all" and not viewer.sees_all:
        filters.tab = "mine"
    now = utcnow()
    rows, total = inbox.page(viewer, filters, now)
    pages = max(1, (min(total, inbox.COUNT_CAP) + filters.per_page - 1) // filters.per_page)
    return {"rows": rows, "total": total, "pages": pages, "cap": inbox.COUNT_CAP, "filters": filters,
            "now": now,
            "counts": inbox.counts(viewer, now, filters, known={filters.tab: total}), "viewer": viewer,
            "processes": (processes := sorted(db.session.query(ProcessDefinition).all(), key=process_name)),
            "process_names": process_names(processes),
            "assignees": (people := _task_holders()) if viewer.sees_all else [],
            "team_of": _teams(people if viewer.sees_all else []),
            "may_take": lambda task: access.may_take(current_user, task),
            "order": filters.order or inbox.default_order(filters.tab),
            "about": _about(rows), "source_labels": labels()["source"]}


def _about(rows):
    """``{instance_id: (since, source)}`` of the page's tasks: when the customer a case is
    about came in and from where (a lead's age and source, :mod:`crm.arrivals`), else when
    the case started."""
    ids = {row.instance_id for row in rows}
    if not ids:
        return {}
    about = {case_id: (started, None) for case_id, started in db.session.execute(
        select(ProcessInstance.id, ProcessInstance.started_at).where(ProcessInstance.id.in_(ids)))}
    about.update(arrivals.of_cases(ids))
    return about


def _task_holders():
    """Active users who may hold some task: staff and managers (never auditors, referrers
    or customers), for the assignee filter."""
    users = db.session.query(User).filter_by(active=True).order_by(User.username).all()
    return [user for user in users if access.is_staff(user) or access.is_manager(user)]


def _teams(people):
    """``team_of(task)``: who of ``people`` may take ``task`` (active, of its lane's role, or
    a manager), the only names the assign list offers (the server refuses anyone else)."""
    teams = {}

    def team_of(task):
        if task.candidate_role not in teams:
            teams[task.candidate_role] = [user for user in people if access.may_take_role(user, task)]
        return teams[task.candidate_role]

    return team_of


@bp.get("/inbox")
@login_required
def inbox_index():
    context = _context(filters_from(request.args))
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "inbox-list":
        return render_template("inbox/_list.html", **context)
    return render_template("inbox/index.html", **context)


def _after_action():
    """Back to the inbox the action came from: its list fragment for htmx, else a redirect."""
    if request.headers.get("HX-Request"):
        return render_template("inbox/_list.html", **_context(filters_from(request.form)))
    return redirect(request.form.get("next") or url_for("inbox.inbox_index"))


@bp.post("/tasks/<task_id>/claim")
@login_required
def task_claim(task_id):
    """The API's rule (:mod:`web.task_actions`).

    :raise 403: not the user's to take  :raise 409: someone else holds it, or it was completed
    """
    task_actions.claim(current_user, task_id)
    return _after_action()


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def task_unclaim(task_id):
    """The API's rule (:mod:`web.task_actions`).

    :raise 403: neither the assignee nor a manager  :raise 409: completed or cancelled
    """
    task_actions.release(current_user, task_id)
    return _after_action()


@bp.post("/tasks/<task_id>/assign")
@login_required
def task_assign(task_id):
    """:raise 403: not a manager  :raise 422: unknown user or one who may not take the task
    :raise 409: completed or cancelled (as the API answers)"""
    access.check(access.may_assign(current_user))
    task = task_actions.open_task(current_user, task_id)
    username = request.form.get("username") or None
    if username is not None:
        user = db.session.query(User).filter_by(username=username, active=True).first()
        if user is None or not access.may_take_role(user, task):
            raise ValidationError(_("This person cannot take this task."),
                                  fields={"username": _("Choose someone of the task's team.")})
    task_actions.attempt(task_id, lambda: assignment.assign(task_id, username, actor=current_user.username))
    return _after_action()


@bp.get("/")
def home():
    """Each side its own landing page (:func:`web.navigation.landing`): the inbox for staff,
    the portal for a referrer, their page for a customer, the dashboard for an auditor."""
    if current_user.is_authenticated:
        return redirect(navigation.landing(current_user))
    return redirect(url_for("auth.session_new"))
