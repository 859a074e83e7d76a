"""The prospect pipeline (seed 004): the board, the list, a prospect's page, moving it.

Who sees what follows the lead list: sales their own prospects and the unowned
ones, managers, admins and auditors all; auditors change nothing. The prospect
page's form and the board's drag and drop post to the same endpoint, which goes
through :func:`processes.pipeline.prospects.move` (one check for both); the board asks for JSON.

:raise 403: other roles; auditors on every change; sales on someone else's prospect
:raise 404: no such customer or file
:raise 409: not in the pipeline, its conversion is pending, or moved by someone else
:raise 422: bad stage, no note, refused file (nothing stored)
"""
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

import forms
from crm.models import Customer, Interaction
from engine import attachments
from engine.db import db
from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.models import HumanTask
from engine.types import utcnow
from processes.pipeline import prospects as pipeline
from processes.pipeline import stages
from web import access, orders
from web.cases import download
from web.customers import READERS, labels, sales_users
from web.limits import db_int

bp = Blueprint("pipeline", __name__)
PER_PAGE = 25


def kind_labels():
    return {"open": _("In progress"), "won": _("Won: signed / deposit"), "lost": _("Lost: care stopped")}


def _locale():
    return str(get_locale())


def _check_reader():
    access.check(bool(access.roles(current_user) & READERS))


def _sees_all():
    return access.sees_all_customers(current_user)


def _may_see(row):
    return access.may_see_customer(current_user, row)


def may_change(row):
    return access.may_change_customer(current_user, row)


def _prospect(customer_id):
    _check_reader()
    row = pipeline.customer(customer_id)
    access.check(_may_see(row))
    return row


def _owner_filter():
    if _sees_all():
        return (request.args.get("owner") or "").strip()[:80] or None
    return current_user.username if request.args.get("mine") == "1" else None


def _visible(query):
    return access.visible_customers(query, current_user)


def _move_form(values=None, errors=None):
    return forms.describe(pipeline.FORM, f"{pipeline.FORM}-uischema", locale=_locale(), values=values or {},
                          errors=errors, timezone=current_user.timezone)


@bp.get("/pipeline")
@login_required
def pipeline_board():
    _check_reader()
    owner, needle = _owner_filter(), (request.args.get("q") or "").strip()[:100] or None
    columns = pipeline.board(owner=owner, search=needle, narrow=_visible)
    return render_template("pipeline/board.html", columns=columns, locale=_locale(), kinds=kind_labels(),
                           filters={"owner": owner, "q": needle, "mine": request.args.get("mine")},
                           owners=_owners(), form=_move_form(), may_move=not access.is_auditor(current_user)
                           or access.is_staff(current_user), now=utcnow(), labels=labels())


@bp.get("/pipeline/list")
@login_required
def pipeline_list():
    _check_reader()
    args = request.args
    stage = next((s for s in stages.ordered(include_inactive=True) if s.key == args.get("stage")), None)
    owner, needle = _owner_filter(), (args.get("q") or "").strip()[:100] or None
    page = max(1, args.get("page", 1, type=db_int) or 1)
    closed = args.get("closed") == "1"
    query = _visible(pipeline.prospects(owner=owner, stage_id=stage.id if stage else None, search=needle,
                                        include_closed=closed))
    rows = (query.order_by(Customer.stage_changed_at.desc(), Customer.id.desc())
            .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE).all())
    filters = {"stage": stage.key if stage else None, "owner": owner, "q": needle,
               "closed": "1" if closed else None}
    return render_template("pipeline/list.html", prospects=rows[:PER_PAGE], more=len(rows) > PER_PAGE,
                           page=page, filters=filters, stages=stages.ordered(include_inactive=True),
                           names=pipeline.stage_names(_locale()), owners=_owners(), labels=labels(),
                           now=utcnow())


def _owners():
    return sales_users() if _sees_all() else []


