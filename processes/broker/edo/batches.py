"""Working through a batch of documents: one that fails for a reason no one expected (a
defect, a broken adapter) does not hold up the others, and the job still fails, naming it."""
import logging

from engine.db import db
from engine.errors import TasklaneError

log = logging.getLogger(__name__)


class SyncError(TasklaneError):
    """Documents the sync could not handle for a reason it did not expect; ``done``: how many
    it handled meanwhile."""

    def __init__(self, message, *, done=0):
        super().__init__(message)
        self.done = done


def each(items, work):
    """``work(item)`` for every item, one failing not stopping the others.

    :returns: the sum of what ``work`` returned
    :raises SyncError: naming each item that raised, after all of them were tried
    """
    done, failures = 0, []
    for item in items:
        try:
            done += work(item)
        except Exception as error:  # noqa: BLE001 - the next documents go on; raised below
            db.session.rollback()
            log.exception("ЭДО sync: %s failed", item)
            failures.append(f"{item}: {type(error).__name__}: {error}")
    if failures:
        raise SyncError("; ".join(failures)[:2000], done=done)
    return done
