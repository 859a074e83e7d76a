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
    """Deploy every ``*.bpmn`` of ``directory`` that changed since it was last deployed
    from there; a newer version from the modeler or the API stays (engine.deploy_shipped).

    :returns: list of ``(file path, ProcessVersion, status)``, status ``deployed``,
        ``unchanged`` or ``kept`` (the version is then the newer one that stays)
    :raises DeployError: a diagram was refused (nothing of that file is stored)
    """
    directory = Path(directory or current_app.config["TASKLANE_BPMN_DIR"])
    accounts.ensure_roles()
    roles = accounts.role_names()
    results = []
    for path in sorted(directory.glob("*.bpmn")):
        for version, status in engine.deploy_shipped(shipped_source(path), actor=actor, name=path.name,
                                                     roles=roles):
            results.append((path, version, status))
    return results


def shipped_source(path):
    """What a shipped diagram deploys as: the file alone, or, when a folder of its name
    stands beside it (``bpmn/broker_deal/`` beside ``bpmn/broker_deal.bpmn``), a bundle of
    the diagram and that folder's decision tables and forms (docs/runtime.md, "Models in
    several files")."""
    from engine import bundles

    companions = path.with_suffix("")
    if not companions.is_dir():
        return path.read_bytes()
    files = sorted(f for f in companions.iterdir() if f.is_file())
    return bundles.from_files([(path.name, path.read_bytes()), *((f.name, f.read_bytes()) for f in files)])


def deploy_paths(paths, actor="cli"):
    """Deploy files, folders and zips given on the command line as one bundle (engine/bundles.py):
    a folder brings its files, a zip is opened; a lone file that is neither .bpmn, .dmn, .json
    nor .zip is read as a BPMN document.

    :returns: ``(results, skipped)``: ``[(shown path, ProcessVersion, status)]`` (status
        ``deployed`` or ``unchanged``; the path of the file holding the process when it was
        given by itself) and the names of the files not read
    :raises DeployError: the files cannot be a bundle, or were refused (nothing is stored)
    """
    from engine import bundles

    given, pairs = {}, []
    for raw in paths:
        path = Path(raw)
        for file in sorted(f for f in path.iterdir() if f.is_file()) if path.is_dir() else [path]:
            given[file.name] = raw if file == path else str(file)
            pairs.append((file.name, file.read_bytes()))
    name, data = pairs[0] if pairs else ("", b"")
    if len(pairs) == 1 and bundles.kind_of(name) is None and not name.lower().endswith(".zip"):
        bundle = bundles.single(data, name)
    else:
        bundle = bundles.from_files(pairs)
    accounts.ensure_roles()
    deployed = engine.deploy(bundle, actor=actor, name=bundle.name, roles=accounts.role_names())
    results = [(given.get(version.source_name, version.source_name), version,
                "deployed" if created else "unchanged") for version, created in deployed]
    return results, list(bundle.skipped)


def describe_deploy(path, version, status, shown=None):
    """One line of what a deploy did with diagram file ``path`` (shown as ``shown``, else its name)."""
    key, shown = version.definition.key, shown or Path(path).name
    if status != "kept":
        return f"{status}: {shown} -> {key} v{version.version}"
    path = Path(path).resolve()
    hint = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
    return (f"kept: {key} v{version.version} deployed by {version.deployed_by} "
            f"on {version.deployed_at:%Y-%m-%d %H:%M} UTC stays; {shown} has not changed since it was "
            f"last deployed from the file (`tasklane deploy {hint}` deploys it anyway)")


def load_demo():
    """Demo users (development only). :returns: how many users were created"""
    return accounts.ensure_demo_users(current_app.config["TASKLANE_DEMO_PASSWORD"])


def load_demo_cases():
    """Every installed domain's demo cases (development only); each domain's loader
    checks that its own process is deployed."""
    from . import demo

    return demo.load()
