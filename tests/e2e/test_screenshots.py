"""The pictures of ``make screenshots``: a test run takes none (tests/e2e/conftest.py
``screenshot``), so these check that taking them still works."""
from tests.e2e.conftest import one_backend

pytestmark = one_backend
PNG = b"\x89PNG\r\n\x1a\n"


def test_with_the_screenshots_folder_set_each_picture_is_a_whole_full_page_png(
        page, tmp_path, monkeypatch, request):
    folder = tmp_path / "shots"
    monkeypatch.setenv("TASKLANE_SCREENSHOTS", str(folder))
    screenshot = request.getfixturevalue("screenshot")
    page.goto("/login")
    path = screenshot(page, "sign-in")
    data = path.read_bytes()
    assert path == folder / "sign-in.png"
    assert data[:8] == PNG
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == 1280 and height >= page.evaluate("document.documentElement.scrollHeight")
    assert [p.name for p in folder.iterdir()] == ["sign-in.png"]   # nothing half-written left


def test_without_the_screenshots_folder_no_picture_is_taken(page, monkeypatch, request, tmp_path):
    monkeypatch.delenv("TASKLANE_SCREENSHOTS", raising=False)
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    screenshot = request.getfixturevalue("screenshot")
    page.goto("/login")
    assert screenshot(page, "sign-in") is None
    assert not list(here.iterdir()) and not list(tmp_path.glob("**/*.png"))
