"""Signing in, in a real browser: desktop and phone, English, Vietnamese and Russian."""
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.e2e.conftest import login, one_backend

pytestmark = one_backend

# msgstr of "Sign in" in web/translations/<lang>/LC_MESSAGES/messages.po
SIGN_IN = {"en": "Sign in", "vi": "Đăng nhập", "ru": "Войти"}
LANGUAGE_BUTTON = {"en": "English", "vi": "Tiếng Việt", "ru": "Русский"}


def path_of(page):
    return urlsplit(page.url).path


def test_signing_in_with_a_demo_user_lands_on_the_home_page_showing_their_name(page, live_server, demo_users):
    login(page, live_server, "admin")
    assert path_of(page) != "/login"
    # "Quản trị viên": the name links to the profile; Vietnamese diacritics in an English page.
    expect(page.get_by_role("link", name=demo_users["admin"])).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_wrong_password_shows_the_error_and_stays_on_the_sign_in_page(page, live_server, demo_users):
    login(page, live_server, "admin", password="not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password.")
    assert path_of(page) == "/login"
    expect(page.locator("body")).not_to_contain_text(demo_users["admin"])
    expect(page.locator("input[name=password]")).to_be_visible()


def test_the_sign_in_page_loads_every_style_and_script_without_errors(page):
    failures = []

    def page_asked_for(url):
        return not url.endswith("/favicon.ico")  # the browser asks for that one by itself

    page.on("response", lambda r: r.status >= 400 and page_asked_for(r.url)
            and failures.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: failures.append(f"failed {r.url}: {r.failure}"))
    page.on("console", lambda m: m.type == "error" and page_asked_for(m.location["url"])
            and failures.append(f"console: {m.text} ({m.location['url']})"))
    page.on("pageerror", lambda error: failures.append(f"script error: {error}"))
    page.goto("/login", wait_until="networkidle")
    assert failures == []


def test_the_language_switcher_turns_the_sign_in_page_into_vietnamese_and_russian(page, screenshot):
    page.goto("/login")
    for lang in ("en", "vi", "ru"):
        if lang != "en":
            with page.expect_navigation():
                page.get_by_role("button", name=LANGUAGE_BUTTON[lang], exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.get_by_role("heading", name=SIGN_IN[lang], exact=True)).to_be_visible()
        expect(page.locator("main").get_by_role("button", name=SIGN_IN[lang], exact=True)).to_be_visible()
        assert path_of(page) == "/login"
        screenshot(page, f"sign-in-{lang}")


def test_on_a_phone_the_sign_in_form_fits_the_screen_and_signs_in(phone_page, demo_users, screenshot):
    phone_page.goto("/login")
    width = phone_page.evaluate("window.innerWidth")
    assert width == 390
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= width
    submit = phone_page.locator("main").get_by_role("button", name="Sign in", exact=True)
    for control in (phone_page.locator("input[name=username]"), phone_page.locator("input[name=password]"),
                    submit):
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"cut off: {box}"
    screenshot(phone_page, "sign-in-phone")
    phone_page.locator("input[name=username]").tap()
    phone_page.keyboard.type("sales1")
    phone_page.locator("input[name=password]").tap()
    phone_page.keyboard.type("demo")
    with phone_page.expect_navigation():
        submit.tap()
    assert path_of(phone_page) != "/login"
    # sales1's profile says Vietnamese, so the pages switch to it once signed in.
    expect(phone_page.locator("html")).to_have_attribute("lang", "vi")
    # On a phone the header folds its links into a menu (Bootstrap's collapse, so its script runs).
    name = phone_page.get_by_role("link", name=demo_users["sales1"])
    expect(name).to_be_hidden()
    phone_page.locator(".navbar-toggler").tap()
    expect(name).to_be_visible()
