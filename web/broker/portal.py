"""The partner's deals (issue 15): "My deals" with each deal's step and what is asked of the
partner now, a deal's page (its data, documents against the checklist, the pre-check, the
range, the history) and the new-deal form. Phone first (390 x 844), Russian first.

Only users with the ``partner`` role open it, and each sees only their own deals: every
read goes through processes.broker.deals.readable with the signed-in user, so another
partner's deal is a 404, never a 403 that confirms it exists.

:raise 403: any user without the partner role
:raise 404: no such deal of theirs
:raise 409: a document for a closed deal
:raise 422: invalid fields or file (nothing stored)
"""
from functools import wraps

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.db import db
from engine.errors import ConflictError, ValidationError
from processes.broker import deals, documents
from processes.broker import steps as deal_steps
from processes.broker.models import STATES, domain_currency
from web import access

from . import views

bp = Blueprint("broker_portal", __name__, url_prefix="/portal/deals")
PAGE = 20
FIELDS = ("company_name", "inn", "ogrn", "contact_name", "phone", "email", "amount", "term_months",
          "purpose", "product_id")


def partner_required(view):
    """Signed in with the partner role. :raise 403: any other user"""
    @login_required
    @wraps(view)
    def checked(*args, **kwargs):
        access.check("partner" in access.roles(current_user))
        return view(*args, **kwargs)
    return checked


def _me():
    return current_user.username


def _roles():
    return access.roles(current_user)


@bp.get("")
@partner_required
def deal_index():
    """The partner's deals, newest first (``?state=``, ``?page=`` from 1)."""
    state = request.args.get("state")
    state = state if state in STATES else None
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    rows, total = deals.listed(_me(), _roles(), state=state, limit=PAGE, offset=(page - 1) * PAGE)
    cards = [(row, views.partner_task(row)) for row in rows]
    return render_template("broker_portal/index.html", cards=cards, state=state, states=STATES, page=page,
                           more=page * PAGE < total, total=total, step_name=deal_steps.name,
                           state_name=views.state_name, product_name=views.product_name)


@bp.get("/new")
@partner_required
def deal_new():
    return _form_page({})


def _form_page(values, errors=None, status=200):
    products = deals.products()
    return render_template("broker_portal/new.html", values=values, errors=errors or {}, products=products,
                           product_name=views.product_name, question_text=views.question_text,
                           currency=domain_currency()), status


@bp.post("/new")
@partner_required
def deal_create():
    """Store the deal and start its case, as ``POST /api/v1/deals`` does.

    :raise 422: invalid fields, each with its message; nothing stored
    """
    data = {name: request.form.get(name, "").strip() or None for name in FIELDS}
    try:
        row = deals.register(data, actor=_me())
    except ValidationError as error:
        db.session.rollback()
        return _form_page(request.form, error.fields or {"form": error.message}, 422)
    flash(_("Deal registered: %(company)s. Upload the documents of the checklist.", company=row.company_name),
          "success")
    return redirect(url_for("broker_portal.deal_show", deal_id=row.id))


@bp.get("/<int:deal_id>")
@partner_required
def deal_show(deal_id):
    """:raise 404: not one of the signed-in partner's deals"""
    row = deals.readable(_me(), _roles(), deal_id)
    return _deal_page(row)


def _deal_page(row, errors=None, status=200):
    return render_template("broker_portal/show.html", **views.context(row), errors=errors or {}), status


@bp.post("/<int:deal_id>/documents")
@partner_required
def deal_document_create(deal_id):
    """Upload a file (``file``) against a checklist item (``kind``).

    :raise 404: not one of the partner's deals
    :raise 409: the deal is closed (the page again, with the message)
    :raise 422: no file, a refused type or size, a kind not on the checklist (the page again)
    """
    row = deals.readable(_me(), _roles(), deal_id)
    kind = request.form.get("kind") or ""
    try:
        document = views.upload(row, kind, request.files.get("file"), actor=_me())
    except ValidationError as error:
        db.session.rollback()
        return _deal_page(row, {"kind": kind, "message": error.message}, 422)
    except ConflictError as error:
        db.session.rollback()
        return _deal_page(row, {"kind": kind, "message": error.message}, 409)
    flash(_("Uploaded: %(item)s.", item=documents.title(document.item, views.language())), "success")
    return redirect(url_for("broker_portal.deal_show", deal_id=row.id, _anchor="documents"))
