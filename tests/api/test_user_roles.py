"""Giving people their roles through the API (issue 14, "a page to give roles to people"):
``GET`` and ``PUT /users/<username>/roles``, admins only, audited."""
import pytest

from accounts import service
from engine.db import db
from engine.models import AuditEvent
from tests.api.conftest import PASSWORD, error_of


def put(api, username, roles, who="admin"):
    return api(who).open("PUT", f"/users/{username}/roles", json={"roles": roles})


def changes(username):
    return db.session.query(AuditEvent).filter_by(stream=f"user:{username}", kind="roles_changed").all()


def test_an_admin_gives_a_person_a_role_added_on_the_roles_page_and_it_is_audited(api):
    assert api("admin").post("/roles", json={"name": "tester"}).status_code == 201
    response = put(api, "sales1", ["sales", "tester"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"username": "sales1", "roles": ["sales", "tester"]}
    assert api("admin").get("/users/sales1/roles").get_json()["roles"] == ["sales", "tester"]
    [event] = changes("sales1")
    assert (event.actor, event.data_before, event.data_after) == (
        "admin", {"roles": ["sales"]}, {"roles": ["sales", "tester"]})


def test_a_role_given_counts_at_the_next_request_and_one_taken_away_too(api):
    error_of(api("sales1").get("/tasks?tab=all"), 403)
    assert put(api, "sales1", ["sales", "manager"]).status_code == 200
    assert api("sales1").get("/tasks?tab=all").status_code == 200
    assert put(api, "sales1", ["sales"]).status_code == 200
    error_of(api("sales1").get("/tasks?tab=all"), 403)


def test_the_same_roles_again_change_nothing_and_are_not_audited(api):
    assert put(api, "sales1", ["sales", " sales"]).get_json()["roles"] == ["sales"]
    assert changes("sales1") == []


@pytest.mark.parametrize("roles, message", [
    ([], "Give at least one role."),
    (["sales", "treasury"], "No such role: treasury."),
])
def test_no_role_or_an_unknown_one_is_a_422_and_nothing_changes(api, roles, message):
    assert error_of(put(api, "sales1", roles), 422)["fields"] == {"roles": message}
    assert api("admin").get("/users/sales1/roles").get_json()["roles"] == ["sales"]
    assert changes("sales1") == []


@pytest.mark.parametrize("body", [{}, {"roles": "sales"}, {"roles": [7]}, {"roles": ["x" * 81]},
                                  {"roles": ["sales"], "admin": True}])
def test_a_malformed_body_is_a_422_naming_the_field(api, body):
    error = error_of(api("admin").open("PUT", "/users/sales1/roles", json=body), 422)
    assert set(error["fields"]) <= {"roles", "roles.0", "admin"} and error["fields"]
    assert api("admin").get("/users/sales1/roles").get_json()["roles"] == ["sales"]


def test_an_admin_cannot_take_the_admin_role_from_themselves_but_another_admin_can(api):
    error = error_of(put(api, "admin", ["manager"]), 422)
    assert error["fields"] == {"roles": "You cannot take the admin role from yourself; another admin can."}
    service.add_user("admin2", PASSWORD, ["admin"])
    db.session.commit()
    assert put(api, "admin", ["manager"], who="admin2").get_json()["roles"] == ["manager"]


@pytest.mark.parametrize("who", ["owner", "manager", "sales1", "auditor", "partner1", "customer1"])
def test_only_an_admin_reads_or_gives_roles(api, who):
    error_of(put(api, "sales2", ["manager"], who=who), 403)
    error_of(api(who).get("/users/sales2/roles"), 403)
    assert api("admin").get("/users/sales2/roles").get_json()["roles"] == ["sales"]


def test_an_unknown_user_is_a_404(api):
    error_of(put(api, "nobody", ["sales"]), 404)
    error_of(api("admin").get("/users/nobody/roles"), 404)
