"""Comments on a case or one of its tasks; each is an audit event too."""
from . import side
from .db import db
from .errors import ValidationError
from .models import Comment, HumanTask

MAX_LENGTH = 5000


def add(instance_id, body, *, actor, task_id=None):
    """Add a comment and ring the bells of the people working on the case (not the author).

    :raises ValidationError: empty or too long
    :raises NotFoundError: no such case
    """
    body = (body or "").strip()
    if not body:
        raise ValidationError("write something first", fields={"body": "required"})
    if len(body) > MAX_LENGTH:
        raise ValidationError(f"at most {MAX_LENGTH} characters", fields={"body": "too long"})

    def action(change):
        row = Comment(instance_id=instance_id, task_id=task_id, author=actor, body=body,
                      created_at=change.now)
        db.session.add(row)
        db.session.flush()
        change.audit("comment_added", task_id=task_id, details={"comment_id": row.id, "body": body})
        for username in _participants(instance_id, change.instance.started_by) - {actor}:
            change.notify(username, body[:200], link=f"/cases/{instance_id}", kind="comment_added",
                          params={"by": actor, "case": instance_id})
        return row

    return side.apply(instance_id, actor, action)


def _participants(instance_id, started_by):
    """Who works on the case now, who commented before, and who started it."""
    names = {started_by}
    names |= {a for (a,) in db.session.query(HumanTask.assignee).filter_by(
        instance_id=instance_id, state="open") if a}
    names |= {a for (a,) in db.session.query(Comment.author).filter_by(instance_id=instance_id)}
    return {n for n in names if n and n != "system"}


def of_case(instance_id):
    return db.session.query(Comment).filter_by(instance_id=instance_id).order_by(Comment.id).all()
