"""What a user may do with a task (claim, release, complete) and the answer when not: one
rule for the pages (:mod:`web.tasks`, :mod:`web.inbox`) and the API (:mod:`web.api.tasks`,
:mod:`web.api.assignment`), from ``TASK`` "work" of the permissions table (managers and
admins any task, others their own and their team's unassigned ones, auditors none).

Refusals, in order: 404 (no such task); 403 (neither a task the user may see nor one of
their team); 409 (completed, naming by whom; cancelled); then by action:

- claim: 409 when someone else holds it (naming them), 403 when the user may not take it;
- release: 403 when someone else holds it (naming them) and the user may not work any task;
- complete: 403 when the user may not take it (naming its holder when someone holds it).

A conflict the engine finds after these checks (a race lost) is named the same way.
"""
from flask_babel import gettext as _

import engine
from engine import assignment
from engine.db import db
from engine.errors import ConflictError, ForbiddenError
from engine.models import HumanTask

from . import access
from .access import table

ACTIONS = ("claim", "release", "complete")


def works_any(user):
    """Whether ``user`` may work every task, whoever holds it (``TASK`` "work": ``ANY``)."""
    return table.scope(table.TASK, "work", access.roles(user)) == table.ANY


def checked(user, task_id, action):
    """The open task ``task_id``, if ``user`` may ``action`` it (one of :data:`ACTIONS`).

    :raise 404: no such task  :raise 403: not the user's to see or to act on
    :raise 409: completed (``winner``: by whom) or cancelled; for a claim, held by someone else
    """
    task = open_task(user, task_id)
    holder = task.assignee if task.assignee not in (None, user.username) else None
    if action == "claim" and holder:
        raise held(holder)
    if action == "release" and holder and not works_any(user):
        raise held_by_other(holder)
    if not access.may_take(user, task):
        if holder and action == "complete":
            raise held_by_other(holder)
        access.check(False)
    return task


def claim(user, task_id):
    """:func:`checked`, then ``user`` holds the task. :returns: the task row"""
    checked(user, task_id, "claim")
    return attempt(task_id, lambda: assignment.claim(task_id, actor=user.username))


def release(user, task_id):
    """:func:`checked`, then the task is back in its queue. :returns: the task row"""
    checked(user, task_id, "release")
    return attempt(task_id, lambda: assignment.unclaim(task_id, actor=user.username, force=works_any(user)))


def complete(user, task, data):
    """Complete ``task`` (a row :func:`checked` for ``"complete"``) with ``data`` (validated
    by its form). :returns: the instance"""
    return attempt(task.id, lambda: engine.complete_task(task.id, actor=user.username, data=data))


def attempt(task_id, change):
    """``change()``; a conflict the engine found meanwhile is named in the caller's language."""
    try:
        return change()
    except ConflictError as error:
        raise lost_race(task_id, error) from error


def open_task(user, task_id):
    """The task, if ``user`` may see it or belongs to its team, and it is still open.

    :raise 404: no such task  :raise 403: another team's task
    :raise 409: already completed (``winner``: by whom), or cancelled
    """
    task = access.get_or_404(HumanTask, task_id)
    access.check(access.may_see_task(user, task) or access.may_take_role(user, task))
    closed = closed_error(task)
    if closed is not None:
        raise closed
    return task


def closed_error(task):
    """409 for a task no longer open (completed: naming by whom; cancelled), else ``None``."""
    if task.state == "completed":
        return completed(task.completed_by)
    if task.state != "open":
        return ConflictError(_("This task was cancelled."))
    return None


def completed(winner):
    return ConflictError(_("This task was already completed by %(name)s.", name=winner), winner=winner)


def held(holder):
    """409: someone else holds the task (for claims)."""
    return ConflictError(_("This task is held by %(name)s.", name=holder), winner=holder)


def held_by_other(holder):
    """403: someone else holds the task (for work only its holder may do)."""
    return ForbiddenError(_("This task is held by %(name)s.", name=holder), fields={"assignee": holder})


def lost_race(task_id, error):
    """The engine's conflict (a race lost after our own checks), in the caller's language."""
    db.session.rollback()
    task = db.session.get(HumanTask, task_id, populate_existing=True)
    closed = closed_error(task)
    if closed is not None:
        return closed
    if task.assignee:
        return held(task.assignee)
    return ConflictError(_("This task changed meanwhile. Reload it and try again."), winner=error.winner)
