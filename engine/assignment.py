"""Who works on a task: claim, unclaim, assign.

Each change is a conditional update of the task row (it only matches the assignee
that was read), under the instance lock, with an audit event; so two people
claiming the same task at once end with exactly one owner and one event.
Permission checks (who may claim what) belong to the caller; these functions
check only that the change still makes sense.
"""
from sqlalchemy import update

from . import side, transaction, unit
from .db import db
from .errors import ConflictError, NotFoundError
from .models import HumanTask
from .runtime import refuse_if_closed

TASK_LINK = "/tasks/{id}"


def claim(task_id, *, actor):
    """Make ``actor`` the task's assignee. Claiming one's own task again changes nothing.

    :raises NotFoundError: no such task
    :raises ConflictError: someone else holds it (``winner`` names them) or it was completed
    """
    def decide(row):
        if row.assignee not in (None, actor):
            raise ConflictError(f"task already claimed by {row.assignee}", winner=row.assignee)
        return actor

    return _change(task_id, actor, decide, "task_claimed")


def unclaim(task_id, *, actor, force=False):
    """Put the task back in its queue; only its assignee may, unless ``force`` (a manager).

    :raises ConflictError: the task is someone else's and ``force`` is false
    """
    def decide(row):
        if row.assignee not in (None, actor) and not force:
            raise ConflictError(f"task is claimed by {row.assignee}", winner=row.assignee)

    return _change(task_id, actor, decide, "task_unclaimed")


def assign(task_id, username, *, actor):
    """Give the task to ``username`` (``None``: back to the queue) and ring their bell."""
    return _change(task_id, actor, lambda row: username or None, "task_assigned")


def _change(task_id, actor, decide, kind):
    transaction.refuse_pending(f"engine.assignment ({kind})")
    row = db.session.get(HumanTask, task_id)
    if row is None:
        raise NotFoundError(f"task {task_id} does not exist")
    instance_id = row.instance_id
    db.session.rollback()

    def action(change):
        current = db.session.get(HumanTask, task_id, populate_existing=True)
        refuse_if_closed(current)
        before, after = current.assignee, decide(current)
        if after == before:
            return current
        result = db.session.execute(
            update(HumanTask)
            .where(HumanTask.id == task_id, HumanTask.state == "open",
                   HumanTask.assignee.is_(None) if before is None else HumanTask.assignee == before)
            .values(assignee=after, claimed_at=change.now if after else None)
            .execution_options(synchronize_session="fetch"))
        if result.rowcount != 1:
            raise unit.StaleInstanceError("the task changed while it was being assigned")
        change.audit(kind, task_id=task_id, element_id=current.element_id,
                     data_before={"assignee": before}, data_after={"assignee": after})
        if after and after != actor:
            change.notify(after, current.title, body=f"assigned by {actor}",
                          link=TASK_LINK.format(id=task_id), kind="task_assigned",
                          params={"titles": current.titles, "by": actor})
        return current

    return side.apply(instance_id, actor, action)

