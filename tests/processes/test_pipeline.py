"""bpmn/prospect_pipeline.bpmn (seed 004: caring for prospects through stages), path by path,
through the engine and processes.pipeline.prospects, on SQLite and PostgreSQL."""
import base64
from decimal import Decimal

import pytest

import engine
from accounts import service
from crm.models import Customer, Order, Stage, StageChange
from engine.db import db
from engine.errors import ConflictError, NotFoundError, ScriptError, ValidationError
from engine.models import Attachment, Outbox
from processes.leads import entry as leads
from processes.pipeline import prospects as pipeline
from processes.pipeline import stages
from tests.conftest import ROOT
from tests.engine.helpers import complete, instance, open_tasks
from workers import delivery

KHUONG = {"name": "Nguyễn Gia Khương", "phone": "0903 456 789", "owner": "sales1"}
PDF = b"%PDF-1.4\n% ghi chu khach hang\n"
SIGNED = {"decision": "convert", "name": "Nguyễn Gia Khương", "gender": "male", "email": "khuong@example.vn",
          "product": "Hợp đồng đầu tư 12 tháng", "deposit": 50_000_000}


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        service.add_user("sales1", "secret-1", ["sales"])
        db.session.commit()
        for name in ("lead_handling", "prospect_pipeline"):
            engine.deploy((ROOT / "bpmn" / f"{name}.bpmn").read_bytes(), actor="owner", name=f"{name}.bpmn",
                          roles=service.role_names())
        yield app


def prospect(**fields):
    """A customer (lead) with a pipeline case started by hand; :returns: (customer id, case id)."""
    result = leads.create_lead({**KHUONG, **fields}, actor="sales1", source="referral")
    case = pipeline.enter(result.customer.id, actor="sales1")
    return result.customer.id, case.id


def fresh(customer_id):
    db.session.expire_all()
    return db.session.get(Customer, customer_id)


def stage_key(customer_id):
    row = fresh(customer_id)
    return db.session.get(Stage, row.stage_id).key if row.stage_id else None


def changes(customer_id):
    db.session.expire_all()
    return db.session.query(StageChange).filter_by(customer_id=customer_id).order_by(StageChange.id).all()


def data_url(data, name="ghi chú.pdf", mime="application/pdf"):
    return f"data:{mime};name={name};base64,{base64.b64encode(data).decode()}"


def move(customer_id, stage, note="Đã gọi, hẹn gặp thứ Bảy", **extra):
    return pipeline.move(customer_id, stage, actor="sales1", json={"note": note, **extra})


def test_a_new_prospect_starts_on_the_first_stage_and_waits_for_a_move(ctx):
    customer_id, case_id = prospect()
    assert stage_key(customer_id) == "first_call"
    assert fresh(customer_id).pipeline_instance_id == case_id
    [entered] = changes(customer_id)
    assert entered.from_stage_id is None and entered.author == "sales1" and entered.note is None
    assert instance(case_id).status == "running" and open_tasks(case_id) == {}


def test_a_move_with_note_and_file_is_recorded_with_its_author_and_the_file_on_the_case(ctx):
    customer_id, case_id = prospect()
    target = move(customer_id, "first_meeting", files=[data_url(PDF)])
    assert target.key == "first_meeting" and stage_key(customer_id) == "first_meeting"
    change = changes(customer_id)[-1]
    assert (change.note, change.author, change.instance_id) == ("Đã gọi, hẹn gặp thứ Bảy", "sales1", case_id)
    assert db.session.get(Stage, change.from_stage_id).key == "first_call"
    [ref] = change.attachments
    stored = db.session.get(Attachment, ref["attachment_id"])
    assert stored.instance_id == case_id and stored.filename.endswith(".pdf") and stored.size == len(PDF)
    assert instance(case_id).status == "running"


@pytest.mark.parametrize("stage, fields, field", [
    ("no_such_stage", {"note": "x"}, "stage"),
    ("first_call", {"note": "x"}, "stage"),            # the stage it is in
    ("first_meeting", {"note": ""}, "note"),
    ("first_meeting", {}, "note"),
    ("first_meeting", {"note": "x", "files": ["data:application/x-msdownload;name=a.exe;base64,TVo="]},
     "files"),
])
def test_a_bad_move_names_the_field_and_stores_nothing(ctx, stage, fields, field):
    customer_id, case_id = prospect()
    before = instance(case_id).state
    with pytest.raises(ValidationError) as refused:
        pipeline.move(customer_id, stage, actor="sales1", json=fields)
    assert any(name == field or name.startswith(f"{field}") for name in refused.value.fields)
    assert stage_key(customer_id) == "first_call" and len(changes(customer_id)) == 1
    assert instance(case_id).state == before and db.session.query(Attachment).count() == 0


def test_bad_stage_and_missing_note_are_reported_together(ctx):
    customer_id, _ = prospect()
    with pytest.raises(ValidationError) as refused:
        pipeline.move(customer_id, "nowhere", actor="sales1", json={})
    assert {"stage", "note"} <= set(refused.value.fields)


def test_an_inactive_stage_cannot_be_chosen(ctx):
    customer_id, _ = prospect()
    proposal = stages.by_key("proposal")
    stages.save({"name_vi": proposal.name_vi, "name_en": proposal.name_en, "name_ru": proposal.name_ru,
                 "kind": "open", "active": False}, stage=proposal)
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        move(customer_id, "proposal")
    assert "stage" in refused.value.fields


