"""A process owner moves running cases to a new version in a real browser: the dry run
says which case can move and why the other cannot, the batch moves only that one, the
other stays on version 1, and a case started now runs version 2."""
import engine
from engine.db import db
from engine.models import ProcessInstance
from tests.conftest import deploy_file
from tests.e2e.conftest import login, one_backend
from tests.engine.helpers import complete, open_tasks

pytestmark = one_backend


def version_of(instance_id):
    db.session.expire_all()
    return db.session.get(ProcessInstance, instance_id).version.version


def test_dry_run_then_batch_moves_only_the_case_that_can_move(app, demo_users, page, live_server, screenshot):
    deploy_file("versioned_v1.bpmn")
    at_call = engine.start("versioned", actor="manager", data={"name": "An"}).id
    at_review = engine.start("versioned", actor="manager", data={"name": "Bình"}).id
    complete(at_review, "call")
    deploy_file("versioned_v2.bpmn")
    db.session.commit()

    login(page, live_server, "owner")
    page.goto("/processes/versioned")
    page.get_by_role("button", name="Check which cases can move").click()
    page.locator(f"#case-{at_call}").wait_for()
    assert page.locator(f"#case-{at_review}").count() == 0      # it cannot move: no box to tick
    assert "review" in page.locator("main").inner_text()         # and the page says why
    assert version_of(at_call) == 1                             # a dry run moves nothing
    screenshot(page, "migration-dry-run-en")

    page.get_by_role("button", name="Move the chosen cases").click()
    page.get_by_role("heading", name="1 of 1 case moved to version 2").wait_for()
    screenshot(page, "migration-result-en")
    assert (version_of(at_call), version_of(at_review)) == (2, 1)
    new = engine.start("versioned", actor="manager", data={"name": "Chi"})
    assert version_of(new.id) == 2
    assert set(open_tasks(at_call)) == set(open_tasks(new.id))  # the moved case waits where v2 says
