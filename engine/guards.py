"""The clocks and the memory cap around restricted code (see engine/sandbox.py).

:class:`Deadline` stops a script at its time limit in a way the script cannot catch;
:class:`MemoryCap` limits how much the process may grow while scripts run.
"""
import os
import sys
import threading
import time

try:
    import resource
except ImportError:  # pragma: no cover - not on POSIX: no address-space cap
    resource = None

SCRIPT_FILENAME = "<script>"
_STATM = "/proc/self/statm"  # where the address space is read; without it (not Linux), no cap


class Expired(BaseException):
    """Raised inside a script once its time is up: not an ``Exception``, so no handler a
    script may write catches it, and raised again at every later check."""


_WATCHED = True.__bool__   # ``_tick_()`` while the trace function watches: C, not traced, truthy


class Deadline:
    """Stops Python-level code that runs past its time limit, in any thread.

    A trace function checks the clock on every opcode executed by the script itself
    (``while True: pass`` on one line jumps back without a new line event) and on every
    function call the script's helpers make; it is installed only while restricted code
    runs. Helpers (trusted, registered code) are not traced line by line: that made a
    helper's database work through SQLAlchemy some ten times slower, enough to pass the
    limit on a loaded machine, while a script's own loop is still stopped.

    The limit is CPU time of the thread running the script (``time.thread_time``): a
    loaded machine or a helper waiting on the database does not use it up, so a script
    that does little is never stopped because the server was busy. The clock read on
    every opcode is the cheap monotonic one; only once that passes the mark is the
    thread's CPU time read, and the mark moved on by what is left of the limit.

    CPython removes a trace function that raises, so the checks the compiler puts in
    every loop, function, ``except`` and ``finally`` block (``_tick_()``) take over
    then: a C-level no-op while the trace function watches, :meth:`tick` from the
    moment it raised, which raises :class:`Expired` again at each of them, so a
    script cannot outlive its limit by catching it (nor by a ``finally``).
    """

    def __init__(self, seconds, scope):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.cpu_start = time.thread_time()
        self.scope = scope
        scope["_tick_"] = _WATCHED

    def __enter__(self):
        self.deadline = time.monotonic() + self.seconds
        self.cpu_start = time.thread_time()
        self.previous = sys.gettrace()
        sys.settrace(self._global_trace)
        return self

    def __exit__(self, *exc):
        sys.settrace(self.previous)

    def expired(self):
        self.scope["_tick_"] = self.tick   # the trace function is gone once this is raised
        return Expired(f"script ran longer than {self.seconds:g} s and was stopped")

    def spent(self):
        """Whether the thread has used its CPU time; if not, move the mark to when it
        could have at the earliest."""
        left = self.seconds - (time.thread_time() - self.cpu_start)
        if left > 0:
            self.deadline = time.monotonic() + left
            return False
        return True

    def tick(self):
        if time.monotonic() > self.deadline and self.spent():
            raise self.expired()
        return True

    def _global_trace(self, frame, event, arg):
        if frame.f_code.co_filename == SCRIPT_FILENAME:
            frame.f_trace_opcodes = True
            return self._local_trace
        if time.monotonic() > self.deadline and self.spent():   # a call made by a helper
            raise self.expired()
        return None

    def _local_trace(self, frame, event, arg):
        if time.monotonic() > self.deadline and self.spent():
            raise self.expired()
        return self._local_trace


class MemoryCap:
    """While scripts run, the process may grow its address space by at most ``limit`` bytes.

    A hard backstop behind the size checks of engine/limits.py: a loop that keeps
    allowed-size results alive fails with ``MemoryError`` instead of exhausting the
    machine. The cap is the process's (``RLIMIT_AS``): threads running scripts at the
    same time share one cap, set by the first and lifted by the last.
    """

    _lock = threading.Lock()
    _users = 0
    _saved = None

    def __init__(self, limit):
        self.limit = limit if resource is not None and os.path.exists(_STATM) else None

    def __enter__(self):
        if not self.limit:
            return self
        with self._lock:
            if MemoryCap._users == 0:
                soft, hard = resource.getrlimit(resource.RLIMIT_AS)
                cap = _address_space() + self.limit
                if hard != resource.RLIM_INFINITY:
                    cap = min(cap, hard)
                if soft == resource.RLIM_INFINITY or soft > cap:
                    MemoryCap._saved = (soft, hard)
                    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
            MemoryCap._users += 1
        return self

    def __exit__(self, *exc):
        if not self.limit:
            return
        with self._lock:
            MemoryCap._users -= 1
            if MemoryCap._users == 0 and MemoryCap._saved is not None:
                resource.setrlimit(resource.RLIMIT_AS, MemoryCap._saved)
                MemoryCap._saved = None


_statm = {"pid": None, "fd": None}


def _address_space():
    """The process's address space in bytes (``pread`` on a descriptor kept open: reopening
    /proc costs more than the rest of a short script; a forked child opens its own)."""
    if _statm["pid"] != os.getpid():
        _statm.update(pid=os.getpid(), fd=os.open(_STATM, os.O_RDONLY | os.O_CLOEXEC))
    return int(os.pread(_statm["fd"], 64, 0).split()[0]) * resource.getpagesize()
