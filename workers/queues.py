"""The Redis connection and the rq queues, built on first use (never at import)."""
import redis
from flask import current_app
from rq import Queue

from . import embedded

QUEUE_NAMES = ("timers", "notifications", "default")


def connection(app=None):
    """The app's Redis connection: ``REDIS_URL``, or the embedded Redis of the instance folder."""
    app = app or current_app
    conn = app.extensions.get("tasklane_redis")
    if conn is None:
        url = app.config["TASKLANE_REDIS_URL"] or embedded.ensure(app.config["TASKLANE_INSTANCE_DIR"])
        conn = redis.Redis.from_url(url, health_check_interval=30)
        app.extensions["tasklane_redis"] = conn
    return conn


def queue(name, app=None):
    app = app or current_app
    prefix = app.config["TASKLANE_QUEUE_PREFIX"]
    return Queue(f"{prefix}-{name}", connection=connection(app))


def all_queues(app=None):
    return [queue(name, app) for name in QUEUE_NAMES]
