"""The team lead's editors of the credit products' document checklists and client questions
(issue 15): add, rename, reorder, deactivate and reactivate items, each change audited
(processes/broker/catalogue.py). The pre-check's decision table is edited in the modeler
(dmn-js) on the deal procedure's page, linked from here.

:raise 403: anyone but ``broker_lead`` and ``admin``
:raise 404: no such product, list or item
:raise 422: a missing text, a bad or taken code (the page again, nothing stored)
"""
from functools import wraps

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.db import db
from engine.errors import ValidationError
from processes.broker import catalogue
from processes.broker.models import LANGUAGES
from web import access

from . import staff, views

bp = Blueprint("broker_products", __name__, url_prefix="/broker/products")
EDITORS = frozenset({"broker_lead", "admin"})


def lead_required(view):
    """Signed in as the team lead or an admin. :raise 403: anyone else"""
    @login_required
    @wraps(view)
    def checked(*args, **kwargs):
        access.check(bool(EDITORS & access.roles(current_user)))
        return view(*args, **kwargs)
    return checked


@bp.get("")
@lead_required
def product_index():
    return render_template("broker_staff/products.html", products=catalogue.products(),
                           product_name=views.product_name, modeler_url=staff.modeler_url())


@bp.get("/<int:product_id>")
@lead_required
def product_show(product_id):
    """:raise 404: no such product"""
    return _page(catalogue.product(product_id))


def _page(product, errors=None, values=None, status=200):
    lists = {kind: catalogue.rows(product, kind) for kind in catalogue.KINDS}
    return render_template("broker_staff/product.html", product=product, lists=lists, kinds=catalogue.KINDS,
                           languages=LANGUAGES, language_names=_language_names(), errors=errors or {},
                           values=values or {},
                           changes=catalogue.changes(product), events=_event_names(),
                           product_name=views.product_name(product), modeler_url=staff.modeler_url()), status


def _language_names():
    return {"ru": _("Russian"), "vi": _("Vietnamese"), "en": _("English")}


def _event_names():
    return {"catalogue_item_added": _("item added"), "catalogue_item_changed": _("item renamed"),
            "catalogue_item_moved": _("item moved"), "catalogue_item_deactivated": _("item deactivated"),
            "catalogue_item_activated": _("item reactivated")}


@bp.post("/<int:product_id>/<kind>")
@lead_required
def item_create(product_id, kind):
    """Add an item to ``kind`` (``checklist`` or ``questions``).

    :raise 404: no such product or list
    :raise 422: a bad or taken code, a missing text
    """
    product = catalogue.product(product_id)
    try:
        row = catalogue.add(product, kind, request.form, actor=current_user.username)
    except ValidationError as error:
        db.session.rollback()
        return _page(product, {"form": kind, **(error.fields or {})}, {"new": kind, **request.form}, 422)
    flash(_("Added: %(code)s.", code=row.code), "success")
    return redirect(url_for("broker_products.product_show", product_id=product.id, _anchor=kind))


@bp.post("/<int:product_id>/<kind>/<int:item_id>")
@lead_required
def item_update(product_id, kind, item_id):
    """``action``: ``save`` (texts, ``required``), ``up``, ``down``, ``deactivate``, ``activate``.

    :raise 404: no such product, list or item
    :raise 422: a missing text, an unknown action
    """
    product = catalogue.product(product_id)
    row = catalogue.item(product, kind, item_id)
    action, actor = request.form.get("action"), current_user.username
    try:
        if action == "save":
            catalogue.rename(product, kind, row, request.form, actor=actor)
        elif action in ("deactivate", "activate"):
            catalogue.set_active(product, kind, row, action == "activate", actor=actor)
        else:
            catalogue.move(product, kind, row, action, actor=actor)
    except ValidationError as error:
        db.session.rollback()
        return _page(product, {"item": row.id, **(error.fields or {})}, {"item": row.id, **request.form}, 422)
    flash(_("Saved."), "success")
    anchor = f"{kind}-{row.id}"
    return redirect(url_for("broker_products.product_show", product_id=product.id, _anchor=anchor))
