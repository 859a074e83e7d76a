"""The application factory: configuration, database, engine, helpers, workers, web."""
import importlib
import logging
from pathlib import Path

from flask import Flask
from flask_migrate import Migrate

from . import config as config_module

MIGRATIONS = str(Path(__file__).resolve().parent / "migrations")


def create_app(test_config=None):
    """Build the app.

    :param test_config: settings that win over the environment (tests)
    :raises ConfigError: a setting is invalid or a required one is missing
    """
    import engine
    import processes  # imports every installed declaration's ``models``: their tables
    import web
    import workers
    from engine import periodic
    from workers.queues import connection

    app = Flask("web", instance_path=None)
    app.config.update(config_module.load(overrides=test_config))
    Path(app.config["TASKLANE_INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("spiff", "spiff.task", "spiff.workflow", "spiff.metrics", "weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    engine.init_app(app)
    periodic.init_app(app, collect_periodic(app.config))
    Migrate(app, engine.db, directory=MIGRATIONS, render_as_batch=True)
    processes.init_app(app)
    workers.init_app(app)
    app.extensions["tasklane_redis_factory"] = lambda: connection(app)
    web.init_app(app)
    return app


def collect_periodic(config):
    """Every declared periodic job: the platform's, each installed domain's
    (``processes.DOMAINS``), and those of the modules named in ``TASKLANE_PERIODIC_MODULES``
    (each exports ``PERIODIC``)."""
    import processes

    jobs = processes.periodic_of(processes.installed())
    for name in filter(None, (part.strip() for part in config["TASKLANE_PERIODIC_MODULES"].split(","))):
        jobs.extend(importlib.import_module(name).PERIODIC)
    return jobs
