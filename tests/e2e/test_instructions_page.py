"""Task instructions in a real browser: Markdown in a customer's name loads nothing."""
import engine
from accounts import service
from engine.db import db
from engine.models import HumanTask
from tests.conftest import deploy_file
from tests.e2e.conftest import login, one_backend

pytestmark = one_backend


def test_an_image_in_a_customer_name_or_an_owners_remote_image_is_never_fetched(
        app, demo_users, page, live_server):
    deploy_file("two_lanes.bpmn", roles=service.role_names())
    name = f"![p]({live_server}/tracker-data.png) [site]({live_server}/) # Big"
    instance = engine.start("two_lanes", actor="manager", data={"name": name, "phone": "+84901234567"})
    task = db.session.query(HumanTask).filter_by(instance_id=instance.id, state="open").one()
    task.instructions = f"Call **{{{{ name }}}}** ![logo]({live_server}/tracker-owner.png)"
    db.session.commit()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    login(page, live_server, "sales1")
    page.goto(f"/tasks/{task.id}", wait_until="networkidle")
    assert page.locator(".tl-instructions strong").inner_text() == name
    made = page.locator(".tl-instructions img, .tl-instructions a, .tl-instructions h1")
    assert made.count() == 1  # the logo, without its address
    assert page.locator(".tl-instructions img").get_attribute("src") is None
    assert not [url for url in requested if "tracker" in url]
