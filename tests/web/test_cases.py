"""The case page: tasks, data, timeline, comments and files; who may see it."""
import engine
from engine.db import db
from engine.models import Attachment, AuditEvent
from tests.web.conftest import post

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_the_case_page_shows_tasks_data_and_a_timeline(two_lanes, sign_in):
    call = two_lanes("Phạm Thu Hà", "+84911222333")
    engine.complete_task(call.id, actor="sales1", data={"note": "khách đồng ý"})
    html = sign_in("sales1").get(f"/cases/{call.instance_id}").get_data(as_text=True)
    assert "Phạm Thu Hà" in html and "0911 222 333" in html
    for kind in ("instance_started", "task_completed"):
        assert f'data-kind="{kind}"' in html
    # no form or domain names "note": the process's own value, under technical data for an auditor
    assert "khách đồng ý" not in html and 'id="technical-data"' not in html
    audited = sign_in("auditor").get(f"/cases/{call.instance_id}").get_data(as_text=True)
    assert 'id="technical-data"' in audited and "khách đồng ý" in audited


def test_a_partner_cannot_open_a_sales_case(two_lanes, sign_in):
    call = two_lanes()
    assert sign_in("partner1").get(f"/cases/{call.instance_id}").status_code == 403
    assert sign_in("auditor").get(f"/cases/{call.instance_id}").status_code == 200


def test_the_case_list_shows_only_cases_the_user_may_see(two_lanes, sign_in):
    call = two_lanes("Võ Minh Khang")
    assert "Võ Minh Khang" in sign_in("sales1").get("/cases").get_data(as_text=True)
    assert "Võ Minh Khang" not in sign_in("partner1").get("/cases").get_data(as_text=True)
    assert f"#{call.instance_id}" in sign_in("manager").get("/cases?q=khang").get_data(as_text=True)


def test_a_file_attached_to_a_case_downloads_as_an_attachment(two_lanes, sign_in):
    from io import BytesIO

    call = two_lanes()
    client = sign_in("sales1")
    response = post(client, f"/cases/{call.instance_id}/attachments",
                    {"file": (BytesIO(PNG), "ảnh chụp.png")}, content_type="multipart/form-data")
    assert response.status_code == 302
    row = db.session.query(Attachment).one()
    download = client.get(f"/attachments/{row.id}")
    assert download.data == PNG and download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "sandbox"  # not the pages' policy (web/security.py)
    assert db.session.query(AuditEvent).filter_by(kind="attachment_added").count() == 1
    assert sign_in("partner1").get(f"/attachments/{row.id}").status_code == 403


def test_a_file_that_lies_about_its_type_is_refused_and_not_stored(two_lanes, sign_in):
    from io import BytesIO

    call = two_lanes()
    response = post(sign_in("sales1"), f"/cases/{call.instance_id}/attachments",
                    {"file": (BytesIO(b"MZ not a picture"), "photo.png")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert db.session.query(Attachment).count() == 0


def test_a_comment_rings_the_bell_of_the_people_on_the_case(two_lanes, sign_in):
    from engine.models import Outbox

    call = two_lanes()
    post(sign_in("sales1"), f"/tasks/{call.id}/claim")
    post(sign_in("manager"), f"/cases/{call.instance_id}/comments", {"body": "Ưu tiên khách này"})
    note = db.session.query(Outbox).filter_by(kind="comment_added").one()
    assert note.recipient == "sales1" and note.link == f"/cases/{call.instance_id}"


def test_a_case_the_system_started_names_the_system_in_the_readers_language(two_lanes, sign_in):
    import re

    task = two_lanes(actor="system")
    for lang, words, system in (("vi", "Khởi tạo bởi hệ thống lúc", "hệ thống"),
                                ("ru", "Запуск: система,", "система"),
                                ("en", "Started by the system on", "the system")):
        client = sign_in("manager")
        post(client, "/language", {"language": lang})
        html = client.get(f"/cases/{task.instance_id}").get_data(as_text=True)
        assert words in html, lang
        timeline = [who.strip() for who in re.findall(r'<div class="tl-muted">([^·<]*) ·', html)]
        assert system in timeline and "system" not in timeline
