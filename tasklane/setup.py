"""Bring a database up to date: migrate, deploy the shipped diagrams, load demo data."""
from pathlib import Path

from flask import current_app
from flask_migrate import upgrade

import engine
from accounts import service as accounts


def compile_translations():
    """Compile the web layer's ``.po`` catalogs whose ``.mo`` is missing or older.

    :returns: how many catalogs were compiled
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = 0
    for po in (Path(current_app.root_path) / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalog)
        compiled += 1
    return compiled


def migrate():
    upgrade(directory=current_app.extensions["migrate"].directory)


def deploy_directory(directory=None, actor="system"):
    """Deploy every ``*.bpmn`` of ``directory`` whose content changed.

    :returns: list of ``(file name, process key, version, created)``
    :raises DeployError: a diagram was refused (nothing of that file is stored)
    """
    directory = Path(directory or current_app.config["TASKLANE_BPMN_DIR"])
    accounts.ensure_roles()
    roles = accounts.role_names()
    results = []
    for path in sorted(directory.glob("*.bpmn")):
        for version, created in engine.deploy(path.read_bytes(), actor=actor, name=path.name, roles=roles):
            results.append((path.name, version.definition.key, version.version, created))
    return results


def load_demo():
    """Demo users (development only). :returns: how many users were created"""
    return accounts.ensure_demo_users(current_app.config["TASKLANE_DEMO_PASSWORD"])


def load_demo_cases():
    """Demo lead-handling cases (development only), if that process is deployed."""
    from engine.db import db
    from engine.models import ProcessDefinition

    from . import demo

    if db.session.query(ProcessDefinition).filter_by(key="lead_handling").first() is None:
        return 0
    return demo.load()
