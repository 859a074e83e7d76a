"""Whether a task can still be worked on, and conflicts named in the caller's language.

Refusals, in order: 404 (no such task), 403 (another team's task), 409 (completed,
naming by whom; cancelled). Shared by :mod:`web.api.tasks` and :mod:`web.api.assignment`.
"""
from flask_babel import gettext as _

from engine.db import db
from engine.errors import ConflictError, ForbiddenError
from engine.models import HumanTask

from .. import access


def open_task(user, task_id):
    """The task, if ``user`` may see it or belongs to its team, and it is still open.

    :raise 404: no such task  :raise 403: another team's task
    :raise 409: already completed (``winner``: by whom), or cancelled
    """
    task = access.get_or_404(HumanTask, task_id)
    access.check(access.may_see_task(user, task) or access.may_take_role(user, task))
    if task.state == "completed":
        raise completed(task.completed_by)
    if task.state != "open":
        raise ConflictError(_("This task was cancelled."))
    return task


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
    db.session.expire_all()
    task = db.session.get(HumanTask, task_id)
    if task.state == "completed":
        return completed(task.completed_by)
    if task.state != "open":
        return ConflictError(_("This task was cancelled."))
    if task.assignee:
        return held(task.assignee)
    return ConflictError(_("This task changed meanwhile. Reload it and try again."), winner=error.winner)
