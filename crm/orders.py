"""Customers' orders: reading them, and correcting one (docs/crm.md "Orders").

An order is written by the step that closed the sale (``record_order`` of lead handling,
``convert_customer`` of the pipeline). Afterwards its owner may correct the product, the
quantity, the amount and the status (cancel it, or undo a cancel). Who may is the web
layer's question (:func:`web.access.may_correct_order`); this module checks the values,
decides the race and writes the audit event.

A correction names the ``version`` it was made on. The row is updated only while it still
has that version (a conditional UPDATE, so the database decides a race on every backend);
otherwise :class:`ConflictError` names who corrected it meanwhile. The audit event goes to
the stream of the order's case (``instance:<id>``, under the case's lock, so the case's
timeline shows it), or, for an order made without a case, to ``order:<id>``.
"""
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update

from engine import audit, side
from engine.db import db
from engine.errors import ConflictError, NotFoundError
from engine.types import DB_INT_MAX, utcnow
from forms import inputs

from .models import ORDER_STATUSES, Order

FIELDS = ("product", "quantity", "amount", "status")
MAX_PRODUCT = 200          # as the call form's product (forms/definitions/lead-call-outcome.json)
MAX_QUANTITY = 1_000_000


@dataclass(frozen=True)
class Correction:
    """What one correction changed: ``before`` and ``after`` of the changed fields only."""

    order: Order
    before: dict
    after: dict

    @property
    def kind(self):
        """The audit event's kind: a cancel is told apart from other corrections."""
        return "order_cancelled" if self.after.get("status") == "cancelled" else "order_corrected"


def of_customer(customer_id):
    """The customer's orders, the newest first."""
    return list(db.session.scalars(select(Order).where(Order.customer_id == customer_id)
                                   .order_by(Order.created_at.desc(), Order.id.desc())))


def get(order_id):
    """:raises NotFoundError: no such order"""
    row = db.session.get(Order, order_id)
    if row is None:
        raise NotFoundError(_("No such order."))
    return row


def correction_schema(currency, *, partial=False):
    """The fields of a correction, read by the shared input fields (:mod:`forms.inputs`).

    :param currency: the order's currency: the amount is read and bounded in it
    :param partial: the API's PATCH: a field left out stays as it is (``version`` is
        always required); the page's form sends them all
    """
    schema = inputs.InputSchema.from_dict({
        "product": inputs.Text(required=True, max_length=MAX_PRODUCT),
        "quantity": inputs.Whole(1, MAX_QUANTITY, required=True),
        "amount": inputs.Money(currency=currency, required=True),
        "status": inputs.Choice(ORDER_STATUSES, required=True),
        "version": inputs.Whole(1, DB_INT_MAX, required=True),
    }, name="OrderCorrectionSchema")
    return schema(partial=FIELDS if partial else False)


def correct(order_id, data, *, actor, partial=False):
    """Correct the order with ``data`` (text as a form posts it, or JSON values).

    Nothing changes, and nothing is audited, when every value is the one stored.

    :returns: :class:`Correction` (``before`` and ``after`` empty when nothing changed)
    :raises NotFoundError: no such order
    :raises ValidationError: ``fields`` names every bad field; nothing is stored
    :raises ConflictError: the order was corrected meanwhile (``winner`` names by whom);
        nothing is stored
    """
    order = get(order_id)
    values = inputs.check(correction_schema(order.currency, partial=partial), data)
    if order.instance_id is None:
        try:
            correction = _apply(order.id, values, actor, utcnow(), None)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return correction
    return side.apply(order.instance_id, actor,
                      lambda change: _apply(order.id, values, actor, change.now, change))


def _apply(order_id, values, actor, now, change):
    order = db.session.get(Order, order_id, populate_existing=True)
    if order.version != values["version"]:
        raise _conflict(order)
    wanted = {name: _stored(name, values[name]) for name in FIELDS if name in values}
    before = {name: _stored(name, getattr(order, name)) for name in wanted
              if _stored(name, getattr(order, name)) != wanted[name]}
    if not before:
        return Correction(order, {}, {})
    after = {name: wanted[name] for name in before}
    done = db.session.execute(
        update(Order).where(Order.id == order.id, Order.version == values["version"])
        .values(**{name: _column(name, value) for name, value in after.items()},
                version=Order.version + 1, updated_at=now, updated_by=actor)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise _conflict(db.session.get(Order, order.id, populate_existing=True))
    correction = Correction(order, before, after)
    fields = {"data_before": before, "data_after": after, "at": now,
              "details": {"order_id": order.id, "customer_id": order.customer_id, "currency": order.currency,
                          "name": after.get("product", order.product)}}
    if change is not None:
        change.audit(correction.kind, **fields)
    else:
        audit.append(f"order:{order.id}", correction.kind, actor=actor, **fields)
    db.session.flush()
    db.session.refresh(order)
    return correction


def _stored(name, value):
    """A value as the audit trail keeps it: the amount as a decimal string (``"4500000.00"``)."""
    if name == "amount":
        number = value.value if isinstance(value, inputs.Amount) else value
        return f"{Decimal(number):.2f}"
    return value


def _column(name, value):
    return Decimal(value) if name == "amount" else value


def _conflict(order):
    """The order is not at the version the correction was made on: who changed it, if known."""
    if order.updated_by is None:
        return ConflictError(_("This order has changed since you opened it. Reload it and try again."))
    return ConflictError(_("This order was corrected by %(name)s meanwhile. Reload it and try again.",
                           name=order.updated_by), winner=order.updated_by)
