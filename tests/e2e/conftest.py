"""End-to-end fixtures: the test app served over HTTP on loopback, and Debian's
Chromium driven by Playwright.

Browser tests run on one database backend, not on each (see docs/frontend.md):
PostgreSQL when ``DATABASE_URL`` names one, else SQLite. A module opts in with
``pytestmark = one_backend``.
"""
import functools
import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.conftest import BACKENDS

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
         "has_touch": True}
DEMO_PASSWORD = "demo"  # noqa: S105 - the documented password of the demo accounts

one_backend = pytest.mark.parametrize("database_url", [BACKENDS[-1]], indirect=True)


def chromium_path():
    """``CHROMIUM`` if set, else Debian's ``chromium`` (``make browser`` installs it)."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        pytest.fail(f"no Chromium at {path}: run `make browser` (or set CHROMIUM=/path/to/chromium)")
    return path


@pytest.fixture
def live_server(app):
    """The test ``app`` served on a free port of 127.0.0.1; yields its base URL.

    Requests run in the server's threads, each in its own app context and session.
    The test's own ``db.session`` keeps the rows it loaded: call
    ``db.session.expire_all()`` before reading what the browser changed.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # shutdown() waits for the serving loop to look again: every 50 ms, not werkzeug's 0.5 s
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(locale="en", mobile=False)``: a page in a fresh browser context
    (own cookies) whose relative URLs go to the live server."""
    contexts = []

    def open_page(locale="en", mobile=False):
        context = browser.new_context(base_url=live_server, locale=locale, **(PHONE if mobile else DESKTOP))
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """An English desktop page, 1280x800."""
    return new_page()


@pytest.fixture
def phone_page(new_page):
    """An English phone page: 390x844, mobile, touch."""
    return new_page(mobile=True)


@pytest.fixture
def demo_users(app):
    """The demo accounts (``accounts.service.DEMO_USERS``), password ``demo``; returns
    their full names by username."""
    from accounts import service
    from tests.conftest import seed

    seed("demo-users", lambda: service.ensure_demo_users(DEMO_PASSWORD))
    return {username: full_name for username, full_name, _roles, _locale in service.DEMO_USERS}


def login(page, base_url, username, password=DEMO_PASSWORD):
    """Sign in through the real form at /login and wait for the page that follows."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action^='/login'] button[type=submit]")
    return page


def screenshots_folder():
    """``$TASKLANE_SCREENSHOTS`` (``make screenshots``), else ``None``: no pictures."""
    return os.environ.get("TASKLANE_SCREENSHOTS") or None


@pytest.fixture
def screenshot():
    """``screenshot(page, name)``: a full-page PNG into ``$TASKLANE_SCREENSHOTS`` when set
    (``make screenshots``); returns its path, or ``None`` when no pictures are asked for.

    A test run does not take them: a full-page PNG took 1-2 s on this machine's shared
    cores, a third of the browser tests' time, and nothing looks at it. No check of a
    test depends on one; test_screenshots.py checks that taking them works.
    """
    folder = screenshots_folder()
    return functools.partial(take_screenshot, Path(folder)) if folder else _no_screenshot


def _no_screenshot(page, name):
    return None


def take_screenshot(folder, page, name):
    """A full-page PNG of ``page`` as ``folder/<name>.png``, written whole; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    # Written beside, then renamed: an interrupted run never leaves half a PNG in docs/.
    partial, path = folder / f"{name}.tmp.png", folder / f"{name}.png"
    page.evaluate("document.fonts.ready.then(() => true)")  # the icon font, not empty boxes
    page.screenshot(path=str(partial), full_page=True)
    partial.replace(path)
    return path
