"""Who may see and do what: one place the HTML pages and the API both ask.

Staff roles work tasks of the lanes named after their roles; managers and admins
see and reassign every task; auditors read every case and change nothing;
partners and customers see only cases they started or hold a task in.
"""
from flask_babel import gettext as _
from sqlalchemy import exists, or_, select

from crm.models import Customer
from engine import inbox
from engine.db import db
from engine.errors import ForbiddenError, NotFoundError
from engine.models import HumanTask, ProcessInstance

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
                        timezone=user.timezone or "Asia/Ho_Chi_Minh", staff=is_staff(user))


def may_take(user, task):
    """Whether ``user`` may claim / complete ``task`` (an open one) themselves."""
    if task.assignee == user.username or is_manager(user):
        return True
    if task.assignee is not None:
        return False
    if task.candidate_role is None:
        return is_staff(user)
    return task.candidate_role in roles(user)


def may_see_task(user, task):
    return (may_take(user, task) or is_auditor(user)
            or user.username in (task.completed_by, task.assignee))


def may_see_case(user, instance):
    if is_manager(user) or is_auditor(user) or instance.started_by == user.username:
        return True
    mine = or_(HumanTask.assignee == user.username, HumanTask.completed_by == user.username)
    if is_staff(user):
        mine = or_(mine, HumanTask.candidate_role.in_(sorted(roles(user))))
    return db.session.scalar(select(exists().where(HumanTask.instance_id == instance.id, mine)))


def check(allowed, message=None):
    """:raise ForbiddenError: unless ``allowed``"""
    if not allowed:
        raise ForbiddenError(message or _("You may not open or change this."))


def task_for(user, task_id, *, work=False):
    """The task row if ``user`` may see it (``work``: and act on it).

    :raise 404: no such task
    :raise 403: not the user's to see or act on
    """
    task = get_or_404(HumanTask, task_id)
    check(may_take(user, task) if work else may_see_task(user, task))
    return task


def case_for(user, instance_id):
    """:raise 404: no such case  :raise 403: not the user's to see"""
    instance = get_or_404(ProcessInstance, instance_id)
    check(may_see_case(user, instance))
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


CUSTOMER_READERS = frozenset({"sales", "manager", "admin", "auditor"})


def sees_all_customers(user):
    return is_manager(user) or is_auditor(user)


def may_see_customer(user, customer):
    """Leads and prospects: sales see their own and the unowned ones; managers,
    admins and auditors all; other roles none."""
    if not roles(user) & CUSTOMER_READERS:
        return False
    return sees_all_customers(user) or customer.owner in (None, user.username)


def visible_customers(query, user):
    """``query`` (a select or query of customers) narrowed as :func:`may_see_customer` rules."""
    if sees_all_customers(user):
        return query
    return query.where(or_(Customer.owner == user.username, Customer.owner.is_(None)))


def may_change_customer(user, customer):
    """Moving a prospect, adding it to the pipeline: managers and admins, or sales on
    their own and unowned customers; never auditors."""
    if is_manager(user):
        return True
    return "sales" in roles(user) and customer.owner in (None, user.username)
