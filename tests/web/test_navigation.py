"""The header's links and the landing page of each role come from the routes' access rules."""
import re

import pytest

import engine
from engine.db import db
from engine.models import Notification
from tests.conftest import deploy_file
from tests.web.conftest import csrf

LANDINGS = {"sales1": "/inbox", "manager": "/inbox", "admin": "/inbox", "owner": "/inbox",
            "consultant1": "/inbox", "auditor": "/dashboard", "partner1": "/portal", "customer1": "/me"}


def _links(html):
    nav = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', html, re.S).group(1)
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize(("username", "landing"), LANDINGS.items())
def test_each_role_lands_on_its_own_page_at_sign_in_and_at_the_root(app, users, username, landing):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": "demo",
                                           "csrf_token": csrf(client)})
    assert response.headers["Location"] == landing
    assert client.get("/").headers["Location"] == landing
    assert client.get(landing).status_code == 200


@pytest.mark.parametrize("username", LANDINGS)
def test_every_link_of_the_header_opens_for_its_user(sign_in, username):
    client = sign_in(username)
    links = _links(client.get("/profile").get_data(as_text=True))
    assert links and len(links) == len(set(links))
    for link in links:
        assert client.get(link).status_code == 200, link


def test_the_header_offers_each_side_its_own_pages(sign_in):
    def links(username):
        return set(_links(sign_in(username).get("/profile").get_data(as_text=True)))

    assert "/dashboard" in links("auditor") and "/inbox" in links("auditor")
    assert "/lending/admin/companies" not in links("auditor") and "/status" not in links("auditor")
    assert "/lending/admin/companies" in links("admin")
    assert links("partner1") == {"/portal", "/portal/deals"}   # referrals, and the broker's deals
    assert "/broker/deals" in links("analyst1") and "/broker/deals" in links("brokerlead")
    assert "/broker/deals" not in links("sales1") and "/portal/deals" not in links("analyst1")
    assert links("customer1") == {"/me"}
    assert {"/inbox", "/leads", "/pipeline"} <= links("sales1")
    assert {"/dashboard", "/reports", "/processes"}.isdisjoint(links("sales1"))
    assert "/status" not in links("owner")   # an icon among the header's tools, for owners and admins
    assert 'href="/status"' in sign_in("owner").get("/profile").get_data(as_text=True)
    assert 'href="/status"' not in sign_in("sales1").get("/profile").get_data(as_text=True)


def test_a_customer_page_shows_their_tasks_requests_and_notifications(app, sign_in):
    deploy_file("two_lanes.bpmn")
    db.session.commit()
    case = engine.start("two_lanes", actor="customer1",
                        data={"name": "Ngô Thị Khách", "phone": "+84901234567"})
    db.session.add(Notification(username="customer1", title="Hồ sơ đã nhận", body="Cảm ơn bạn"))
    db.session.add(Notification(username="sales1", title="Not for the customer"))
    db.session.commit()
    client = sign_in("customer1")
    html = client.get("/me").get_data(as_text=True)
    assert f'data-case="{case.id}"' in html and "Hồ sơ đã nhận" in html
    assert "Not for the customer" not in html
    assert "Hiện không có việc nào chờ bạn." in html   # in customer1's Vietnamese: no task is theirs
    assert "Call" not in re.search(r'data-section="tasks">(.*?)</div>\s*<h2', html, re.S).group(1)
