"""Column types shared by every model, and the range of their integers."""
from datetime import datetime, timezone

from sqlalchemy.types import DateTime, TypeDecorator

DB_INT_MIN, DB_INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL's integer: ids, versions, positions


def db_int(value):
    """``int(value)`` within the database's integer range: ids and numbers read from input.

    :raises ValueError: not a whole number, or out of range (so callers that catch
        ``int()``'s ValueError treat a huge id as a wrong one, not as a database error)
    """
    number = int(value)
    if not DB_INT_MIN <= number <= DB_INT_MAX:
        raise ValueError(f"{value} is out of range")
    return number


def utcnow():
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, whatever the database keeps (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
