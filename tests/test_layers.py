"""Layers: the import-linter contract in setup.cfg holds, and nothing below ``web``
imports Flask's request, its templates, or the web package."""
import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

LOWER_LAYERS = ("engine", "workers", "processes", "forms", "accounts", "crm")
WEB_ONLY_FLASK_NAMES = {"request", "render_template", "render_template_string"}


def _is_web(module):
    return module == "web" or module.startswith("web.")


def forbidden_imports(source):
    """``(line, what)`` for each import of the web layer or of Flask's request / templates."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if _is_web(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _is_web(node.module):
                found.append((node.lineno, node.module))
            elif node.module == "flask" or node.module.startswith("flask."):
                found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names
                          if a.name in WEB_ONLY_FLASK_NAMES]
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "flask" and node.attr in WEB_ONLY_FLASK_NAMES):
            found.append((node.lineno, f"flask.{node.attr}"))
    return sorted(found)


def lower_layer_modules():
    return sorted(path for package in LOWER_LAYERS for path in (ROOT / package).rglob("*.py"))


def test_import_linter_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--config", "setup.cfg", "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken." in result.stdout


def test_no_module_below_web_imports_request_templates_or_web():
    modules = lower_layer_modules()
    assert ROOT / "engine" / "runtime.py" in modules and ROOT / "workers" / "jobs.py" in modules
    found = {str(path.relative_to(ROOT)): forbidden_imports(path.read_text(encoding="utf-8"))
             for path in modules}
    assert {path: imports for path, imports in found.items() if imports} == {}


def test_the_import_scan_recognises_every_forbidden_form():
    source = "\n".join([
        "from flask import current_app, request",
        "from flask.templating import render_template",
        "import web.health",
        "from web import errors",
        "import flask",
        "flask.request.args",
        "from flask import jsonify",
    ])
    assert forbidden_imports(source) == [
        (1, "flask.request"), (2, "flask.templating.render_template"), (3, "web.health"), (4, "web"),
        (6, "flask.request"),
    ]
