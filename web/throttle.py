"""Password-guessing throttle, shared by the sign-in page and ``POST /api/v1/auth/token``.

Every attempt is counted twice: against the user name typed (``MAX_FAILURES`` within
``WINDOW`` seconds) and against the client's address (``TASKLANE_LOGIN_ADDRESS_LIMIT``
within the same window), so neither many guesses at one name nor one guess at many
names gets far. An attempt takes its place in both counters *before* the password is
checked, in one Redis script (atomic), so parallel attempts cannot all slip through
while the counters lag: of 40 parallel wrong passwords, at most the limit are checked.
When a counter is full, the attempt is refused (429) without looking at the password,
even the right one, until the window ends; each counted attempt restarts the window.
A successful sign-in clears the user name's counter and gives the address its slot back.

Counted in Redis, so every web process sees the same counts; the page and the API
share them, so switching between them gains nothing. Behind a reverse proxy,
``request.remote_addr`` is the proxy's: see docs/security.md (ProxyFix).
"""
from flask import current_app, request

from engine.errors import TasklaneError

MAX_FAILURES = 5
WINDOW = 15 * 60

# KEYS: the counters; ARGV[1]: the window, ARGV[2..]: each counter's limit.
# Returns 0 when the attempt was counted, else the seconds until the full counter empties.
_ATTEMPT = """
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('get', key) or '0') >= tonumber(ARGV[i + 1]) then
    local ttl = redis.call('ttl', key)
    if ttl < 1 then ttl = 1 end
    return ttl
  end
end
for _, key in ipairs(KEYS) do
  redis.call('incr', key)
  redis.call('expire', key, ARGV[1])
end
return 0
"""
# The user name's counter goes; the address gets this attempt's slot back (a DECR on a key
# whose window ended meanwhile would leave a counter without expiry).
_SUCCEEDED = """
redis.call('del', KEYS[1])
if redis.call('exists', KEYS[2]) == 1 and tonumber(redis.call('get', KEYS[2])) > 0 then
  redis.call('decr', KEYS[2])
end
return 0
"""


class ThrottledError(TasklaneError):
    """Too many failed attempts; ``retry_after`` is in seconds."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message, *, retry_after):
        super().__init__(message)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


def _keys(username):
    prefix = current_app.config["TASKLANE_QUEUE_PREFIX"]
    return (f"{prefix}:login-failures:{(username or '').strip().lower()}",
            f"{prefix}:login-failures-from:{request.remote_addr or '-'}")


def _redis():
    return current_app.extensions["tasklane_redis_factory"]()


def attempt(username):
    """Count one attempt for ``username`` from this request's address, before checking it.

    :returns: 0 when the password may be checked, else the seconds to wait (nothing counted)
    """
    limits = (MAX_FAILURES, current_app.config["TASKLANE_LOGIN_ADDRESS_LIMIT"])
    return int(_redis().eval(_ATTEMPT, 2, *_keys(username), WINDOW, *limits))


def succeeded(username):
    """The attempt was right: forget the failures of ``username``, give the address its slot back."""
    _redis().eval(_SUCCEEDED, 2, *_keys(username))


def minutes(seconds):
    """``seconds`` rounded up to whole minutes, at least one (for messages)."""
    return max(1, (seconds + 59) // 60)
