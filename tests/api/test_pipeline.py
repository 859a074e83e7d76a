"""The pipeline over the API: stages, prospects, moving (same check as the pages), adding."""
import base64

import pytest

import engine
from accounts import service
from crm.models import Customer, StageChange
from engine.db import db
from processes.leads import entry as leads
from processes.pipeline import prospects as pipeline
from tests.api.conftest import error_of
from tests.conftest import ROOT


@pytest.fixture
def deployed(users):
    for name in ("lead_handling", "prospect_pipeline"):
        engine.deploy((ROOT / "bpmn" / f"{name}.bpmn").read_bytes(), actor="owner", name=f"{name}.bpmn",
                      roles=service.role_names())
    db.session.commit()


def customer(owner="sales1", phone="0903456789"):
    return leads.create_lead({"name": "Nguyễn Gia Khương", "phone": phone, "owner": owner}, actor="manager",
                             source="referral").customer.id


def test_stages_are_listed_in_board_order(api, deployed):
    body = api("sales1").get("/pipeline/stages").get_json()
    assert [s["key"] for s in body["items"]][:2] == ["first_call", "first_meeting"]
    assert {s["kind"] for s in body["items"]} == {"open", "won", "lost"}
    assert error_of(api("partner1").get("/pipeline/stages"), 403)["code"] == "forbidden"


def test_a_customer_is_added_moved_with_a_file_and_listed(api, deployed):
    customer_id = customer()
    added = api("sales1").post("/prospects", json={"customer_id": customer_id})
    assert added.status_code == 201 and added.get_json()["stage"] == "first_call"
    assert error_of(api("sales1").post("/prospects", json={"customer_id": customer_id}), 409)
    pdf = "data:application/pdf;name=bien-ban.pdf;base64," + base64.b64encode(b"%PDF-1.4").decode()
    moved = api("sales1").post(f"/prospects/{customer_id}/stage",
                               json={"stage": "first_meeting", "note": "Hẹn gặp thứ Bảy", "files": [pdf]})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["stage"] == "first_meeting"
    changes = db.session.query(StageChange).filter_by(customer_id=customer_id)
    change = changes.order_by(StageChange.id.desc()).first()
    assert change.attachments[0]["filename"] == "bien-ban.pdf"
    listed = api("sales1").get("/prospects?stage=first_meeting").get_json()
    assert [p["id"] for p in listed["items"]] == [customer_id] and listed["more"] is False


def test_a_bad_move_is_422_with_every_field_and_stores_nothing(api, deployed):
    customer_id = customer()
    pipeline.enter(customer_id, actor="sales1")
    db.session.commit()
    refused = api("sales1").post(f"/prospects/{customer_id}/stage", json={"stage": "nowhere", "note": ""})
    error = error_of(refused, 422)
    assert {"stage", "note"} <= set(error["fields"])
    assert db.session.query(StageChange).filter_by(customer_id=customer_id).count() == 1


def test_someone_elses_prospect_is_403_and_auditors_move_nothing(api, deployed):
    customer_id = customer(owner="sales2")
    pipeline.enter(customer_id, actor="sales2")
    db.session.commit()
    move = {"stage": "first_meeting", "note": "x"}
    assert error_of(api("sales1").post(f"/prospects/{customer_id}/stage", json=move), 403)
    assert error_of(api("auditor").post(f"/prospects/{customer_id}/stage", json=move), 403)
    assert api("auditor").get("/prospects").get_json()["items"][0]["id"] == customer_id
    assert api("sales1").get("/prospects").get_json()["items"] == []
    db.session.expire_all()
    assert db.session.get(Customer, customer_id).stage_changed_at is not None
