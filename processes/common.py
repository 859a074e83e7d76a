"""Helpers every procedure may call from its scripts and conditions, and the checks every
domain's helpers make of the case they run in (which crm customer it names, who did the step).

The customer checks live here, not in one domain, because the lead and pipeline cases both
act on the shared crm customer and the referral steps name their author the same way; a
domain package never imports another (setup.cfg, the independence contracts).
"""
from datetime import datetime, timedelta, timezone

from crm.models import Customer
from engine import calendars, outbox
from engine.db import db
from engine.errors import ForbiddenError
from engine.unit import current_unit


def notify(recipient, subject, body="", link=None):
    """Ring the in-app bell of user ``recipient`` after the step commits."""
    outbox.add("in_app", recipient, subject=subject, body=body, link=link)
    return True




def send_email(to, subject, body=""):
    """Send an e-mail after the step commits (SMTP, or the dev mailbox)."""
    outbox.add("email", to, subject=subject, body=body)
    return True


def send_sms(to, body):
    """Send an SMS after the step commits (through the configured gateway)."""
    outbox.add("sms", to, body=body)
    return True


def now_iso():
    """The current UTC time as ISO-8601, for timer expressions and records."""
    return datetime.now(timezone.utc).isoformat()


def in_hours(hours, start=None):
    """ISO-8601 time ``hours`` after ``start`` (ISO string) or now: for timer date expressions."""
    base = datetime.fromisoformat(start) if start else datetime.now(timezone.utc)
    return (base + timedelta(hours=float(hours))).isoformat()


def business_time(days=0, hours=0, calendar=None, start=None):
    """ISO-8601 time ``days`` business days and ``hours`` working hours after ``start`` (ISO
    string) or now, in ``calendar`` (a name of ``TASKLANE_CALENDARS``; the default one when
    ``None``): for timer date expressions such as ``business_time(days=2)`` (docs/calendars.md)."""
    return calendars.iso_after(days=days, hours=hours, calendar=calendar, start=start)

def call_author():
    """The user who completed the task this step continues from (``None`` if none, e.g. a timer)."""
    unit = current_unit()
    if unit is None:
        return None
    if unit.completed:
        return unit.completed[1]
    return None


def customer_of(customer_id):
    """The crm customer a case names, or ``None`` (no ``customer_id``, or no such row)."""
    if customer_id in (None, ""):
        return None
    return db.session.get(Customer, int(customer_id))


def customer_of_case(customer_id, link="instance_id"):
    """The crm customer a case names, when the running case is the one the customer's
    ``link`` column names (``instance_id``: its lead case; ``pipeline_instance_id``: its
    pipeline case). A case never acts on another case's customer by naming its id.

    :returns: ``None`` when the case names no customer or no such customer exists
    :raises ForbiddenError: the customer's case of that kind is another one
    """
    customer = customer_of(customer_id)
    if customer is None:
        return None
    unit = current_unit()
    if unit is None or getattr(customer, link) != unit.instance.id:
        raise ForbiddenError(f"customer {customer.id} belongs to another case")
    return customer


def case_customer(customer_id):
    """The crm customer a lead case names, when this running case is its lead case."""
    return customer_of_case(customer_id)


def step_author(unit):
    """Who a step's record is by: the user who completed the task it follows, else the unit's actor."""
    return call_author() or (unit.actor if unit is not None else None) or "system"

HELPERS = {
    "notify": notify,
    "send_email": send_email,
    "send_sms": send_sms,
    "now_iso": now_iso,
    "in_hours": in_hours,
    "business_time": business_time,
}