def test_of_two_moves_from_the_same_stage_only_the_first_is_stored(ctx):
    customer_id, case_id = prospect()
    row = fresh(customer_id)
    pipeline.check_move(row, "first_meeting")
    # Another user moves it first; this user's payload still says it was in first_call.
    move(customer_id, "proposal", note="Gửi báo giá")
    with pytest.raises(ScriptError):
        engine.send_message(case_id, "stage_changed", actor="sales2",
                            payload={"stage": "first_meeting", "from": "first_call", "note": "late"})
    assert stage_key(customer_id) == "proposal" and len(changes(customer_id)) == 2


def test_a_lost_stage_ends_the_care_and_closes_an_open_lead(ctx):
    customer_id, case_id = prospect()
    move(customer_id, "lost", note="Khách đã mua của đối thủ")
    assert instance(case_id).status == "completed"
    row = fresh(customer_id)
    assert row.status == "closed_no_need" and stage_key(customer_id) == "lost"
    with pytest.raises(ConflictError):
        move(customer_id, "first_call")


def test_signed_opens_the_conversion_filled_from_the_record_and_moves_are_held(ctx):
    customer_id, case_id = prospect(email="khuong@old.vn")
    move(customer_id, "first_meeting")
    move(customer_id, "signed_deposit", note="Khách đã kí hợp đồng và đặt cọc")
    task = open_tasks(case_id)["convert_prospect"]
    form_data = engine.task_data(task.id)
    assert form_data["name"] == "Nguyễn Gia Khương" and form_data["email"] == "khuong@old.vn"
    assert form_data["decision"] == "convert"
    with pytest.raises(ConflictError):
        move(customer_id, "negotiation")


def test_conversion_puts_the_prospect_in_the_customer_catalogue_with_its_history(ctx):
    customer_id, case_id = prospect()
    move(customer_id, "first_meeting")
    move(customer_id, "signed_deposit", note="Đã kí")
    complete(case_id, "convert_prospect", SIGNED)
    row = fresh(customer_id)
    assert (row.kind, row.status) == ("customer", "ordered")
    assert (row.email, row.gender) == ("khuong@example.vn", "male")
    assert row.converted_at is not None and row.id == customer_id     # the same record: history kept
    [order] = db.session.query(Order).filter_by(customer_id=customer_id).all()
    assert (order.product, order.amount, order.created_by) == ("Hợp đồng đầu tư 12 tháng",
                                                               Decimal("50000000.00"), "sales1")
    assert [db.session.get(Stage, c.to_stage_id).key for c in changes(customer_id)] == [
        "first_call", "first_meeting", "signed_deposit"]
    assert instance(case_id).status == "completed"
    with pytest.raises(ConflictError):
        pipeline.enter(customer_id, actor="sales1")


def test_not_signed_yet_goes_back_to_the_last_open_stage_and_can_move_again(ctx):
    customer_id, case_id = prospect()
    move(customer_id, "negotiation")
    move(customer_id, "signed_deposit", note="Hẹn kí")
    complete(case_id, "convert_prospect", {"decision": "not_yet", "name": "Nguyễn Gia Khương",
                                           "conversion_note": "Khách hoãn kí sang tuần sau"})
    assert stage_key(customer_id) == "negotiation"
    assert changes(customer_id)[-1].note == "Khách hoãn kí sang tuần sau"
    assert fresh(customer_id).kind == "lead" and instance(case_id).status == "running"
    move(customer_id, "proposal", note="Gửi lại báo giá")
    assert stage_key(customer_id) == "proposal"


def test_a_customer_is_not_entered_twice(ctx):
    customer_id, case_id = prospect()
    with pytest.raises(ConflictError):
        pipeline.enter(customer_id, actor="sales1")
    # A second case started some other way (the API) ends at once and changes nothing.
    second = engine.start("prospect_pipeline", actor="api", data={"customer_id": customer_id, "name": "x",
                                                                  "phone": "+84903456789"})
    assert instance(second.id).status == "completed"
    assert fresh(customer_id).pipeline_instance_id == case_id and len(changes(customer_id)) == 1


def test_a_case_without_customer_ends_at_once(ctx):
    case = engine.start("prospect_pipeline", actor="api", data={"name": "x", "phone": "+84903456789"})
    assert instance(case.id).status == "completed"


def test_a_lead_that_becomes_a_contact_enters_the_pipeline_once_through_the_outbox(ctx):
    result = leads.create_lead(KHUONG, actor="sales1", source="website")
    complete(result.instance.id, "call_lead", {"outcome": "reached", "closed_now": False, "notes": "Ok"})
    [row] = db.session.query(Outbox).filter_by(channel="start").all()
    assert row.recipient == "prospect_pipeline" and row.state == "pending"
    assert delivery.deliver(row.id) == "sent"
    assert delivery.deliver(row.id) in ("sent", "already sent")   # a second one does nothing more
    customer = fresh(result.customer.id)
    assert customer.pipeline_instance_id is not None and stage_key(customer.id) == "first_call"
    assert db.session.query(StageChange).filter_by(customer_id=customer.id).count() == 1
    assert db.session.query(Outbox).filter_by(channel="start").count() == 1


def test_a_start_that_fails_is_retried_then_left_failed_with_its_error(ctx):
    from engine import outbox

    outbox.start_after_commit("no_such_process", data={})
    db.session.commit()
    row_id = db.session.query(Outbox.id).filter_by(channel="start").scalar()
    for _ in range(delivery.MAX_ATTEMPTS):
        with pytest.raises(NotFoundError):
            delivery.deliver(row_id)
    db.session.expire_all()
    row = db.session.get(Outbox, row_id)
    assert row.state == "failed" and row.attempts == delivery.MAX_ATTEMPTS
    assert "no_such_process" in row.last_error
