"""The pipeline pages: board, list, prospect page, moving (form and board JSON), stage admin."""
import io

import pytest

import engine
from accounts import service
from crm.models import Customer, Stage, StageChange
from engine.db import db
from processes.leads import entry as leads
from processes.pipeline import prospects as pipeline
from processes.pipeline import stages
from tests.conftest import ROOT
from tests.web.conftest import post


@pytest.fixture
def deployed(app, users):
    for name in ("lead_handling", "prospect_pipeline"):
        engine.deploy((ROOT / "bpmn" / f"{name}.bpmn").read_bytes(), actor="owner", name=f"{name}.bpmn",
                      roles=service.role_names())
    db.session.commit()


def prospect(name="Nguyễn Gia Khương", phone="0903456789", owner="sales1"):
    customer = leads.create_lead({"name": name, "phone": phone, "owner": owner}, actor="manager",
                                 source="referral").customer
    pipeline.enter(customer.id, actor="manager")
    return customer.id


def stage_of(customer_id):
    db.session.expire_all()
    row = db.session.get(Customer, customer_id)
    return db.session.get(Stage, row.stage_id).key


def test_the_board_shows_a_column_per_active_stage_with_the_cards_a_rep_may_see(deployed, sign_in):
    mine, other = prospect(), prospect("Lê Văn Tám", "0912000111", owner="sales2")
    html = sign_in("sales1").get("/pipeline").get_data(as_text=True)
    assert "Gọi điện lần đầu" in html and "Kí kết - đặt cọc" in html      # vi names for a vi user
    assert f'data-customer="{mine}"' in html and f'data-customer="{other}"' not in html
    manager = sign_in("manager").get("/pipeline").get_data(as_text=True)
    assert f'data-customer="{other}"' in manager
    assert sign_in("partner1").get("/pipeline").status_code == 403


