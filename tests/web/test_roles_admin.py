"""The admin's roles page (issue 14, "Lanes"): every role listed, adding one from the form,
bad input a 422 naming the field in the reader's language; anyone but an admin is refused."""
import pytest

from accounts.models import Role
from engine.db import db
from tests.web.conftest import post


def test_the_admin_sees_every_role_with_its_vietnamese_name_and_the_form(sign_in):
    admin = sign_in("admin")
    post(admin, "/language", {"language": "vi"})
    html = admin.get("/admin/roles").get_data(as_text=True)
    assert 'data-role-row="manager"' in html and "Quản lý" in html and "Tư vấn viên vay" in html
    assert "Thêm vai trò" in html and 'data-admin-tab="roles_admin.role_index"' in html


def test_a_role_added_on_the_page_is_listed_with_its_name(sign_in):
    admin = sign_in("admin")
    response = post(admin, "/admin/roles", {"name": "finance_team", "title": "Phòng tài chính"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/roles?saved=finance_team")
    assert db.session.get(Role, "finance_team").description == "Phòng tài chính"
    html = admin.get("/admin/roles?saved=finance_team").get_data(as_text=True)
    assert 'data-role-row="finance_team"' in html and "Phòng tài chính" in html
    assert 'data-role-saved="finance_team"' in html


def test_a_bad_or_taken_key_is_a_422_in_vietnamese_and_nothing_stored(sign_in):
    admin = sign_in("admin")
    post(admin, "/language", {"language": "vi"})
    count = db.session.query(Role).count()
    response = post(admin, "/admin/roles", {"name": "Finance Team", "title": "Tài chính"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "chữ cái Latinh thường" in html
    assert 'value="Finance Team"' in html and 'value="Tài chính"' in html   # what was typed stays
    response = post(admin, "/admin/roles", {"name": "sales"})
    assert response.status_code == 422 and "Vai trò sales đã có." in response.get_data(as_text=True)
    assert db.session.query(Role).count() == count


@pytest.mark.parametrize("who", ["owner", "manager", "auditor"])
def test_anyone_but_an_admin_is_refused(sign_in, who):
    client = sign_in(who)
    assert client.get("/admin/roles").status_code == 403
    assert post(client, "/admin/roles", {"name": "finance_team"}).status_code == 403
    assert db.session.get(Role, "finance_team") is None
