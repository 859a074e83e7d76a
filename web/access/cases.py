"""Who has a part in a case: one SQL condition per user, from which both the case list's
filter and the check of one case are made, so the two can never disagree.

A domain declares its rule per process key (``Domain.case_parts``, collected in
``processes.CASE_PARTS``), beside the domain's code. A case of any other process
follows :func:`generic_part`.
"""
from sqlalchemy import and_, exists, false, or_, select, true

from crm import customer_rules
from engine.db import db
from engine.models import HumanTask, ProcessInstance
from processes import CASE_PARTS

from .table import ANY, CASE, CUSTOMER, NONE, scope

EXTERNAL = frozenset({"partner", "customer"})



def customers(username, roles, action="read"):
    """A condition on :class:`crm.models.Customer`: the customers ``username`` may ``action``."""
    reach = scope(CUSTOMER, action, roles)
    if reach == ANY:
        return true()
    return false() if reach == NONE else customer_rules.own(username)


def generic_part(username, roles):
    """A case of a process without a domain rule: its starter, whoever holds, held or
    completed one of its tasks, and the team of an open, unassigned task (they may claim
    it; a lane-less task's team is all staff). A completed task's team sees nothing more."""
    roles = frozenset(roles)
    worked = select(HumanTask.instance_id).where(
        or_(HumanTask.assignee == username, HumanTask.completed_by == username))
    team = HumanTask.candidate_role.in_(sorted(roles))
    if roles - EXTERNAL - {"auditor"}:
        team = or_(team, HumanTask.candidate_role.is_(None))
    claimable = select(HumanTask.instance_id).where(
        HumanTask.state == "open", HumanTask.assignee.is_(None), team)
    return or_(ProcessInstance.started_by == username, ProcessInstance.id.in_(worked),
               ProcessInstance.id.in_(claimable))


def part(username, roles):
    """A condition on :class:`ProcessInstance`: the cases ``username`` has a part in."""
    fallback, readable = generic_part(username, roles), customers(username, roles)
    clauses = [and_(ProcessInstance.definition_key == key, rule(username, roles, fallback, readable))
               for key, rule in CASE_PARTS.items()]
    clauses.append(and_(ProcessInstance.definition_key.not_in(list(CASE_PARTS)), fallback))
    return or_(*clauses)


def condition(username, roles, action="read"):
    """The cases ``username`` with ``roles`` may ``action`` (a key of ``table.CASE``)."""
    reach = scope(CASE, action, roles)
    if reach == ANY:
        return true()
    if reach == NONE:
        return false()
    return part(username, roles)


def allows(username, roles, instance_id, action="read"):
    """Whether ``username`` may ``action`` the case ``instance_id``: :func:`condition`
    asked of that one row."""
    return db.session.scalar(select(exists().where(
        ProcessInstance.id == instance_id, condition(username, roles, action))))
