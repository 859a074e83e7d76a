"""A customer with its orders, and correcting an order (docs/crm.md "Orders").

Reading follows the customer pages (``web.access.may_see_customer``); correcting goes
through :func:`crm.orders.correct`, the check the order's page uses.
"""
from crm import orders
from crm.models import Customer
from engine.db import db
from web import access
from web.api.common import Viewed, caller, load_body, respond
from web.api.registry import operation
from web.api.schemas import CustomerDetailSchema, OrderPatchSchema, OrderSchema


@operation("/customers/<int:customer_id>", "GET", summary="A customer with its orders", tag="customers",
           response=CustomerDetailSchema, errors=(403, 404))
def customers_get(customer_id):
    """Sales their own customers and the unowned ones; managers, admins and auditors all.

    :raise 403: any other role, or another rep's customer
    :raise 404: no such customer
    """
    user = caller()
    access.check(bool(access.roles(user) & access.CUSTOMER_READERS))
    row = access.get_or_404(Customer, customer_id)
    access.check(access.may_see_customer(user, row))
    return respond(CustomerDetailSchema, Viewed(row, orders=orders.of_customer(row.id)))


@operation("/orders/<int:order_id>", "PATCH", summary="Correct or cancel an order", tag="customers",
           body=OrderPatchSchema, response=OrderSchema, errors=(403, 404, 409))
def orders_update(order_id):
    """The rep who owns the order's customer, managers and admins. Send the ``version`` you read
    and the fields to change; the others stay. ``status: cancelled`` cancels it, ``placed``
    undoes a cancel. Each change is an audit event (``order_corrected`` or ``order_cancelled``)
    with the old and new values, in the order's case's trail.

    :raise 403: another rep's customer, an unowned customer's order for a rep, auditors and other roles
    :raise 404: no such order
    :raise 409: corrected by someone else since the version sent; ``winner`` names them; nothing stored
    :raise 422: unknown fields, bad values (every one named); nothing stored
    """
    user = caller()
    order = orders.get(order_id)
    access.check(access.may_correct_order(user, db.session.get(Customer, order.customer_id)))
    correction = orders.correct(order.id, load_body(OrderPatchSchema), actor=user.username, partial=True)
    return respond(OrderSchema, correction.order)
