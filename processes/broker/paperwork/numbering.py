"""Document numbers: per kind and year, in sequence, without gaps or duplicates.

    contract  Д-2026-0001     act  А-2026-0001     invoice  С-2026-0001

(Cyrillic letters: Договор, Акт, Счёт; four digits, more past 9999). The year is the year of
the document's date, in the brokerage's zone.

One row per kind and year (``broker_document_counter``) holds the last number. The next one
is taken by a single ``UPDATE ... SET last = last + 1 ... RETURNING last`` inside the
transaction that stores the document: on PostgreSQL the UPDATE holds the row's lock until
that transaction ends, so a concurrent issue waits and then reads the committed value (no
duplicate); on SQLite the UPDATE takes the database's write lock, with the same effect.
A transaction that rolls back (a failed render, a refused store) rolls the counter back
with it, so its number is given to the next document (no gap). The price: issues of one
kind and year are serialised from the number to the commit (a render, well under a second).
"""
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from engine.db import db

from .models import DocumentCounter

PREFIXES = {"contract": "Д", "act": "А", "invoice": "С"}


def format_number(kind, year, seq):
    """``Д-2026-0001``. :raises KeyError: an unknown kind"""
    return f"{PREFIXES[kind]}-{year}-{seq:04d}"


def sample_number(kind, year):
    """The number a preview shows (``Д-2026-0000``): never given to a document."""
    return format_number(kind, year, 0)


def allocate(kind, year):
    """Take the next number of ``kind`` in ``year`` in the current transaction, which the
    caller commits with the document (or rolls back, and the number is taken again).

    :returns: the sequence number (1, 2, ...)
    :raises KeyError: an unknown kind
    """
    PREFIXES[kind]
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(DocumentCounter).values(kind=kind, year=year, last=0)
                       .on_conflict_do_nothing(index_elements=["kind", "year"]))
    taken = (update(DocumentCounter)
             .where(DocumentCounter.kind == kind, DocumentCounter.year == year)
             .values(last=DocumentCounter.last + 1)
             .returning(DocumentCounter.last)
             .execution_options(synchronize_session=False))
    return db.session.execute(taken).scalar_one()


def last(kind, year):
    """The last number given in ``year`` (0 before the first), as committed or taken in this transaction."""
    row = db.session.get(DocumentCounter, (kind, year), populate_existing=True)
    return row.last if row is not None else 0
