"""Creating a lead: check it, store the customer row, start its lead-handling case.

A lead is stored only together with its case: the customer row, its
``customer_created`` audit event, the case and the row's link to it
(``instance_id``) are written in one ``engine.begin()`` transaction, so a refused
start (process not deployed, start data refused by the diagram) stores nothing.
The instance's data carries ``customer_id`` from the start as well.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

import engine
from crm.models import Customer
from crm.records import DOMAIN, clean_lead, sales_reps  # DOMAIN: the leads' place (engine/places.py)
from engine import audit
from engine.db import db
from engine.errors import ValidationError
from engine.models import HumanTask, ProcessInstance
from engine.places import place

PROCESS = "lead_handling"
ASSIGN_POLICIES = (None, "round_robin")


@dataclass
class LeadResult:
    customer: Customer
    instance: ProcessInstance
    duplicates: list = field(default_factory=list)


def create_lead(data, *, actor, source, assign=None, region=None):
    """Store a lead and start its ``lead_handling`` case.

    :param data: ``name``, ``phone`` (required), ``email``, ``owner``, ``classification``,
        ``gender``, ``birthday``
    :param source: where the lead came from (:data:`crm.models.SOURCES`)
    :param assign: ``"round_robin"``: a lead without an owner goes to :func:`next_owner`;
        otherwise it stays without one and its call task waits in the sales team queue
        (the call-back bells then go to whoever made the last call)
    :returns: :class:`LeadResult`; ``duplicates`` are earlier customers with the same phone
    :raises ValidationError: invalid fields; nothing is stored
    :raises NotFoundError: lead_handling is not deployed; nothing is stored
    :raises ScriptError: the diagram refused the start data; nothing is stored
    """
    if assign not in ASSIGN_POLICIES:
        raise ValueError(f"unknown assignment policy {assign!r}")
    lead = clean_lead(data, source=source, region=region or place(DOMAIN).region)
    if lead["owner"] is None and assign == "round_robin":
        lead["owner"] = next_owner()
    duplicates = find_duplicates(lead["phone"])
    customer = Customer(kind="lead", status="new", created_by=actor, **lead)
    with engine.begin():
        db.session.add(customer)
        db.session.flush()
        audit.append(f"customer:{customer.id}", "customer_created", actor=actor,
                     data_after={**lead, "birthday": lead["birthday"] and lead["birthday"].isoformat()},
                     details={"duplicates": [d.id for d in duplicates]})
        instance = engine.start(PROCESS, actor=actor, business_key=lead["phone"], data={
            "name": lead["name"], "phone": lead["phone"], "source": source, "owner": lead["owner"],
            "customer_id": customer.id})
        customer.instance_id = instance.id
    return LeadResult(customer=customer, instance=instance, duplicates=duplicates)


def entrant_owner(username):
    """A lead a sales rep enters without naming an owner is theirs: ``username`` when it is a
    rep (:func:`crm.records.sales_reps`), else ``None`` (round robin decides)."""
    return username if username and sales_reps(username) else None


def find_duplicates(phone):
    """Customers already stored with ``phone`` (E.164), oldest first. They are never merged."""
    return list(db.session.scalars(select(Customer).where(Customer.phone == phone).order_by(Customer.id)))


def open_lead_load():
    """``{username: open lead-handling tasks}`` for every rep who takes leads in turn
    (:func:`crm.records.sales_reps`).

    A task counts for a user when it is assigned to them, or unassigned and of a
    lead they own.
    """
    load = dict.fromkeys(sales_reps(), 0)
    open_tasks = select(HumanTask).where(HumanTask.state == "open", HumanTask.definition_key == PROCESS)
    assigned = open_tasks.where(HumanTask.assignee.is_not(None)).subquery()
    unassigned = open_tasks.where(HumanTask.assignee.is_(None)).subquery()
    counts = list(db.session.execute(select(assigned.c.assignee, func.count()).group_by(assigned.c.assignee)))
    counts += db.session.execute(
        select(Customer.owner, func.count()).select_from(unassigned)
        .join(Customer, Customer.instance_id == unassigned.c.instance_id).group_by(Customer.owner))
    for username, count in counts:
        if username in load:
            load[username] += count
    return load


def next_owner():
    """Round robin: the sales rep (:func:`crm.records.sales_reps`: never a manager, admin,
    process owner or auditor) with the fewest open lead-handling tasks, ties broken by
    username. Two leads created at the same moment may go to the same
    user; the next lead evens it out.

    :raises ValidationError: there is no active sales rep (the caller stores nothing)
    """
    load = open_lead_load()
    if not load:
        message = _("No active sales rep can take the lead in turn: choose its owner, or "
                    "activate a sales rep.")
        raise ValidationError(message, fields={"owner": message})
    return min(load, key=lambda username: (load[username], username))
