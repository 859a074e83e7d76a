"""Who works on a task: claim, unclaim, assign (managers)."""
from flask_babel import gettext as _

from accounts.models import User
from engine import assignment
from engine.db import db
from engine.errors import ValidationError

from .. import access, task_actions
from .common import caller, load_body, respond
from .registry import operation
from .schemas import AssignRequestSchema, TaskSchema


@operation("/tasks/<task_id>/claim", "POST", summary="Claim a task", tag="tasks", response=TaskSchema,
           errors=(403, 404, 409))
def tasks_claim(task_id):
    """The caller becomes the assignee. Claiming one's own task again changes nothing.

    :raise 403: another team's task
    :raise 409: someone else holds it, or it was completed (``winner`` names them)
    """
    return respond(TaskSchema, task_actions.claim(caller(), task_id))


@operation("/tasks/<task_id>/unclaim", "POST", summary="Put a task back in its queue", tag="tasks",
           response=TaskSchema, errors=(403, 404, 409))
def tasks_unclaim(task_id):
    """Its assignee may; managers and admins may for anyone's task.

    :raise 403: held by someone else (``fields.assignee``) and the caller is not a manager
    :raise 409: already completed
    """
    return respond(TaskSchema, task_actions.release(caller(), task_id))


def _assignee(username, task):
    """The active user ``username``, if they may hold ``task``.

    :raise 422: no such active user, or not of the task's team
    """
    user = db.session.query(User).filter_by(username=username).first()
    if user is None or not user.active:
        raise ValidationError(_("Some fields are not valid."), fields={"username": _("No such active user.")})
    if not access.may_take_role(user, task):
        raise ValidationError(_("Some fields are not valid."),
                              fields={"username": _("This user may not take tasks of this team.")})
    return user


@operation("/tasks/<task_id>/assign", "POST", summary="Give a task to someone (managers)", tag="tasks",
           body=AssignRequestSchema, response=TaskSchema, errors=(403, 404, 409))
def tasks_assign(task_id):
    """``{"username": "sales2"}`` gives the task to that user and rings their bell;
    ``{"username": null}`` puts it back in its queue. Managers and admins only.

    :raise 403: not a manager
    :raise 409: already completed
    :raise 422: the user does not exist, is inactive, or may not take this task
    """
    user = caller()
    access.check(access.may_assign(user), _("Only managers assign tasks."))
    body = load_body(AssignRequestSchema)
    task = task_actions.open_task(user, task_id)
    target = _assignee(body["username"], task) if body["username"] else None
    task = task_actions.attempt(
        task_id, lambda: assignment.assign(task_id, target.username if target else None, actor=user.username))
    return respond(TaskSchema, task)
