"""Append-only audit events, chained by hash per stream.

Every event's hash covers its own fields and the hash of the event before it in the
same stream (``instance:<id>`` or ``definition:<key>``); the stream's head row holds
the last sequence number and hash, so an edited, inserted or deleted event
(including the last one) breaks the chain and :func:`verify` names it.
"""
import hashlib
import json

from .db import db
from .models import AuditEvent, AuditStream
from .types import utcnow

GENESIS = "0" * 64


def jsonable(value):
    """``value`` as plain JSON types, so that what is hashed is what is stored."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def _digest(event):
    body = {
        "stream": event.stream, "seq": event.seq, "instance_id": event.instance_id,
        "task_id": event.task_id, "element_id": event.element_id, "kind": event.kind,
        "actor": event.actor, "at": event.at.isoformat(timespec="microseconds"),
        "data_before": event.data_before, "data_after": event.data_after,
        "details": event.details, "prev_hash": event.prev_hash,
    }
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def append(stream, kind, *, actor, instance_id=None, task_id=None, element_id=None,
           data_before=None, data_after=None, details=None, at=None):
    """Add one event to ``stream`` in the current transaction.

    The caller holds the lock of whatever the stream is about (the instance row, the
    definition row); a concurrent append to the same stream fails on the unique
    (stream, seq) constraint rather than forking the chain.
    """
    head = db.session.get(AuditStream, stream)
    if head is None:
        head = AuditStream(stream=stream, seq=0, hash=GENESIS)
        db.session.add(head)
    at = at or utcnow()
    event = AuditEvent(
        stream=stream, seq=head.seq + 1, instance_id=instance_id, task_id=task_id,
        element_id=element_id, kind=kind, actor=actor, at=at,
        data_before=jsonable(data_before), data_after=jsonable(data_after),
        details=jsonable(details), prev_hash=head.hash,
    )
    event.hash = _digest(event)
    head.seq, head.hash = event.seq, event.hash
    db.session.add(event)
    return event


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
