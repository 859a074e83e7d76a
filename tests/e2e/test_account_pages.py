"""The password change on the profile and the admin's user list in Vietnamese, English and
Russian: a wrong current password is named beside its field, a reset shows the new
password once, and nothing of a translated page is left in English."""
import pytest
from playwright.sync_api import expect

from accounts.models import ROLES, User
from engine.db import db
from tests.e2e.conftest import login, one_backend

pytestmark = one_backend

# Words of the English pages that a translated page must not show.
ENGLISH = ["Change password", "Current password", "New password", "Reset password", "Users", "Roles",
           "Administrator", "Account status"]


def _speak(username, locale):
    db.session.query(User).filter_by(username=username).one().locale = locale
    db.session.commit()


def _english_left(page):
    text = page.locator("main").inner_text()
    return [word for word in ENGLISH if word in text]


@pytest.mark.parametrize("locale", ["vi", "en", "ru"])
def test_the_password_change_and_the_user_list_in_each_language(demo_users, new_page, live_server,
                                                                   screenshot, locale):
    _speak("sales1", locale)
    _speak("admin", locale)
    page = new_page(locale=locale)
    login(page, live_server, "sales1")
    page.goto("/profile#password")
    page.fill("input[name=current_password]", "not the password")
    page.fill("input[name=new_password]", "a new long password")
    page.fill("input[name=confirm]", "a new long password")
    with page.expect_navigation():
        page.click("#password button[type=submit]")
    expect(page.locator("#password .invalid-feedback").first).to_be_visible()
    subtitle = page.locator("main .tl-muted").first.inner_text()
    assert subtitle.split(" · ")[1] not in ROLES   # the role by its name, not its key
    if locale != "en":
        assert _english_left(page) == [], locale
    screenshot(page, f"profile-password-error-{locale}")

    admin = new_page(locale=locale)
    login(admin, live_server, "admin")
    admin.goto("/admin/users")
    row = admin.locator("tr", has_text="sales2")
    row.locator("input[name=password]").fill("handed-over-2026")
    with admin.expect_navigation():
        row.locator("form[action$='/password'] button[type=submit]").click()
    expect(admin.locator("main")).to_contain_text("handed-over-2026")
    shown = set(", ".join(admin.locator("tr[data-user-row] [data-user-roles]").all_inner_texts()).split(", "))
    assert not shown & set(ROLES), shown   # roles by their names, never their keys
    if locale != "en":
        assert _english_left(admin) == [], locale
    screenshot(admin, f"users-admin-reset-{locale}")
