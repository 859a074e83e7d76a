"""Who may see and do what: one place the HTML pages and the API both ask.

Staff roles work tasks of the lanes named after their roles; managers and admins
see and reassign every task; auditors read every case and change nothing. Who sees a
case (and its history, exports, attachments and comments) is the permissions table
(:mod:`web.access.table`) with each domain's rule of who has a part in one
(:mod:`web.access.cases`); :data:`ROUTES` (:mod:`web.access.routes`) names the rule of
every page and API route, and tests/web/test_access_matrix.py tries them all.
"""
from flask_babel import gettext as _

from engine import inbox
from engine.db import db
from engine.errors import ForbiddenError, NotFoundError
from engine.models import HumanTask, ProcessInstance

from ..i18n import user_zone
from . import cases, table
from .table import ANY

EXTERNAL = frozenset({"partner", "customer"})
OVERSEERS = frozenset({"manager", "admin"})
DEPLOYERS = frozenset({"process_owner", "admin"})
LEAD_MAKERS = frozenset({"sales", "manager", "admin"})


def roles(user):
    return frozenset(user.role_names)


def is_manager(user):
    return bool(roles(user) & OVERSEERS)


def is_auditor(user):
    return "auditor" in roles(user)


def is_staff(user):
    return bool(roles(user) - EXTERNAL - {"auditor"})


def may_create_leads(user):
    """Whether ``user`` may enter or import leads (sales, managers, admins)."""
    return bool(roles(user) & LEAD_MAKERS)


def may_deploy(user):
    """Whether ``user`` may deploy diagrams (process owners and admins)."""
    return bool(roles(user) & DEPLOYERS)


def viewer(user):
    """The :class:`engine.inbox.Viewer` for ``user``."""
    return inbox.Viewer(username=user.username, roles=roles(user), sees_all=is_manager(user),
                        timezone=user_zone(user), staff=is_staff(user))


def may_take(user, task):
    """Whether ``user`` may claim / complete ``task`` (an open one) themselves: managers and
    admins any; others one they hold, or an unassigned one of their team (a lane-less
    task's team is all staff); auditors none."""
    reach = table.scope(table.TASK, "work", roles(user))
    if reach != table.OWN:
        return reach == ANY
    if task.assignee is not None:
        return task.assignee == user.username
    if task.candidate_role is None:
        return is_staff(user)
    return task.candidate_role in roles(user)


def may_assign(user):
    """Whether ``user`` may give tasks to others (``TASK`` "assign": managers and admins)."""
    return table.scope(table.TASK, "assign", roles(user)) == ANY


def may_see_task(user, task):
    """An open task the user may take, one they hold or completed, or any task of a case
    they may see. A completed task's team sees it only through its case."""
    reach = table.scope(table.TASK, "read", roles(user))
    if reach != table.OWN:
        return reach == ANY
    return ((task.state == "open" and may_take(user, task))
            or user.username in (task.completed_by, task.assignee)
            or may_see_case(user, task.instance_id))


def may_see_case(user, instance, action="read"):
    """Whether ``user`` may ``action`` (read, comment, attach) the case ``instance`` (a row
    or its id), by the permissions table."""
    instance_id = instance if isinstance(instance, int) else instance.id
    return cases.allows(user.username, roles(user), instance_id, action)


def visible_cases(query, user, action="read"):
    """``query`` (a select of process instances) narrowed to the cases ``user`` may ``action``:
    the same condition :func:`may_see_case` asks of one case."""
    return query.where(cases.condition(user.username, roles(user), action))


def check(allowed, message=None):
    """:raise ForbiddenError: unless ``allowed``"""
    if not allowed:
        raise ForbiddenError(message or _("You may not open or change this."))


def task_for(user, task_id):
    """The task row if ``user`` may see it. Acting on a task (claim, release, complete) is
    :mod:`web.task_actions`, for the pages and the API alike.

    :raise 404: no such task
    :raise 403: not the user's to see
    """
    task = get_or_404(HumanTask, task_id)
    check(may_see_task(user, task))
    return task


def case_for(user, instance_id, action="read"):
    """The case if ``user`` may ``action`` it (read, comment, attach).

    :raise 404: no such case  :raise 403: not the user's to see (or to comment on, attach to)
    """
    instance = get_or_404(ProcessInstance, instance_id)
    check(may_see_case(user, instance, action))
    return instance


def get_or_404(model, key):
    row = db.session.get(model, key)
    if row is None:
        raise NotFoundError(_("Not found."))
    return row


def may_take_role(user, task):
    """Whether ``user`` belongs to the team (role) of ``task``, whoever holds it now."""
    if task.candidate_role is None:
        return is_staff(user) or is_manager(user)
    return task.candidate_role in roles(user) or is_manager(user)


CUSTOMER_READERS = frozenset(role for role, reach in table.CUSTOMER["read"].items() if reach != table.NONE)


def sees_all_customers(user):
    return is_manager(user) or is_auditor(user)


def may_see_customer(user, customer, action="read"):
    """Leads and prospects (``CUSTOMER`` of the table): sales see their own and the unowned
    ones; managers, admins and auditors all; other roles none (:mod:`crm.customer_rules`,
    the rule of the cases about customers too). ``action="change"``: the same without
    auditors."""
    reach = table.scope(table.CUSTOMER, action, roles(user))
    if reach != table.OWN:
        return reach == ANY
    return customer.owner in (None, user.username)


def visible_customers(query, user):
    """``query`` (a select or query of customers) narrowed as :func:`may_see_customer` rules."""
    return query.where(cases.customers(user.username, roles(user)))


def may_change_customer(user, customer):
    """Moving a prospect, adding it to the pipeline: managers and admins, or sales on
    their own and unowned customers; never auditors."""
    return may_see_customer(user, customer, "change")


def may_correct_order(user, customer):
    """Correcting or cancelling an order of ``customer`` (``ORDER`` "change"): managers and
    admins, or the sales rep who owns the customer; never auditors, never another rep, and
    a rep not on an unowned customer's orders."""
    reach = table.scope(table.ORDER, "change", roles(user))
    if reach != table.OWN:
        return reach == ANY
    return customer.owner == user.username


def referral_reader(user):
    """How far ``user`` reads referrals on the staff pages: ``table.ANY``, ``table.OWN`` (a
    consultant: the ones they have a part in) or ``table.NONE``."""
    return table.scope(table.REFERRAL, "read", roles(user) - {"partner"})
