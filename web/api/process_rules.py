"""Who may start a process and send it a message: each process's declaration
(``processes.rules_for``, ``processes.message_rule``) judged against the caller with
``web.access``. The rules are written down in docs/security.md (issue 11).
"""
from flask_babel import gettext as _
from sqlalchemy import select

import processes
from engine.db import db
from engine.errors import ForbiddenError
from engine.models import HumanTask
from processes.rules import check_values

from .. import access


def start_rules(user, key):
    """The rules of process ``key``, once ``user`` may start it through the API.

    :raise 403: not staff, a procedure-owned process, or none of the roles that may start it
    :raise 404: an undeclared process that is not deployed
    """
    access.check(access.is_staff(user))
    rules = processes.rules_for(key)
    if rules.start.owner is not None:
        raise ForbiddenError(_("This process is started by its own procedure, never here. %(how)s",
                               how=rules.start.owner))
    if rules.start.roles is not None and not access.roles(user) & rules.start.roles:
        raise ForbiddenError(_("Your roles may not start this process."))
    return rules


def check_start_data(user, rules, data):
    """Check start ``data`` against the start form and the records it names.

    :raise 422: a key the form does not name, a missing or invalid one
    :raise 403: a record the caller may not name
    """
    if rules.start.form is not None:
        check_values(rules.start.form, data, "data")
    for name, check in rules.start.records.items():
        if data.get(name) is not None:
            check(user, data[name], access)


def check_sender(user, instance, name):
    """The rule of message ``name``, once ``user`` may send it to ``instance``.

    :raise 403: a message only its procedure sends, or ``user`` is none of its senders
    """
    rule = processes.message_rule(instance.definition_key, name)
    if rule.procedure is not None:
        raise ForbiddenError(_("This message is sent by its own procedure, never here. %(how)s",
                               how=rule.procedure))
    access.check(may_send(user, instance, rule), _("You may not send this message to this case."))
    return rule


def may_send(user, instance, rule):
    """Whether ``user`` is one of the senders ``rule`` names for ``instance``."""
    if rule.referrer is not None and rule.referrer(instance) == user.username:
        return True
    if not access.is_staff(user):
        return False
    if access.roles(user) & rule.roles and access.may_see_case(user, instance):
        return True
    if rule.starter and instance.started_by == user.username:
        return True
    if rule.task_holders:
        open_tasks = db.session.scalars(select(HumanTask).filter_by(instance_id=instance.id, state="open"))
        return any(access.may_take(user, task) for task in open_tasks)
    return False


def check_payload(rule, payload):
    """:raise 422: a payload the message's schema refuses"""
    if rule.payload is not None:
        check_values(rule.payload, payload, "payload")
