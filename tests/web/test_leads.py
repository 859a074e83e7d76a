"""The lead pages: the list (who sees which leads, "not yet contacted"), manual entry, import."""
from io import BytesIO

import pytest

import engine
from accounts import service
from crm.models import Customer
from engine.db import db
from engine.models import ProcessInstance
from engine.types import utcnow
from processes.leads.entry import create_lead
from tests.conftest import ROOT
from tests.web.conftest import post


@pytest.fixture
def deployed(app, users):
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles=service.role_names())
    db.session.commit()


def make(name, phone, owner, **extra):
    return create_lead({"name": name, "phone": phone, "owner": owner, **extra}, actor="manager",
                       source="website").customer


def test_sales_see_their_own_leads_managers_and_auditors_all_partners_none(deployed, sign_in):
    make("Nguyễn Thị Lan", "0901234567", "sales1")
    make("Lê Văn Tùng", "0912345678", "sales2")
    mine = sign_in("sales1").get("/leads").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in mine and "Lê Văn Tùng" not in mine
    for username in ("manager", "auditor"):
        html = sign_in(username).get("/leads").get_data(as_text=True)
        assert "Nguyễn Thị Lan" in html and "Lê Văn Tùng" in html
    assert sign_in("partner1").get("/leads").status_code == 403
    assert sign_in("customer1").get("/leads").status_code == 403
    assert sign_in("auditor").get("/leads/new").status_code == 403


def test_new_leads_not_yet_contacted_are_counted_and_marked(deployed, sign_in):
    make("Nguyễn Thị Lan", "0901234567", "sales1")
    called = make("Lê Văn Tùng", "0912345678", "sales2")
    called.first_contact_at = utcnow()
    db.session.commit()
    html = sign_in("manager").get("/leads").get_data(as_text=True)
    # the demo reps read Vietnamese
    assert 'data-waiting="1"' in html and "1 khách hàng tiềm năng mới, chưa liên hệ" in html
    assert html.count("data-not-contacted") == 1
    only = sign_in("manager").get("/leads?fresh=1").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in only and "Lê Văn Tùng" not in only


def test_the_list_is_searched_without_accents_and_by_phone_as_dialled(deployed, sign_in):
    make("Nguyễn Thị Lan", "0901234567", "sales1")
    make("Lê Văn Tùng", "0912345678", "sales2")
    client = sign_in("manager")
    by_name = client.get("/leads?q=nguyen thi").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in by_name and "Lê Văn Tùng" not in by_name
    by_phone = client.get("/leads?q=0912 345 678").get_data(as_text=True)
    assert "Lê Văn Tùng" in by_phone and "Nguyễn Thị Lan" not in by_phone
    by_owner = client.get("/leads?owner=sales2").get_data(as_text=True)
    assert "Lê Văn Tùng" in by_owner and "Nguyễn Thị Lan" not in by_owner


def test_a_lead_entered_by_hand_starts_its_case_and_shows_known_phones(deployed, sign_in):
    earlier = make("Trần Văn Cũ", "0901234567", "sales2")
    client = sign_in("sales1")
    response = post(client, "/leads/new", {"name": "Phạm Thu Hà", "phone": "0901 234 567",
                                           "source": "facebook", "classification": "urgent",
                                           "owner": "sales1"})
    assert response.status_code == 302
    lead = db.session.query(Customer).filter_by(name="Phạm Thu Hà").one()
    assert (lead.owner, lead.source, lead.classification, lead.created_by) == (
        "sales1", "facebook", "urgent", "sales1")
    assert db.session.get(ProcessInstance, lead.instance_id).definition_key == "lead_handling"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "data-duplicates" in html and "Trần Văn Cũ" in html
    assert f"/cases/{earlier.instance_id}" in html and f"/cases/{lead.instance_id}" in html


def test_a_new_phone_goes_straight_to_the_case_and_round_robin_picks_an_owner(deployed, sign_in):
    response = post(sign_in("manager"), "/leads/new", {"name": "Vũ Minh", "phone": "0987654321",
                                                       "source": "manual", "owner": "round_robin"})
    lead = db.session.query(Customer).filter_by(name="Vũ Minh").one()
    assert response.headers["Location"] == f"/cases/{lead.instance_id}"
    assert lead.owner == "sales1"  # the demo manager holds sales too, but never takes leads in turn


def test_the_managers_entry_form_shares_in_turn_over_the_reps_and_a_reps_form_keeps_the_lead(
        deployed, sign_in):
    manager = sign_in("manager")
    assert 'value="round_robin" selected' in manager.get("/leads/new").get_data(as_text=True)
    for n in range(6):
        post(manager, "/leads/new", {"name": f"Khách {n}", "phone": f"09876543{n:02d}", "source": "manual",
                                     "owner": "round_robin"})
    owners = [c.owner for c in db.session.query(Customer).order_by(Customer.id)]
    assert owners == ["sales1", "sales2", "sales3", "sales4", "sales5", "sales1"]
    rep = sign_in("sales3")
    assert 'value="sales3" selected' in rep.get("/leads/new").get_data(as_text=True)


