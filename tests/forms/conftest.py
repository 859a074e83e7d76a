"""Fixtures for forms/: an app context with Flask-Babel, and form files written by a test.

forms/ needs Flask-Babel at call time but no database, so these tests use a bare
Flask app with Babel instead of the ``app`` fixture (which builds a database per test,
and which hypothesis cannot share between examples). The template test uses ``app``.
"""
import json
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel

from forms import definitions
from tasklane import config

PLACE_SETTINGS = ("TASKLANE_ZONE", "TASKLANE_REGION", "TASKLANE_LANGUAGE", "TASKLANE_CURRENCY",
                  "TASKLANE_PLACES")
WEB = Path(__file__).resolve().parents[2] / "web"


@pytest.fixture(scope="session")
def babel_app():
    app = Flask("web", root_path=str(WEB))
    Babel(app, default_translation_directories=str(WEB / "translations"))
    # the default place (engine/places.py): a date-time's zone and a phone's region
    settings = config.load(environ={}, overrides={"TASKLANE_SECRET_KEY": "test"})
    app.config.update({name: settings[name] for name in settings if name in PLACE_SETTINGS})
    return app


@pytest.fixture
def babel(babel_app):
    with babel_app.test_request_context():
        yield babel_app


@pytest.fixture
def form_files(tmp_path, monkeypatch):
    """``write(key, schema)``: a form definition visible to forms/ for this test only."""
    monkeypatch.setattr(definitions, "FORMS_DIR", tmp_path)

    def write(key, schema):
        (tmp_path / f"{key}.json").write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
        return key

    return write
