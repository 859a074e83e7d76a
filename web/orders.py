"""A customer's orders on the pages: the list on the customer's page, and correcting one.

The list (:func:`listing`) is shown by the customer's page (``pipeline/show.html``, any
customer, whoever may read it); correcting an order is its own page, posted as a plain
form, through :func:`crm.orders.correct` (the check the API uses too).

:raise 403: not the customer's owner, a manager or an admin (auditors included)
:raise 404: no such order
:raise 409: corrected by someone else meanwhile (the form is shown again, with their name)
:raise 422: bad values, every field marked; nothing stored
"""
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.service import full_names
from crm import orders
from crm.models import Customer, Order
from engine.db import db
from engine.errors import ConflictError, ValidationError
from forms import numbers

from . import access

bp = Blueprint("orders", __name__)


def status_labels():
    return {"placed": pgettext("order status", "Placed"), "cancelled": pgettext("order status", "Cancelled")}


@dataclass(frozen=True)
class Line:
    """An order as the customer's page lists it."""

    order: Order
    created_by: str
    updated_by: str | None
    may_correct: bool


def listing(customer, user):
    """The customer's orders, the newest first, with the names of who made and corrected them."""
    rows = orders.of_customer(customer.id)
    names = full_names({r.created_by for r in rows} | {r.updated_by for r in rows})
    allowed = access.may_correct_order(user, customer)
    return [Line(row, names.get(row.created_by, row.created_by), names.get(row.updated_by), allowed)
            for row in rows]


def _editable(order_id):
    """The order and its customer, if the user may correct it.

    :raise 404: no such order  :raise 403: not the user's to correct
    """
    order = orders.get(order_id)
    customer = db.session.get(Customer, order.customer_id)
    access.check(access.may_correct_order(current_user, customer))
    return order, customer


def _values(order):
    locale = str(get_locale())
    return {"product": order.product, "quantity": str(order.quantity), "status": order.status,
            "amount": numbers.format_amount(str(order.amount), locale, order.currency),
            "version": str(order.version)}


def _form(order, customer, *, values=None, errors=None, status=200):
    page = render_template("orders/edit.html", order=order, customer=customer,
                           values=values or _values(order), errors=errors or {}, statuses=status_labels())
    return page, status


@bp.get("/orders/<int:order_id>/edit")
@login_required
def order_edit(order_id):
    order, customer = _editable(order_id)
    return _form(order, customer)


@bp.post("/orders/<int:order_id>/edit")
@login_required
def order_update(order_id):
    order, customer = _editable(order_id)
    try:
        correction = orders.correct(order.id, request.form, actor=current_user.username)
    except ValidationError as error:
        flash(_("Please correct the marked fields."), "error")
        return _form(order, customer, values=request.form, errors=error.fields, status=422)
    except ConflictError as error:
        flash(error.message, "error")
        fresh = orders.get(order.id)
        db.session.refresh(fresh)
        return _form(fresh, customer, status=409)
    if correction.after:
        flash(_("The order was cancelled.") if correction.kind == "order_cancelled"
              else _("The order was corrected."), "success")
    else:
        flash(_("The order is unchanged."), "success")
    return redirect(url_for("pipeline.prospect_show", customer_id=customer.id) + "#orders")
