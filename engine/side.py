"""Changes beside the workflow: claims, comments, attachments.

They do not restore the workflow, but they append to the instance's audit stream,
so they take the same instance lock and retries as a unit of work
(:func:`engine.unit.lock`, :func:`engine.unit.retried`).
"""
from dataclasses import dataclass, field

from flask import current_app

from . import audit, outbox, transaction, unit
from .db import db
from .models import ProcessInstance
from .types import utcnow


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

    :raises PendingChangesError: the caller left changes uncommitted, or the call is inside
        an ``engine.begin()`` block; nothing is touched then
    :raises NotFoundError: no such instance
    :raises StaleInstanceError: the case kept changing (409)
    :raises TasklaneError: whatever ``action`` raises; nothing is written then
    """
    transaction.refuse_pending("a change beside a case's workflow (claim, comment, attachment)")

    def attempt():
        change = Change(unit.lock(instance_id), actor, utcnow())
        result = action(change)
        if change.chain is not None:
            change.chain.write()
        db.session.commit()
        return change, result

    change, result = unit.retried(attempt)
    current_app.extensions["tasklane_runtime"].committed([], change.outbox)
    return result
