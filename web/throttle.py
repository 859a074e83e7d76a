"""Password-guessing throttle, shared by the sign-in page and ``POST /api/v1/auth/token``.

After ``MAX_FAILURES`` failed attempts for one username within ``WINDOW`` seconds,
further attempts for that username are refused until the window ends, even with
the right password. Counted in Redis, so every web process sees the same count;
the page and the API share one counter, so switching between them gains nothing.
"""
from flask import current_app

from engine.errors import TasklaneError

MAX_FAILURES = 5
WINDOW = 15 * 60


class ThrottledError(TasklaneError):
    """Too many failed attempts; ``retry_after`` is in seconds."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message, *, retry_after):
        super().__init__(message)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


def _key(username):
    return f"{current_app.config['TASKLANE_QUEUE_PREFIX']}:login-failures:{(username or '').strip().lower()}"


def _redis():
    return current_app.extensions["tasklane_redis_factory"]()


def retry_after(username):
    """Seconds until ``username`` may try again; 0 when it is not locked."""
    key = _key(username)
    conn = _redis()
    if int(conn.get(key) or 0) < MAX_FAILURES:
        return 0
    return max(1, conn.ttl(key))


def minutes(seconds):
    """``seconds`` rounded up to whole minutes, at least one (for messages)."""
    return max(1, (seconds + 59) // 60)


def record_failure(username):
    """Count one failed attempt; the window restarts with each failure."""
    key = _key(username)
    _redis().pipeline().incr(key).expire(key, WINDOW).execute()


def clear(username):
    """Forget the failures of ``username`` (after a successful sign-in)."""
    _redis().delete(_key(username))
