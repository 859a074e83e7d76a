"""The task page: the form of the task, instructions, completing, errors next to fields."""
import re

from flask_babel import force_locale

import engine
from accounts import tokens
from accounts.models import User
from engine.db import db
from engine.models import AuditEvent, HumanTask
from forms import messages
from tests.web.conftest import post


def test_the_task_page_shows_the_form_and_the_instructions_with_case_fields(lead, two_lanes, sign_in):
    client = sign_in("sales1")
    html = client.get(f"/tasks/{lead.id}").get_data(as_text=True)
    assert 'name="outcome"' in html and 'name="callback_at"' in html
    call = two_lanes("Nguyễn Văn An", "+84901234567")
    html = client.get(f"/tasks/{call.id}").get_data(as_text=True)
    assert "<strong>Nguyễn Văn An</strong>" in html and "+84901234567" in html


def test_the_task_title_follows_the_language_of_the_reader(two_lanes, sign_in):
    call = two_lanes()
    client = sign_in("sales1")  # the demo profile says Vietnamese
    assert "Gọi khách hàng" in client.get(f"/tasks/{call.id}").get_data(as_text=True)
    post(client, "/language", {"language": "ru"})
    assert "Позвонить клиенту" in client.get(f"/tasks/{call.id}").get_data(as_text=True)


def test_an_unclaimed_task_names_its_team_in_the_reader_language_not_the_role_key(two_lanes, sign_in):
    call = two_lanes()
    html = sign_in("sales1").get(f"/tasks/{call.id}").get_data(as_text=True)
    assert "Chưa giao, nhóm: Kinh doanh" in html and "nhóm: sales" not in html


def test_invalid_input_is_shown_next_to_the_field_and_nothing_is_stored(lead, sign_in):
    client = sign_in("sales1")
    response = post(client, f"/tasks/{lead.id}", {"outcome": "not_reached", "callback_at": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'name="callback_at"[^>]*is-invalid|is-invalid[^>]*name="callback_at"', html)
    db.session.expire_all()
    assert db.session.get(HumanTask, lead.id).state == "open"
    assert not db.session.query(AuditEvent).filter_by(task_id=lead.id, kind="task_completed").count()


def test_completing_stores_the_typed_values_and_goes_on(lead, sign_in):
    client = sign_in("sales1")
    response = post(client, f"/tasks/{lead.id}",
                    {"outcome": "not_reached", "callback_at": "2030-01-02T09:30"})
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(HumanTask, lead.id)
    assert row.state == "completed" and row.completed_by == "sales1"
    event = db.session.query(AuditEvent).filter_by(task_id=lead.id, kind="task_completed").one()
    assert event.data_after["callback_at"] == "2030-01-02T09:30:00+07:00"  # the rep's zone


def test_the_next_task_of_the_case_opens_after_completing(two_lanes, sign_in):
    call = two_lanes()
    client = sign_in("sales1")
    response = post(client, f"/tasks/{call.id}")
    report = db.session.query(HumanTask).filter_by(instance_id=call.instance_id, state="open").one()
    assert response.headers["Location"] == f"/tasks/{report.id}"


def api_client(app, username):
    """``post(path)``: a POST to ``/api/v1`` with a fresh token of ``username``."""
    _row, token = tokens.issue(db.session.query(User).filter_by(username=username).one())
    db.session.commit()
    client = app.test_client()
    return lambda path: client.post("/api/v1" + path, json={}, headers={"Authorization": f"Bearer {token}"})


def test_a_task_someone_already_completed_is_409_naming_them_on_the_page_as_through_the_api(
        app, two_lanes, sign_in):
    call = two_lanes()
    client = sign_in("sales1")
    client.get(f"/tasks/{call.id}")
    engine.complete_task(call.id, actor="sales2")
    api = api_client(app, "sales1")
    for page, through_api in ((post(client, f"/tasks/{call.id}"), api(f"/tasks/{call.id}/complete")),
                              (post(client, f"/tasks/{call.id}/claim"), api(f"/tasks/{call.id}/claim"))):
        assert page.status_code == through_api.status_code == 409
        assert "sales2" in page.get_data(as_text=True)
        assert through_api.get_json()["error"]["winner"] == "sales2"


def test_a_manager_completes_a_task_someone_else_holds_on_the_page_as_through_the_api(
        app, two_lanes, sign_in):
    by_page, by_api = two_lanes(), two_lanes()
    rep = sign_in("sales1")
    for task in (by_page, by_api):
        post(rep, f"/tasks/{task.id}/claim")
    assert post(sign_in("manager"), f"/tasks/{by_page.id}").status_code == 302   # TASK "work": manager ANY
    assert api_client(app, "manager")(f"/tasks/{by_api.id}/complete").status_code == 200
    db.session.expire_all()
    assert [db.session.get(HumanTask, t.id).completed_by for t in (by_page, by_api)] == ["manager", "manager"]


def test_someone_elses_task_cannot_be_completed(two_lanes, sign_in):
    call = two_lanes()
    post(sign_in("sales1"), f"/tasks/{call.id}/claim")
    assert post(sign_in("sales2"), f"/tasks/{call.id}").status_code == 403
    db.session.expire_all()
    assert db.session.get(HumanTask, call.id).state == "open"


def test_a_comment_on_a_task_is_shown_and_audited(two_lanes, sign_in):
    call = two_lanes()
    client = sign_in("sales1")
    body = {"body": "Khách hẹn gọi lại chiều nay"}
    assert post(client, f"/tasks/{call.id}/comments", body).status_code == 302
    assert "Khách hẹn gọi lại chiều nay" in client.get(f"/tasks/{call.id}").get_data(as_text=True)
    assert db.session.query(AuditEvent).filter_by(kind="comment_added", task_id=call.id).count() == 1
    assert post(client, f"/tasks/{call.id}/comments", {"body": "  "}).status_code == 422


def test_an_unknown_task_is_404(sign_in):
    assert sign_in("sales1").get("/tasks/nope").status_code == 404


def test_markdown_in_a_customer_name_shows_as_text_on_the_task_page(two_lanes, sign_in):
    call = two_lanes("![p](http://host/x.png) [site](http://host/) # Big")
    html = sign_in("sales1").get(f"/tasks/{call.id}").get_data(as_text=True)
    assert "<strong>![p](http://host/x.png) [site](http://host/) # Big</strong>" in html
    assert 'src="http://host' not in html and 'href="http://host' not in html


def test_instructions_asking_for_a_gigabyte_show_a_note_not_a_server_error(two_lanes, sign_in):
    call = two_lanes()
    call.instructions = "Size: {{ 'x'|center(10**9)|length }}"
    db.session.commit()
    response = sign_in("sales1").get(f"/tasks/{call.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<p>Size: {{ 'x'|center(10**9)|length }}</p>" in html and "1000000000" not in html
    with force_locale("vi"):  # sales1 reads Vietnamese
        assert messages.instructions_too_large() in html
