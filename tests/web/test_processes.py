"""The process pages: the list, versions, diff, deploy again, migrate (dry run, batch, result)."""
import re

import pytest

import engine
from accounts.models import User
from engine.db import db
from engine.models import AuditEvent, ProcessDefinition, ProcessInstance
from tests.conftest import deploy_file
from tests.web.conftest import post


@pytest.fixture
def versioned(app, users):
    """Versions 1 and 2 of ``versioned``: case ``at_call`` can move, ``at_review`` cannot."""
    from tests.engine.helpers import complete

    deploy_file("versioned_v1.bpmn")
    at_call = engine.start("versioned", actor="manager", data={"name": "An"}).id
    at_review = engine.start("versioned", actor="manager", data={"name": "Bình"}).id
    complete(at_review, "call")
    deploy_file("versioned_v2.bpmn")
    return at_call, at_review


def version_of(instance_id):
    db.session.expire_all()
    return db.session.get(ProcessInstance, instance_id).version.version


@pytest.mark.parametrize("username", ["owner", "admin", "manager", "auditor"])
def test_process_owners_admins_managers_and_auditors_see_the_process_list(sign_in, versioned, username):
    html = sign_in(username).get("/processes").get_data(as_text=True)
    assert "versioned" in html and "Call, approve, close" in html
    assert 'href="/processes"' in html  # the nav item


def test_the_list_counts_running_and_completed_cases(sign_in, versioned):
    from tests.engine.helpers import complete

    complete(versioned[1], "review")
    response = sign_in("owner").get("/processes")
    assert response.status_code == 200
    cells = re.findall(r'<td class="text-end">(\d+)</td>', response.get_data(as_text=True))
    assert cells == ["2", "1", "1"]  # latest version, running, completed


@pytest.mark.parametrize("path", ["/processes", "/processes/versioned", "/processes/versioned/diff?a=1&b=2"])
def test_sales_may_not_open_the_process_pages(sign_in, versioned, path):
    client = sign_in("sales1")
    assert client.get(path).status_code == 403
    assert 'href="/processes"' not in client.get("/inbox").get_data(as_text=True)


def test_the_versions_page_lists_who_deployed_each_version_and_its_running_cases(sign_in, versioned):
    html = sign_in("owner").get("/processes/versioned").get_data(as_text=True)
    assert "versioned_v1.bpmn" in html and "versioned_v2.bpmn" in html and ">test<" in html
    assert "Deploy again" in html and "Check which cases can move" in html
    assert "/processes/versioned/diff" in html


def test_an_auditor_reads_the_versions_without_the_buttons_that_change_things(sign_in, versioned):
    client = sign_in("auditor")
    html = client.get("/processes/versioned").get_data(as_text=True)
    assert "Show the differences" in html
    assert "Deploy again" not in html and "Check which cases can move" not in html
    assert post(client, "/processes/versioned/versions/1/redeploy").status_code == 403
    assert client.get("/processes/versioned/migrate?from=1&to=2").status_code == 403
    form = {"from": 1, "to": 2, "instance_id": str(versioned[0])}
    assert post(client, "/processes/versioned/migrate", form).status_code == 403
    assert version_of(versioned[0]) == 1


def test_the_diff_page_shows_added_removed_and_changed_elements(sign_in, versioned):
    response = sign_in("manager").get("/processes/versioned/diff?a=1&b=2")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Approve the deal" in html and "Review the call" in html
    assert "closed = 1" in html and "closed = 2" in html and "priority" in html


def test_a_diff_of_an_unknown_version_is_404(sign_in, versioned):
    client = sign_in("owner")
    assert client.get("/processes/versioned/diff?a=1&b=9").status_code == 404
    assert client.get("/processes/versioned/diff?a=x&b=2").status_code == 404
    assert client.get("/processes/nope").status_code == 404


def test_a_process_owner_deploys_an_old_version_again(sign_in, versioned):
    client = sign_in("owner")
    response = post(client, "/processes/versioned/versions/1/redeploy", follow_redirects=True)
    assert response.status_code == 200
    assert "Version 1 was deployed again as version 3." in response.get_data(as_text=True)
    assert db.session.query(ProcessDefinition).one().latest_version == 3


def test_the_dry_run_page_lists_who_can_move_and_why_not(sign_in, versioned):
    at_call, at_review = versioned
    html = sign_in("owner").get("/processes/versioned/migrate?from=1&to=2").get_data(as_text=True)
    assert f'name="instance_id" value="{at_call}"' in html
    assert f'name="instance_id" value="{at_review}"' not in html
    assert "It waits at “Review the call” (review), which the new version does not have." in html
    assert "1 of 2 running cases can move." in html
    assert version_of(at_call) == 1


def test_confirming_the_batch_moves_the_cases_and_shows_each_outcome(sign_in, versioned):
    at_call, at_review = versioned
    client = sign_in("admin")
    response = post(client, "/processes/versioned/migrate",
                    {"from": "1", "to": "2", "instance_id": [str(at_call), str(at_review)]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 of 2 cases moved to version 2" in html and "Moved" in html and "Not moved" in html
    assert (version_of(at_call), version_of(at_review)) == (2, 1)
    assert db.session.query(AuditEvent).filter_by(kind="instance_migrated", actor="admin").count() == 1


def test_a_process_owner_opens_the_case_they_just_migrated_and_finds_it_in_the_case_list(sign_in, versioned):
    """Issue 13: the owner's processes are every deployed one, so they read every case
    (web/access/table.py), though started by the manager; commenting stays refused."""
    at_call, _at_review = versioned
    client = sign_in("owner")
    response = post(client, "/processes/versioned/migrate",
                    {"from": "1", "to": "2", "instance_id": [str(at_call)]})
    assert response.status_code == 200 and version_of(at_call) == 2
    assert client.get(f"/cases/{at_call}").status_code == 200
    assert f'href="/cases/{at_call}"' in client.get("/cases").get_data(as_text=True)
    assert post(client, f"/cases/{at_call}/comments", {"body": "moved"}).status_code == 403


def test_a_moved_case_timeline_says_from_which_version_to_which_in_the_reader_language(sign_in, versioned):
    """The auditor's Vietnamese timeline names the move, not the raw event kind."""
    at_call, _at_review = versioned
    post(sign_in("owner"), "/processes/versioned/migrate",
         {"from": "1", "to": "2", "instance_id": [str(at_call)]})
    db.session.query(User).filter_by(username="auditor").one().locale = "vi"
    db.session.commit()
    html = sign_in("auditor").get(f"/cases/{at_call}").get_data(as_text=True)
    moved = re.search(r'data-kind="instance_migrated">(.*?)</li>', html, re.S)
    assert moved is not None, html
    text = " ".join(re.sub(r"<[^>]+>", "", moved.group(1)).split())
    moved_by_owner = "Hồ sơ đã chuyển sang phiên bản khác: từ phiên bản 1 sang phiên bản 2 Phan Thanh Sơn · "
    assert text.startswith(moved_by_owner), text


def test_choosing_the_same_version_twice_goes_back_with_a_message(sign_in, versioned):
    response = sign_in("owner").get("/processes/versioned/migrate?from=2&to=2", follow_redirects=True)
    assert "Choose two different versions." in response.get_data(as_text=True)


def test_the_forms_carry_a_csrf_token(sign_in, versioned):
    client = sign_in("owner")
    for path in ("/processes/versioned", "/processes/versioned/migrate?from=1&to=2"):
        assert 'name="csrf_token"' in client.get(path).get_data(as_text=True)
    response = client.post("/processes/versioned/versions/1/redeploy")
    assert response.status_code == 400
