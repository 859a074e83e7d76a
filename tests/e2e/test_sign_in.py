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
    assert path_of(page) == "/"
    header = page.locator("header")
    expect(header).to_contain_text(demo_users["admin"])  # "Quản trị viên": Vietnamese diacritics
    expect(header.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_wrong_password_shows_the_error_and_stays_on_the_sign_in_page(page, live_server, demo_users):
    login(page, live_server, "admin", password="not-the-password")
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    assert path_of(page) == "/login"
    expect(page.locator("header")).not_to_contain_text(demo_users["admin"])
    expect(page.locator("input[name=password]")).to_be_visible()


def test_the_language_switcher_turns_the_sign_in_page_into_vietnamese_and_russian(page, live_server,
                                                                                   screenshot):
    page.goto("/login")
    heading = page.locator("main h2")
    for lang in ("en", "vi", "ru"):
        if lang != "en":
            with page.expect_navigation():
                page.locator("header nav").get_by_role("button", name=LANGUAGE_BUTTON[lang]).click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(heading).to_have_text(SIGN_IN[lang])
        expect(page.locator("main button[type=submit]")).to_have_text(SIGN_IN[lang])
        assert path_of(page) == "/login"
        screenshot(page, f"sign-in-{lang}")


def test_on_a_phone_the_sign_in_form_fits_the_screen_and_signs_in(phone_page, live_server, demo_users,
                                                                   screenshot):
    phone_page.goto("/login")
    width = phone_page.evaluate("window.innerWidth")
    assert width == 390
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= width
    for control in ("input[name=username]", "input[name=password]", "main button[type=submit]"):
        box = phone_page.locator(control).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{control} is cut off: {box}"
    screenshot(phone_page, "sign-in-phone")
    phone_page.locator("input[name=username]").tap()
    phone_page.keyboard.type("sales1")
    phone_page.locator("input[name=password]").tap()
    phone_page.keyboard.type("demo")
    with phone_page.expect_navigation():
        phone_page.locator("main button[type=submit]").tap()
    assert path_of(phone_page) == "/"
    # sales1's profile says Vietnamese, so the page switches to it after signing in.
    expect(phone_page.locator("header")).to_contain_text(demo_users["sales1"])
    expect(phone_page.locator("header").get_by_role("button", name="Đăng xuất")).to_be_visible()
