"""The ``tasklane`` command: run, worker, deploy, audit verify, user add, db ..."""
import json
import os
import signal
import subprocess
import sys
import time

import click
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext

from .app import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False,
             add_version_option=False)
def main():
    """Tasklane: a process platform for sales and lending operations."""


main.add_command(shell_command)
main.add_command(routes_command)


@main.command("setup")
@with_appcontext
def setup_command():
    """Migrate the database, deploy changed diagrams, load demo data (development)."""
    from flask import current_app

    from workers import embedded

    instance = current_app.config["TASKLANE_INSTANCE_DIR"]
    was_running = embedded.is_running(instance)
    _setup()
    if not current_app.config["TASKLANE_REDIS_URL"] and not was_running:
        embedded.stop(instance)  # demo timers started it; nothing should outlive this command


def _setup():
    from flask import current_app

    from . import setup

    setup.compile_translations()
    setup.migrate()
    for path, version, status in setup.deploy_directory():
        click.echo(setup.describe_deploy(path, version, status))
    if current_app.config["TASKLANE_ENV"] == "development":
        created = setup.load_demo()
        click.echo(f"demo users ready ({created} created); password: "
                   f"{'from TASKLANE_DEMO_PASSWORD' if os.environ.get('TASKLANE_DEMO_PASSWORD') else 'demo'}")
        cases = setup.load_demo_cases()
        if cases:
            click.echo(f"demo cases started: {cases}")


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def run_command(host, port):
    """Set up, then start gunicorn and one worker until interrupted."""
    from flask import current_app

    from workers import embedded

    _setup()
    config = current_app.config
    env = dict(os.environ, TASKLANE_INSTANCE_DIR=config["TASKLANE_INSTANCE_DIR"])
    if not config["TASKLANE_REDIS_URL"]:
        env["TASKLANE_REDIS_URL"] = embedded.ensure(config["TASKLANE_INSTANCE_DIR"])
    bin_dir = os.path.dirname(sys.executable)
    children = [
        subprocess.Popen([os.path.join(bin_dir, "gunicorn"), "--workers", str(config["TASKLANE_WEB_WORKERS"]),
                          "--bind", f"{host}:{port}", "--access-logfile", "-",
                          "tasklane.app:create_app()"], env=env),
        subprocess.Popen([sys.executable, "-m", "tasklane.cli", "worker"], env=env),
    ]
    click.echo(f"\nTasklane is running at http://{host}:{port}  (Ctrl-C stops it)\n")
    _supervise(children, config)


def _supervise(children, config):
    from workers import embedded

    stop = {"now": False}

    def on_signal(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stop["now"] and all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        if not config["TASKLANE_REDIS_URL"]:
            embedded.stop(config["TASKLANE_INSTANCE_DIR"])
    failed = [c.args[0] for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
    if failed and not stop["now"]:
        raise click.ClickException(f"{', '.join(failed)} stopped unexpectedly")


@main.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--no-scheduler", is_flag=True, help="Do not run rq's scheduler in this worker.")
@with_appcontext
def worker_command(burst, no_scheduler):
    """Run an rq worker (with the scheduler) and the timer/outbox sweep."""
    from flask import current_app

    from workers import worker

    worker.run(current_app._get_current_object(), burst=burst, with_scheduler=not no_scheduler)


@main.command("deploy")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--actor", default="cli", show_default=True)
@with_appcontext
def deploy_command(paths, actor):
    """Deploy BPMN files with their DMN and form files: the files, folders and zips given,
    as one bundle (default: every diagram in the bpmn folder that changed, each alone)."""
    from engine.errors import DeployError

    from . import setup

    skipped = []
    try:
        if not paths:
            results = setup.deploy_directory(actor=actor)
        else:
            results, skipped = setup.deploy_paths(paths, actor=actor)
    except DeployError as error:
        raise click.ClickException(str(error)) from None
    for path, version, status in results:
        click.echo(setup.describe_deploy(path, version, status, shown=str(path) if paths else None))
    for name in skipped:
        click.echo(f"skipped: {name} (not a .bpmn, .dmn or .json file)")


@main.group("audit")
def audit_group():
    """Audit trail commands."""


@audit_group.command("verify")
@click.option("--stream", help="Check one stream only, e.g. instance:42.")
@with_appcontext
def audit_verify_command(stream):
    """Check the hash chains of the audit trail; exit 1 on the first broken link."""
    from engine import audit

    problems = audit.verify(stream)
    if not problems:
        click.echo("audit trail intact")
        return
    for problem in problems:
        click.echo(json.dumps(problem, ensure_ascii=False), err=True)
    sys.exit(1)


@main.group("user")
def user_group():
    """User accounts."""


@user_group.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="Repeat for several roles.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "full_name", default="")
@click.option("--email", default=None)
@click.option("--locale", type=click.Choice(["vi", "en", "ru"]), default="en")
@with_appcontext
def user_add_command(username, roles, password, full_name, email, locale):
    """Create a user with one or more roles."""
    from accounts import service
    from engine.db import db
    from engine.errors import TasklaneError

    try:
        service.add_user(username, password, list(roles), full_name=full_name, email=email, locale=locale)
        db.session.commit()
    except TasklaneError as error:
        db.session.rollback()
        details = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
        raise click.ClickException(f"{error.message}{' (' + details + ')' if details else ''}") from None
    click.echo(f"user {username} created with role(s) {', '.join(roles)}")


if __name__ == "__main__":
    main()