@bp.get("/pipeline/<int:customer_id>")
@login_required
def prospect_show(customer_id):
    return _prospect_page(_prospect(customer_id))


def _prospect_page(row, *, values=None, errors=None, chosen=None, status=200):
    case = pipeline.case_of(row)
    pending = None
    if case is not None:
        pending = db.session.query(HumanTask).filter_by(instance_id=case.id, state="open").first()
    calls = (db.session.query(Interaction).filter_by(customer_id=row.id)
             .order_by(Interaction.at.desc(), Interaction.id.desc()).limit(50).all())
    return render_template(
        "pipeline/show.html", prospect=row, case=case, pending=pending, history=pipeline.history(row),
        names=pipeline.stage_names(_locale()), stages=stages.ordered(), calls=calls, labels=labels(),
        kinds=kind_labels(), form=_move_form(values, errors), stage_error=(errors or {}).get("stage"),
        chosen=chosen, next_stage=_next_stage(row), may_change=may_change(row), now=utcnow(),
        orders=orders.listing(row, current_user), order_statuses=orders.status_labels()), status


def _next_stage(row):
    """The stage after the prospect's in board order: what the move form offers first."""
    ordered = stages.ordered()
    ids = [s.id for s in ordered]
    at = ids.index(row.stage_id) + 1 if row.stage_id in ids else 0
    return ordered[at].key if at < len(ordered) else None


@bp.post("/pipeline/<int:customer_id>/move")
@login_required
def prospect_move(customer_id):
    """Move a prospect; JSON in and out for the board (``Accept: application/json``)."""
    row = _prospect(customer_id)
    access.check(may_change(row))
    wants_json = request.accept_mimetypes.best == "application/json"
    fields = request.form.copy()
    stage_key = fields.pop("stage", None)   # the stage is chosen beside the prospect-stage form
    try:
        target = pipeline.move(row.id, stage_key, actor=current_user.username, formdata=fields,
                               files=request.files, locale=_locale(), timezone=current_user.timezone)
    except ValidationError as error:
        db.session.rollback()
        if wants_json:
            return jsonify(error=error.message, fields=error.fields or {}), 422
        flash(_("Please correct the marked fields."), "error")
        return _prospect_page(row, values=request.form, errors=error.fields, chosen=stage_key, status=422)
    except ConflictError as error:
        db.session.rollback()
        if wants_json:
            return jsonify(error=error.message), 409
        flash(error.message, "error")
        return _prospect_page(pipeline.customer(customer_id), status=409)
    message = _moved_message(target)
    if wants_json:
        return jsonify(stage=target.key, kind=target.kind, message=message,
                       url=url_for("pipeline.prospect_show", customer_id=row.id))
    flash(message, "success")
    return redirect(url_for("pipeline.prospect_show", customer_id=row.id))


def _moved_message(target):
    name = target.name(_locale())
    if target.kind == "won":
        return _("Moved to %(stage)s. The conversion into a customer is waiting in your inbox.", stage=name)
    return _("Moved to %(stage)s.", stage=name)


@bp.post("/pipeline/<int:customer_id>/enter")
@login_required
def prospect_enter(customer_id):
    row = _prospect(customer_id)
    access.check(may_change(row))
    try:
        pipeline.enter(row.id, actor=current_user.username)
    except ConflictError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("pipeline.prospect_show", customer_id=row.id))
    flash(_("Added to the pipeline."), "success")
    return redirect(url_for("pipeline.prospect_show", customer_id=row.id))


@bp.get("/pipeline/<int:customer_id>/files/<int:attachment_id>")
@login_required
def prospect_file(customer_id, attachment_id):
    """A file attached to one of the prospect's stage changes."""
    row = _prospect(customer_id)
    file_row, data = attachments.read(attachment_id)
    cases = {change.instance_id for change in pipeline.history(row)}
    if file_row.instance_id not in cases:
        raise NotFoundError(_("Not found."))
    return download(file_row, data)
