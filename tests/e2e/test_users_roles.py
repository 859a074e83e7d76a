"""Giving a person roles on /admin/users in a browser (issue 14): the role an admin just
added on /admin/roles is ticked under the person's *Change roles* and saved, in each language."""
import pytest
from playwright.sync_api import expect

from accounts.models import User
from engine.db import db
from tests.e2e.conftest import login, one_backend

pytestmark = one_backend


@pytest.mark.parametrize("locale, saved", [
    ("vi", "Đã lưu vai trò của sales2."), ("en", "Roles of sales2 saved."), ("ru", "Роли sales2 сохранены.")])
def test_an_admin_adds_a_role_and_gives_it_to_a_person(demo_users, new_page, live_server, screenshot,
                                                       locale, saved):
    db.session.query(User).filter_by(username="admin").one().locale = locale
    db.session.commit()
    page = new_page(locale=locale)
    login(page, live_server, "admin")
    page.goto("/admin/roles")
    page.fill("#role-name", "finance")
    page.fill("#role-title", "Tài chính")
    with page.expect_navigation():
        page.locator("[data-role-form] button[type=submit]").click()
    page.goto("/admin/users")
    row = page.locator("tr[data-user-row=sales2]")
    row.locator("details summary").click()
    row.locator("input[name=roles][value=finance]").check()
    screenshot(page, f"users-admin-roles-{locale}")
    with page.expect_navigation():
        row.locator("[data-roles-form] button[type=submit]").click()
    expect(page.locator("[data-roles-saved]")).to_have_text(saved)
    expect(page.locator("tr[data-user-row=sales2] [data-user-roles]")).to_contain_text("Tài chính")
    db.session.expire_all()
    assert db.session.query(User).filter_by(username="sales2").one().role_names == {"sales", "finance"}
