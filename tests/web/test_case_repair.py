"""The case page's incident (issue 14): its process owner corrects the case's data as JSON and
retries; others see the incident without the buttons. Bad input is a 422 on the form, a
case changed meanwhile a 409, a retry that fails again a 422 with the reason."""
import json
import re

import pytest

import engine
from engine.db import db
from engine.errors import ScriptError
from engine.models import AuditEvent, ProcessInstance
from tests.conftest import deploy_file
from tests.engine.helpers import fire_when_due, pending_timers

from .conftest import post


@pytest.fixture
def failed(app, users):
    """A case whose month-end timer fired into ``share = total / parts`` with ``parts`` 0."""
    deploy_file("divide.bpmn")
    case = engine.start("divide", actor="sales1", data={"total": 900, "parts": 0, "by_hand": False})
    with pytest.raises(ScriptError):
        fire_when_due(pending_timers(case.id)["month_end"])
    return case.id


def version(case_id):
    db.session.expire_all()
    return db.session.get(ProcessInstance, case_id).lock_version


def textarea(html):
    return json.loads(re.search(r'<textarea[^>]*name="data"[^>]*>([^<]*)</textarea>', html).group(1)
                      .replace("&#34;", '"').replace("&quot;", '"'))


def test_the_owner_corrects_the_data_and_retries_from_the_case_page(sign_in, failed):
    owner = sign_in("owner")
    listed = owner.get("/cases?incident=1").get_data(as_text=True)
    assert f"/cases/{failed}" in listed and "data-incident" in listed
    page = owner.get(f"/cases/{failed}").get_data(as_text=True)
    assert 'id="case-incident"' in page and 'id="case-retry"' in page and "a division by zero" in page

    form = owner.get(f"/cases/{failed}/data").get_data(as_text=True)
    data = textarea(form)
    assert data == {"by_hand": False, "parts": 0, "total": 900}
    data["parts"] = 3
    response = post(owner, f"/cases/{failed}/data", {"data": json.dumps(data), "reason": "three people",
                                                     "lock_version": version(failed)})
    assert response.status_code == 302
    page = owner.get(f"/cases/{failed}").get_data(as_text=True)
    assert "The case&#39;s data was corrected." in page and 'id="case-incident"' in page

    response = post(owner, f"/cases/{failed}/retry", {"lock_version": version(failed)})
    assert response.status_code == 302
    page = owner.get(f"/cases/{failed}").get_data(as_text=True)
    assert "The case was retried and goes on." in page and 'id="case-incident"' not in page
    assert "Incident retried" in page and "Data corrected" in page and "three people" in page
    assert engine.case_data(failed)["share"] == 300
    assert "data-incident" not in owner.get("/cases").get_data(as_text=True)


@pytest.mark.parametrize("who", ["manager", "sales1", "auditor"])
def test_others_see_the_incident_but_cannot_correct_or_retry(sign_in, failed, who):
    client = sign_in(who)
    page = client.get(f"/cases/{failed}")
    if page.status_code == 200:
        html = page.get_data(as_text=True)
        assert 'id="case-incident"' in html and 'id="case-retry"' not in html and "correct-data" not in html
    assert client.get(f"/cases/{failed}/data").status_code == 403
    assert post(client, f"/cases/{failed}/retry", {"lock_version": version(failed)}).status_code == 403
    assert db.session.query(AuditEvent).filter_by(instance_id=failed, kind="incident_retried").count() == 0


@pytest.mark.parametrize("text, message", [
    ('{"parts": 3,}', "This is not valid JSON (line 1, column 13)."),
    ("[1, 2]", "Write the variables as one JSON object"),
    ('{"parts": 3, "2fast": 1, "by_hand": false, "total": 900}', "Not a name a script can read"),
])
def test_data_that_cannot_be_stored_is_shown_again_with_the_reason(sign_in, failed, text, message):
    owner = sign_in("owner")
    before = version(failed)
    response = post(owner, f"/cases/{failed}/data", {"data": text, "lock_version": before})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html.replace("&#39;", "'") and "is-invalid" in html
    assert version(failed) == before


def test_a_correction_made_on_an_old_page_is_refused_naming_who_changed_the_case(sign_in, failed):
    owner, admin = sign_in("owner"), sign_in("admin")
    seen = version(failed)
    assert post(admin, f"/cases/{failed}/data", {"data": '{"parts": 2, "by_hand": false, "total": 900}',
                                                 "lock_version": seen}).status_code == 302
    response = post(owner, f"/cases/{failed}/data", {"data": '{"parts": 5, "by_hand": false, "total": 900}',
                                                     "lock_version": seen})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "This case has changed since you opened it" in html
    assert textarea(html)["parts"] == 2   # the form shows the case as it is now


def test_a_retry_that_fails_again_shows_the_reason_on_the_case_page(sign_in, failed):
    owner = sign_in("owner")
    response = post(owner, f"/cases/{failed}/retry", {"lock_version": version(failed)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The retry failed: share: a division by zero" in html and 'id="case-incident"' in html


def test_the_incident_and_its_buttons_read_in_vietnamese(sign_in, failed):
    owner = sign_in("owner")
    post(owner, "/language", {"language": "vi"})
    html = owner.get(f"/cases/{failed}").get_data(as_text=True)
    assert "Thử lại" in html and "Sửa dữ liệu" in html
