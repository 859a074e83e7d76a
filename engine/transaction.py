"""Whose transaction an engine call commits: its own, or the caller's ``engine.begin()`` block.

Every engine entry point that commits (start, complete, message, cancel, timers,
claims, comments, attachments) owns its transaction. Called with changes its caller
left uncommitted, it would either commit them (as part of the case's change) or drop
them (with its own rollback): it refuses instead (:func:`refuse_pending`). A caller
whose rows must commit together with a new case makes them inside :func:`begin`.

"Left uncommitted" means new, changed or deleted objects in the session, or any row
the open transaction has already written (a flush, an ``INSERT`` / ``UPDATE`` /
``DELETE`` run through the session): :func:`watch` keeps that mark per session.
"""
import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

from .db import db
from .errors import PendingChangesError

WROTE = "tasklane_wrote"
_block = contextvars.ContextVar("tasklane_begin", default=None)


def watch():
    """Mark each session whose open transaction writes, until it ends (once per process)."""
    for name, listener in (("after_flush", _flushed), ("do_orm_execute", _executed),
                           ("after_transaction_end", _ended)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _flushed(session, _context):
    session.info[WROTE] = True


def _executed(state):
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


def _ended(session, transaction):
    if transaction.parent is None:
        session.info.pop(WROTE, None)


def has_pending(session=None):
    """Whether the session's open transaction holds writes not yet committed."""
    session = session or db.session()
    return bool(session.info.get(WROTE) or session.new or session.deleted
                or any(session.is_modified(row) for row in session.dirty))


@dataclass
class Block:
    """An ``engine.begin()`` block: the units started in it, run after its commit."""

    done: list = field(default_factory=list)
    failed: bool = False


def current():
    """The open ``engine.begin()`` block of this context, or ``None``."""
    return _block.get()


def refuse_pending(what, *, in_block=False):
    """Refuse to commit (or roll back) someone else's changes.

    :param what: the entry point, named in the message
    :param in_block: ``what`` may run inside an ``engine.begin()`` block (it then commits
        with the block instead of on its own)
    :raises PendingChangesError: the caller left changes uncommitted, or ``what`` commits
        on its own and was called inside an ``engine.begin()`` block
    """
    if current() is not None:
        if in_block:
            return
        raise PendingChangesError(f"{what} commits on its own and cannot run inside engine.begin(), "
                                  "which holds the starts of new cases only; call it after the block")
    if has_pending():
        raise PendingChangesError(f"{what} was called with changes the caller has not committed; "
                                  "it neither commits nor drops them: commit them first, or make them "
                                  "inside engine.begin() to commit them together with a new case")


@contextmanager
def begin(runtime):
    """One transaction for the caller's rows and the cases started in the block.

    Inside the block ``engine.start`` writes the case without committing; the block
    commits everything at its end, then hands the new timers and outbox rows to the
    after-commit hooks. Any error leaves the block rolled back, nothing of it stored.

    :raises PendingChangesError: changes were left uncommitted before the block; blocks
        nest; an engine call that commits on its own is made inside; or the block goes on
        after an engine call in it failed (its transaction is gone)
    """
    if current() is not None:
        raise PendingChangesError("engine.begin() blocks do not nest")
    refuse_pending("engine.begin()")
    block = Block()
    token = _block.set(block)
    try:
        yield block
        if block.failed:
            raise PendingChangesError("an engine call failed inside engine.begin() and its transaction "
                                      "was rolled back; the block cannot go on and commit")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _block.reset(token)
    for work in block.done:
        runtime.after_commit(work)
