"""The Redis connection and the rq queues, built on first use (never at import)."""
import redis
from flask import current_app
from rq import Queue

from engine.errors import ConfigError

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


def job(queue_name, **defaults):
    """Bind an rq job function to its queue where it is declared (Redash's ``@job("emails")``).

    The function stays a plain function (rq stores it by its dotted name) and gains
    ``enqueue(*args, app=None, **options)``, ``enqueue_at(when, *args, app=None, **options)``
    and ``queue(app=None)``; ``options`` are rq's (``job_id``, ``job_timeout``, ...) over
    ``defaults``.
    """
    if queue_name not in QUEUE_NAMES:
        raise ConfigError(f"unknown queue {queue_name!r}; the workers listen to {QUEUE_NAMES}")

    def bind(function):
        def enqueue(*args, app=None, **options):
            return queue(queue_name, app).enqueue(function, *args, **{**defaults, **options})

        def enqueue_at(when, *args, app=None, **options):
            return queue(queue_name, app).enqueue_at(when, function, *args, **{**defaults, **options})

        function.queue_name = queue_name
        function.queue = lambda app=None: queue(queue_name, app)
        function.enqueue, function.enqueue_at = enqueue, enqueue_at
        return function

    return bind