def test_moving_on_the_prospect_page_records_note_and_file(deployed, sign_in):
    customer_id = prospect()
    client = sign_in("sales1")
    response = post(client, f"/pipeline/{customer_id}/move", {
        "stage": "first_meeting", "note": "Hẹn gặp tại văn phòng thứ Bảy",
        "files": (io.BytesIO(b"%PDF-1.4 ghi chu"), "ghi chú khách.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert stage_of(customer_id) == "first_meeting"
    page = client.get(f"/pipeline/{customer_id}").get_data(as_text=True)
    assert "Hẹn gặp tại văn phòng thứ Bảy" in page and ".pdf" in page
    change = (db.session.query(StageChange).filter_by(customer_id=customer_id)
              .order_by(StageChange.id.desc()).first())
    [ref] = change.attachments
    download = client.get(f"/pipeline/{customer_id}/files/{ref['attachment_id']}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 ghi chu"
    assert sign_in("sales2").get(f"/pipeline/{customer_id}/files/{ref['attachment_id']}").status_code == 403


def test_a_move_without_note_is_refused_on_the_page_and_on_the_board_alike(deployed, sign_in):
    customer_id = prospect()
    client = sign_in("sales1")
    page = post(client, f"/pipeline/{customer_id}/move", {"stage": "first_meeting", "note": ""})
    assert page.status_code == 422 and "is-invalid" in page.get_data(as_text=True)
    board = post(client, f"/pipeline/{customer_id}/move", {"stage": "nowhere", "note": ""},
                 headers={"Accept": "application/json"})
    assert board.status_code == 422 and {"stage", "note"} <= set(board.get_json()["fields"])
    assert stage_of(customer_id) == "first_call"
    assert db.session.query(StageChange).filter_by(customer_id=customer_id).count() == 1


def test_a_board_move_answers_json_and_a_won_stage_points_to_the_conversion(deployed, sign_in):
    customer_id = prospect()
    client = sign_in("sales1")
    moved = post(client, f"/pipeline/{customer_id}/move", {"stage": "signed_deposit", "note": "Đã kí"},
                 headers={"Accept": "application/json"})
    assert moved.status_code == 200 and moved.get_json()["kind"] == "won"
    again = post(client, f"/pipeline/{customer_id}/move", {"stage": "negotiation", "note": "x"},
                 headers={"Accept": "application/json"})
    assert again.status_code == 409
    page = client.get(f"/pipeline/{customer_id}").get_data(as_text=True)
    assert "/tasks/" in page                         # the link to the conversion task


def test_others_cannot_move_someone_elses_prospect_and_auditors_move_nothing(deployed, sign_in):
    customer_id = prospect()
    assert post(sign_in("sales2"), f"/pipeline/{customer_id}/move",
                {"stage": "first_meeting", "note": "x"}).status_code == 403
    assert post(sign_in("auditor"), f"/pipeline/{customer_id}/move",
                {"stage": "first_meeting", "note": "x"}).status_code == 403
    assert sign_in("auditor").get(f"/pipeline/{customer_id}").status_code == 200
    assert stage_of(customer_id) == "first_call"


def test_the_list_filters_by_stage_and_search(deployed, sign_in):
    first, second = prospect(), prospect("Lê Văn Tám", "0912000111")
    pipeline.move(second, "proposal", actor="sales1", json={"note": "Gửi báo giá"})
    db.session.commit()
    client = sign_in("manager")
    html = client.get("/pipeline/list?stage=proposal").get_data(as_text=True)
    assert f'data-prospect="{second}"' in html and f'data-prospect="{first}"' not in html
    html = client.get("/pipeline/list?q=khương").get_data(as_text=True)
    assert f'data-prospect="{first}"' in html and f'data-prospect="{second}"' not in html


def test_a_customer_outside_the_pipeline_can_be_added_once(deployed, sign_in):
    customer = leads.create_lead({"name": "Phạm Thu", "phone": "0988111222", "owner": "sales1"},
                                 actor="manager", source="website").customer
    client = sign_in("sales1")
    assert f"pipeline/{customer.id}/enter" in client.get(f"/pipeline/{customer.id}").get_data(as_text=True)
    assert post(client, f"/pipeline/{customer.id}/enter").status_code == 302
    assert stage_of(customer.id) == "first_call"
    post(client, f"/pipeline/{customer.id}/enter")
    assert db.session.query(StageChange).filter_by(customer_id=customer.id).count() == 1


def test_only_an_admin_renames_and_adds_stages(deployed, sign_in):
    stages.ensure_defaults()
    db.session.commit()
    first = db.session.query(Stage).filter_by(key="first_call").one()
    assert sign_in("manager").get("/pipeline/stages").status_code == 403
    admin = sign_in("admin")
    assert admin.get("/pipeline/stages").status_code == 200
    assert post(admin, f"/pipeline/stages/{first.id}", {
        "name_vi": "Gọi lần 1", "name_en": "Call 1", "name_ru": "Звонок 1", "kind": "open",
        "position": "1", "active": "on"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Stage, first.id).name_vi == "Gọi lần 1"
    made = post(admin, "/pipeline/stages", {"key": "demo_day", "name_vi": "Dùng thử", "name_en": "Trial",
                                            "name_ru": "Пробный период", "kind": "open", "position": "3"})
    assert made.status_code == 302 and db.session.query(Stage).filter_by(key="demo_day").count() == 1


@pytest.mark.parametrize("form, field", [
    ({"key": "Bad Key", "name_vi": "a", "name_en": "a", "name_ru": "a", "kind": "open"}, "key"),
    ({"key": "first_call", "name_vi": "a", "name_en": "a", "name_ru": "a", "kind": "open"}, "key"),
    ({"key": "x1", "name_vi": "", "name_en": "a", "name_ru": "a", "kind": "open"}, "name_vi"),
    ({"key": "x2", "name_vi": "a", "name_en": "a", "name_ru": "a", "kind": "maybe"}, "kind"),
    ({"key": "x3", "name_vi": "a", "name_en": "a", "name_ru": "a", "position": "x"}, "position"),
])
def test_a_bad_stage_is_refused_with_its_field_marked_and_nothing_stored(deployed, sign_in, form, field):
    stages.ensure_defaults()
    db.session.commit()
    before = db.session.query(Stage).count()
    response = post(sign_in("admin"), "/pipeline/stages", form)
    assert response.status_code == 422 and "is-invalid" in response.get_data(as_text=True)
    assert db.session.query(Stage).count() == before


def test_the_last_won_stage_cannot_be_turned_off(deployed, sign_in):
    stages.ensure_defaults()
    db.session.commit()
    won = db.session.query(Stage).filter_by(key="signed_deposit").one()
    response = post(sign_in("admin"), f"/pipeline/stages/{won.id}", {
        "name_vi": won.name_vi, "name_en": won.name_en, "name_ru": won.name_ru, "kind": "won"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Stage, won.id).active


def test_a_reps_board_counts_only_the_prospects_they_may_see(deployed, sign_in):
    prospect(), prospect("Lê Văn Tám", "0912000111", owner="sales2")
    html = sign_in("sales1").get("/pipeline").get_data(as_text=True)
    first_call = html.split('data-stage="first_call"', 1)[1]
    assert "data-count>1<" in first_call.split("</header>", 1)[0]
