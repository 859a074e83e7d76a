"""Changes beside the workflow: claims, comments, attachments.

They do not restore the workflow, but they append to the instance's audit stream,
so they take the same instance lock as a unit of work (``SELECT ... FOR UPDATE`` on
PostgreSQL; on SQLite the database's single writer plus the unique audit sequence)
and are retried when a concurrent writer got there first.
"""
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from . import audit, outbox
from .db import db, is_postgresql
from .errors import NotFoundError, TasklaneError
from .models import ProcessInstance
from .types import utcnow

MAX_ATTEMPTS = 8


class RetryError(TasklaneError):
    """The row changed under us; raised by a change to ask for another attempt."""

    status = 409
    code = "stale"


@dataclass
class Change(audit.Recorder):
    """What one side change collects: the locked instance, its audit events, outbox rows."""

    instance: ProcessInstance
    actor: str
    now: object
    outbox: list = field(default_factory=list)
    chain: audit.Chain = None

    def notify(self, username, subject, *, body="", link=None, kind=None, params=None):
        """Ring ``username``'s bell once this change commits."""
        self.outbox.append(outbox.add("in_app", username, subject=subject, body=body, link=link,
                                      instance_id=self.instance.id, kind=kind, params=params))


def apply(instance_id, actor, action):
    """Run ``action(change)`` under instance ``instance_id``'s lock, commit, return its result.

    :raises NotFoundError: no such instance
    :raises TasklaneError: whatever ``action`` raises; nothing is written then
    """
    for attempt in range(MAX_ATTEMPTS):
        try:
            change, result = _attempt(instance_id, actor, action)
        except (RetryError, StaleDataError, IntegrityError) as error:
            db.session.rollback()
            if attempt == MAX_ATTEMPTS - 1:
                raise RetryError("the case kept changing; try again") from error
            continue
        except OperationalError as error:
            db.session.rollback()
            if "locked" not in str(error) or attempt == MAX_ATTEMPTS - 1:
                raise
            continue
        except BaseException:
            db.session.rollback()
            raise
        current_app.extensions["tasklane_runtime"].committed([], change.outbox)
        return result
    raise RetryError("the case kept changing; try again")


def _attempt(instance_id, actor, action):
    query = db.session.query(ProcessInstance).filter_by(id=instance_id)
    if is_postgresql():
        query = query.with_for_update()
    instance = query.populate_existing().one_or_none()
    if instance is None:
        raise NotFoundError(f"process instance {instance_id} does not exist")
    change = Change(instance, actor, utcnow())
    result = action(change)
    if change.chain is not None:
        change.chain.write()
    db.session.commit()
    return change, result
