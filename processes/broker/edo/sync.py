"""The status sync: a periodic job that sends what was queued, asks the adapter where each
sent document stands, and reports the outcome to its case (:mod:`.report`).

Every step is a conditional update of the ``edo_document`` row, so the job may run twice,
or in two workers at once: a document is handed to the adapter by the worker that moved
it ``queued -> sending`` (and the adapter's idempotency key makes a send interrupted
between the two harmless), and a state is recorded by the worker that found it unchanged.
"""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from engine.db import db
from engine.models import AttachmentBlob
from engine.periodic import PeriodicJob
from engine.types import utcnow

from . import adapter as edo
from . import report
from .batches import SyncError, each
from .models import FAILED, QUEUED, SENDING, EdoDocument

BATCH = 100
MAX_SEND_ATTEMPTS = 5
SENDING_LEASE = timedelta(minutes=10)  # a send claimed this long ago was interrupted


def run(_scheduled_at=None):
    """One pass: send, poll, report.

    :raises SyncError: documents failed for a reason the sync did not expect (a defect);
        every other document went on, and the run is marked failed with their errors
    """
    counts, failures = [], []
    for step in (dispatch, poll, report.deliver_outcomes):
        try:
            counts.append(step())
        except SyncError as error:
            counts.append(error.done)
            failures.append(error.message)
    if failures:
        raise SyncError("; ".join(failures), done=sum(counts))
    sent, changed, reported = counts
    return f"sent {sent}, changed {changed}, reported {reported}"


def key_of(row_id):
    """The adapter's idempotency key of document ``row_id``."""
    return f"tasklane-edo-{row_id}"


def dispatch():
    """Hand each queued document to the adapter. :returns: how many were sent"""
    _release_interrupted()
    ids = db.session.scalars(select(EdoDocument.id).where(EdoDocument.state == QUEUED)
                             .order_by(EdoDocument.id).limit(BATCH)).all()
    db.session.rollback()
    return each(ids, _send)


def _release_interrupted():
    stale = utcnow() - SENDING_LEASE
    if db.session.scalar(select(EdoDocument.id).where(
            EdoDocument.state == SENDING, EdoDocument.state_at < stale).limit(1)) is None:
        db.session.rollback()
        return
    _move(None, SENDING, QUEUED, extra=(EdoDocument.state_at < stale,))


def _send(row_id):
    now = utcnow()
    if not _move(row_id, QUEUED, SENDING, state_at=now, attempts=EdoDocument.attempts + 1):
        return 0
    row = db.session.get(EdoDocument, row_id, populate_existing=True)
    document = edo.File(row.filename, row.content_type, db.session.get(AttachmentBlob, row.sha256).data)
    counterparty = edo.Counterparty(row.counterparty_inn, row.counterparty_kpp, row.counterparty_name)
    sender, attempts = row.requested_by, row.attempts
    db.session.rollback()
    try:
        sent_id = edo.current().send(document, counterparty, key=key_of(row_id), sender=sender)
    except edo.EdoError as error:
        final = not error.retryable or attempts >= MAX_SEND_ATTEMPTS
        _move(row_id, SENDING, FAILED if final else QUEUED, state_at=utcnow(),
              last_error=error.message[:2000], reason=error.message[:2000] if final else None)
        return 0
    except Exception as error:
        said = f"{type(error).__name__}: {error}"[:2000]
        final = attempts >= MAX_SEND_ATTEMPTS
        _move(row_id, SENDING, FAILED if final else QUEUED, state_at=utcnow(), last_error=said,
              reason=said if final else None)
        raise
    _move(row_id, SENDING, edo.SENT, sent_id=sent_id, sent_at=utcnow(), state_at=utcnow(), last_error=None)
    return 1


def poll(row_id=None):
    """Ask the adapter about each document sent and not yet answered (or only ``row_id``);
    record what changed.

    :returns: how many documents changed state
    """
    query = select(EdoDocument.id, EdoDocument.sent_id, EdoDocument.state).where(
        EdoDocument.state.in_((edo.SENT, edo.DELIVERED)))
    if row_id is not None:
        query = query.where(EdoDocument.id == row_id)
    rows = db.session.execute(query.order_by(EdoDocument.id).limit(BATCH)).all()
    db.session.rollback()
    return each(rows, lambda row: _poll(*row))


def _poll(row_id, sent_id, state):
    try:
        status = edo.current().status(sent_id)
    except edo.EdoError as error:
        if error.retryable:
            _note(row_id, error.message)
            return 0
        return _move(row_id, state, FAILED, state_at=utcnow(), reason=error.message[:2000],
                     last_error=error.message[:2000])
    if status.state != state and status.state in edo.STATES:
        return _move(row_id, state, status.state, state_at=status.at or utcnow(), reason=status.reason,
                     last_error=None)
    return 0


def refresh(row_id):
    """Poll document ``row_id`` and report its outcome now, as the next run would (a page
    that has just played the counterparty). :returns: whether its case was told"""
    poll(row_id)
    return bool(report.deliver(row_id))


def documents(limit=200):
    """The latest documents sent for signature, newest first (the ЭДО page)."""
    return db.session.scalars(select(EdoDocument).order_by(EdoDocument.id.desc()).limit(limit)).all()


def _move(row_id, from_state, to_state, *, extra=(), **values):
    """``from_state -> to_state`` if the row is still in ``from_state``; commits."""
    query = update(EdoDocument).where(EdoDocument.state == from_state, *extra)
    if row_id is not None:
        query = query.where(EdoDocument.id == row_id)
    moved = db.session.execute(query.values(state=to_state, **values)
                               .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return int(moved >= 1)


def _note(row_id, message):
    db.session.execute(update(EdoDocument).where(EdoDocument.id == row_id)
                       .values(last_error=message[:2000]).execution_options(synchronize_session=False))
    db.session.commit()


def pending_count():
    """Documents not yet answered or not yet reported (the status page, tests)."""
    open_states = (QUEUED, SENDING, edo.SENT, edo.DELIVERED)
    count = db.session.scalar(select(db.func.count(EdoDocument.id)).where(
        or_(EdoDocument.state.in_(open_states), EdoDocument.reported_at.is_(None))))
    db.session.rollback()
    return count


# Every 30 seconds: the development counterparty answers within minutes, a real one
# within days; a poll of the few unanswered contracts costs one query and a call each.
PERIODIC = (PeriodicJob(name="broker_edo_sync", cron="*/30 * * * * *", timezone="UTC", function=run,
                        timeout=timedelta(minutes=4), title=_l("EDO: contracts sent for signature")),)
