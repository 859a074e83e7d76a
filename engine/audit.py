"""Append-only audit events, chained by hash per stream.

Every event's hash covers its own fields and the hash of the event before it in the
same stream (``instance:<id>`` or ``definition:<key>``); the stream's head row holds
the last sequence number and hash, so an edited, inserted or deleted event
(including the last one) breaks the chain and :func:`verify` names it.
"""
import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timezone

from sqlalchemy import insert

from .db import db
from .models import AuditEvent, AuditStream
from .types import utcnow

GENESIS = "0" * 64
_STORY_TIME = ContextVar("audit_story_time", default=None)


@contextmanager
def story_time(moment):
    """Events added in this block without a time of their own are dated ``moment``.

    For the demo loader only: it tells, in seconds, a story that took days (a referral sent,
    accepted, worked, disbursed), and a history must show each event when it happened in
    the story. The chain is built as ever, so :func:`verify` holds. A unit of work dates its
    instance's events itself (``Recorder``), so those keep the moment they were written.
    """
    moment = moment.astimezone(timezone.utc)   # as stored, so the hash covers what is read back
    token = _STORY_TIME.set(moment)
    try:
        yield moment
    finally:
        _STORY_TIME.reset(token)


def jsonable(value):
    """``value`` as plain JSON types, so that what is hashed is what is stored."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, sort_keys=True))


_FIELDS = ("stream", "seq", "instance_id", "task_id", "element_id", "kind", "actor", "at",
           "data_before", "data_after", "details", "prev_hash")


def _digest(event):
    """SHA-256 of an event's fields; ``event`` is a row or a dict of column values."""
    get = event.get if isinstance(event, dict) else lambda name: getattr(event, name)
    body = {name: get(name) for name in _FIELDS}
    body["at"] = body["at"].isoformat(timespec="microseconds")
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


class Chain:
    """Events appended to one stream in the current transaction, written in one INSERT.

    The caller holds the lock of whatever the stream is about (the instance row, the
    definition row); a concurrent writer to the same stream fails on the unique
    (stream, seq) constraint rather than forking the chain.
    """

    def __init__(self, stream):
        self.stream = stream
        self.rows = []
        self._head = None

    def add(self, kind, *, actor, instance_id=None, task_id=None, element_id=None,
            data_before=None, data_after=None, details=None, at=None):
        """Queue one event; returns its column values."""
        if self._head is None:
            self._head = db.session.get(AuditStream, self.stream)
            if self._head is None:
                self._head = AuditStream(stream=self.stream, seq=0, hash=GENESIS)
                db.session.add(self._head)
        row = {
            "stream": self.stream, "seq": self._head.seq + 1, "instance_id": instance_id,
            "task_id": task_id, "element_id": element_id, "kind": kind, "actor": actor,
            "at": at or _STORY_TIME.get() or utcnow(), "data_before": jsonable(data_before),
            "data_after": jsonable(data_after), "details": jsonable(details),
            "prev_hash": self._head.hash,
        }
        row["hash"] = _digest(row)
        self._head.seq, self._head.hash = row["seq"], row["hash"]
        self.rows.append(row)
        return row

    def write(self):
        """Insert the queued events (the head row is saved with the session)."""
        if self.rows:
            db.session.execute(insert(AuditEvent), self.rows)
            self.rows = []


class Recorder:
    """Mixin of a locked change to one instance (``instance``, ``actor``, ``now``, ``chain``):
    ``audit(kind, ...)`` queues an event on the instance's stream."""

    def audit(self, kind, **kwargs):
        """Queue an audit event of this instance; written when the change is saved."""
        if self.chain is None:
            self.chain = Chain(f"instance:{self.instance.id}")
        kwargs.setdefault("actor", self.actor)
        kwargs.setdefault("at", self.now)
        return self.chain.add(kind, instance_id=self.instance.id, **kwargs)


def append(stream, kind, **fields):
    """Add one event to ``stream`` in the current transaction; see :class:`Chain`."""
    chain = Chain(stream)
    row = chain.add(kind, **fields)
    chain.write()
    return row


def verify(stream=None):
    """Check every chain (or one stream).

    :returns: a list of problems ``{"stream", "seq", "event_id", "message"}``; empty if intact
    """
    heads = {h.stream: h for h in db.session.query(AuditStream)}
    query = db.session.query(AuditEvent).order_by(AuditEvent.stream, AuditEvent.seq)
    if stream is not None:
        query = query.filter(AuditEvent.stream == stream)
        heads = {k: v for k, v in heads.items() if k == stream}
    problems, state = [], {}
    for event in query.yield_per(1000):
        seq, prev = state.get(event.stream, (0, GENESIS))
        problems.extend(_check_event(event, seq, prev))
        state[event.stream] = (event.seq, event.hash)
    for name, head in heads.items():
        seq, last = state.get(name, (0, GENESIS))
        if (head.seq, head.hash) != (seq, last):
            problems.append({"stream": name, "seq": seq + 1, "event_id": None,
                             "message": f"chain ends at event {seq} but its head says {head.seq}: "
                                        "events were deleted or the head was altered"})
    for name in set(state) - set(heads):
        problems.append({"stream": name, "seq": None, "event_id": None, "message": "stream has no head"})
    return problems


def _check_event(event, seq, prev):
    found = []
    where = {"stream": event.stream, "seq": event.seq, "event_id": event.id}
    if event.seq != seq + 1:
        found.append({**where, "message": f"expected event {seq + 1}, found {event.seq}: events are missing"})
    if event.prev_hash != prev:
        found.append({**where, "message": "previous hash does not match: the chain was broken here"})
    if _digest(event) != event.hash:
        found.append({**where, "message": "content does not match its hash: the event was edited"})
    return found