def _claim_and_reach(client, lead):
    from engine.models import HumanTask

    task = db.session.query(HumanTask).filter_by(instance_id=lead.instance_id, state="open").one()
    assert post(client, f"/tasks/{task.id}/claim").status_code == 302
    engine.complete_task(task.id, actor="sales1", data={"outcome": "reached", "closed_now": False})


def test_a_rep_finds_in_leads_the_lead_they_took_from_the_queue_and_converted(deployed, sign_in):
    lead = make("Đỗ Thị Hoa", "0977123456", None)
    rep = sign_in("sales1")
    _claim_and_reach(rep, lead)
    db.session.expire_all()
    assert (db.session.get(Customer, lead.id).kind, db.session.get(Customer, lead.id).owner) == (
        "contact", "sales1")
    assert "Đỗ Thị Hoa" in rep.get("/leads").get_data(as_text=True)
    assert "Đỗ Thị Hoa" in rep.get("/leads?status=contact").get_data(as_text=True)
    assert "Đỗ Thị Hoa" not in sign_in("sales2").get("/leads").get_data(as_text=True)


def test_the_team_queue_shows_each_leads_age_and_source_newest_first(deployed, sign_in):
    make("Lê Văn Cũ", "0977000001", None)
    create_lead({"name": "Phan Thị Mới", "phone": "0977000002"}, actor="manager", source="facebook")
    html = sign_in("sales1").get("/inbox?tab=queue").get_data(as_text=True)
    assert html.index("Phan Thị Mới") < html.index("Lê Văn Cũ")
    assert 'data-inbox-order="newest"' in html and 'data-source="facebook">Facebook<' in html
    assert 'data-source="website">Website<' in html and "data-age" in html
    assert "nhận " in html  # "came in ... ago", in the rep's Vietnamese
    due_first = sign_in("sales1").get("/inbox?tab=queue&order=due").get_data(as_text=True)
    assert due_first.index("Lê Văn Cũ") < due_first.index("Phan Thị Mới")
    assert 'data-inbox-order="due"' in due_first


def test_an_invalid_phone_is_shown_next_to_the_field_and_nothing_is_stored(deployed, sign_in):
    response = post(sign_in("sales1"), "/leads/new", {"name": "Phạm Thu Hà", "phone": "12345",
                                                      "source": "manual", "owner": "sales1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="lead-phone-error">Nhập số điện thoại hợp lệ.<' in html  # sales1 reads Vietnamese
    assert 'value="Phạm Thu Hà"' in html
    assert db.session.query(Customer).count() == 0
    assert db.session.query(ProcessInstance).count() == 0


def test_an_import_imports_the_good_rows_and_lists_the_bad_ones(deployed, sign_in):
    make("Trần Văn Cũ", "0901234567", "sales2")
    content = ("Họ tên,Số điện thoại,Nguồn\n"
               "Nguyễn Văn A,0911111111,zalo\n"
               ",0922222222,\n"
               "Lê Thị B,abc,\n"
               "Trần Văn C,0901234567,\n").encode()
    response = post(sign_in("manager"), "/leads/import", {"file": (BytesIO(content), "leads.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-imported="2"' in html
    assert 'data-rejected-row="3"' in html and 'data-rejected-row="4"' in html
    assert 'data-rejected-row="2"' not in html and "Nhập số điện thoại hợp lệ." in html  # manager reads vi
    assert "Dòng 5" in html  # imported, its phone already known (the demo reps read Vietnamese)
    assert {c.name for c in db.session.query(Customer)} == {"Trần Văn Cũ", "Nguyễn Văn A", "Trần Văn C"}


def test_a_file_that_is_not_a_spreadsheet_is_refused_whole(deployed, sign_in):
    response = post(sign_in("sales1"), "/leads/import", {"file": (BytesIO(b"colour,size\nred,1\n"), "x.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 422
    assert "data-refused" in response.get_data(as_text=True)
    assert db.session.query(Customer).count() == 0


def test_the_nav_shows_leads_to_staff_only(deployed, sign_in):
    assert 'href="/leads"' in sign_in("sales1").get("/cases").get_data(as_text=True)
    assert 'href="/leads"' not in sign_in("partner1").get("/cases").get_data(as_text=True)


# The call task's instructions in the reader's language only (issue 13): they were one
# Vietnamese and one English line each.
CALL_TEXT = {"vi": "Gọi ngay cho khách hàng", "en": "Call the customer now", "ru": "Позвоните клиенту сейчас"}


@pytest.mark.parametrize("lang", sorted(CALL_TEXT))
def test_the_call_tasks_instructions_read_in_the_readers_language_only(lead, sign_in, lang):
    client = sign_in("sales1")
    post(client, "/language", {"language": lang})
    html = client.get(f"/tasks/{lead.id}").get_data(as_text=True)
    instructions = html.split('class="tl-instructions', 1)[1].split("</div>", 1)[0]
    assert CALL_TEXT[lang] in instructions
    assert [text for other, text in CALL_TEXT.items() if other != lang and text in instructions] == []
    assert instructions.count("<li>") == 4   # the four outcomes, as a list
    if lang != "en":
        assert "Reached" not in instructions and "Wrong or fake number" not in instructions
