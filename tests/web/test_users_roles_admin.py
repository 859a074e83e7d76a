"""Giving people roles on /admin/users (issue 14, "a page to give roles to people"): every
role is offered, one just added on /admin/roles too; saving is audited; bad input is a 422
in the reader's language; anyone but an admin is refused."""
import re

import pytest

from accounts.models import User
from engine.db import db
from engine.models import AuditEvent
from tests.web.conftest import post


def roles_of(username):
    db.session.expire_all()
    return db.session.query(User).filter_by(username=username).one().role_names


def user_id(username):
    return db.session.query(User).filter_by(username=username).one().id


def test_a_role_added_on_the_roles_page_is_offered_and_given_on_the_users_page(sign_in):
    admin = sign_in("admin")
    assert post(admin, "/admin/roles", {"name": "tester", "title": "Kiểm thử"}).status_code == 303
    html = admin.get("/admin/users").get_data(as_text=True)
    form = re.search(r'<form[^>]*data-roles-form="sales2".*?</form>', html, re.S).group(0)
    assert 'value="tester"' in form and "Kiểm thử" in form
    assert re.search(r'value="sales"[^>]*checked', form)
    assert not re.search(r'value="tester"[^>]*checked', form)
    response = post(admin, f"/admin/users/{user_id('sales2')}/roles", {"roles": ["sales", "tester"]})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/users?saved=sales2#user-sales2")
    assert roles_of("sales2") == {"sales", "tester"}
    page = admin.get("/admin/users?saved=sales2").get_data(as_text=True)
    assert 'data-roles-saved="sales2"' in page
    row = re.search(r'<tr data-user-row="sales2".*?</tr>', page, re.S).group(0)
    assert re.search(r"data-user-roles>[^<]*Kiểm thử", row)
    event = db.session.query(AuditEvent).filter_by(stream="user:sales2", kind="roles_changed").one()
    assert (event.actor, event.data_after) == ("admin", {"roles": ["sales", "tester"]})


def test_no_role_ticked_is_a_422_in_vietnamese_and_nothing_changes(sign_in):
    admin = sign_in("admin")
    post(admin, "/language", {"language": "vi"})
    response = post(admin, f"/admin/users/{user_id('sales2')}/roles", {})
    assert response.status_code == 422
    assert "Hãy cấp ít nhất một vai trò." in response.get_data(as_text=True)
    assert roles_of("sales2") == {"sales"}


def test_the_admin_cannot_untick_their_own_admin_role(sign_in):
    admin = sign_in("admin")
    response = post(admin, f"/admin/users/{user_id('admin')}/roles", {"roles": ["manager"]})
    assert response.status_code == 422
    assert "You cannot take the admin role from yourself" in response.get_data(as_text=True)
    assert roles_of("admin") == {"admin"}


def test_an_unknown_user_is_a_404(sign_in):
    assert post(sign_in("admin"), "/admin/users/999999/roles", {"roles": ["sales"]}).status_code == 404


@pytest.mark.parametrize("who", ["owner", "manager", "sales1"])
def test_anyone_but_an_admin_is_refused(sign_in, who):
    response = post(sign_in(who), f"/admin/users/{user_id('sales2')}/roles", {"roles": ["manager"]})
    assert response.status_code == 403
    assert roles_of("sales2") == {"sales"}
