"""Steps 9 and 11 of bpmn/broker_deal.bpmn wired to the paperwork and ЭДО: the contract is
issued from the team's template and sent through ЭДО (the development adapter plays the
client, the status sync reports back) or by e-mail (the team checks the signed scan); the
bank's approval issues the act and the invoice, numbered, for our fee."""
from decimal import Decimal

import pytest

import engine
from accounts import service
from engine import outbox
from engine.db import db
from engine.errors import IncidentError
from engine.models import Attachment, Outbox
from forms import instructions
from forms.uploads import Upload
from processes.broker import deals, documents, paperwork
from processes.broker.edo import development, sync
from processes.broker.models import Deal
from tests.broker_data import CLEAN_FACTS, deal_form, deploy, people, product
from tests.broker_data import paperwork as our_paperwork
from tests.engine.helpers import complete, open_tasks
from tests.processes.broker.edo_support import RefusingAdapter, document_of, messages_received

DETAILS = {"bank_account": "40702810900000000001", "bik": "044525225", "kpp": "770701001",
           "legal_address": "Москва, ул. Тверская, 1", "contract_email": "ceo@example.ru",
           "contract_phone": "+74951234567"}


@pytest.fixture
def shop(app):
    app.config.update(TASKLANE_EDO_DEV_DELIVER_SECONDS=0.0, TASKLANE_EDO_DEV_SIGN_SECONDS=0.0)
    with app.test_request_context():
        service.ensure_roles()
        people()
        product_id = product()
        deploy()
        our_paperwork()
        yield product_id


def fresh(deal_id):
    db.session.expire_all()
    return db.session.get(Deal, deal_id)


def to_contract(product_id, *, uses_edo):
    """A deal through its documents, a range from the full amount and the contract details."""
    row = deals.register(deal_form(product_id), actor="partner1")
    deal_id, case = row.id, row.instance_id
    for kind in ("bank_statements", "balance_sheet"):
        documents.add(fresh(deal_id), kind, Upload(f"{kind}.pdf", "application/pdf", b"%PDF-1.4 x\n%%EOF"),
                      actor="partner1")
    complete(case, "collect_documents", CLEAN_FACTS, actor="partner1")
    complete(case, "analysis", {"outcome": "range", "range_from": 15_000_000, "range_to": 16_000_000},
             actor="analyst1")
    complete(case, "contract_details", {**DETAILS, "uses_edo": uses_edo}, actor="partner1")
    return deal_id, case


def issued(case, kind=None):
    db.session.expire_all()
    return [d for d in paperwork.documents(case) if kind in (None, d.kind)]


def test_a_client_with_edo_gets_the_issued_contract_there_and_its_signature_moves_the_deal_on(shop):
    deal_id, case = to_contract(shop, uses_edo=True)
    [contract] = issued(case)
    year = contract.document_date.year
    assert (contract.kind, contract.number, contract.issued_by) == ("contract", f"Д-{year}-0001", "partner1")
    pdf = db.session.get(Attachment, contract.pdf_attachment_id)
    assert pdf.instance_id == case and pdf.filename.endswith(".pdf")
    sent = document_of(case)
    assert (sent.state, sent.counterparty_inn, sent.counterparty_kpp) == ("queued", "7707083893", "770701001")
    assert sent.filename == pdf.filename
    assert open_tasks(case) == {} and fresh(deal_id).step == 9
    assert db.session.query(Outbox).filter_by(instance_id=case, channel="email").count() == 0

    sync.run()
    development.sign(document_of(case).sent_id)
    sync.run()
    assert messages_received(case) == ["edo_signed"]
    assert set(open_tasks(case)) == {"credit_support"} and fresh(deal_id).step == 10
    data = engine.case_data(case)
    assert data["edo_signature"]["edo_document_id"] == sent.id
    assert data["contract"]["number"] == f"Д-{year}-0001"


def test_a_rejected_contract_goes_back_to_the_team_and_is_issued_and_sent_again(shop):
    deal_id, case = to_contract(shop, uses_edo=True)
    sync.run()
    development.reject(document_of(case).sent_id, "Неверный срок кредита")
    sync.run()
    assert set(open_tasks(case)) == {"revise_contract"}
    assert engine.case_data(case)["edo_rejection"]["reason"] == "Неверный срок кредита"

    complete(case, "revise_contract", {**DETAILS, "revised": True, "kpp": "770701002",
                                       "note": "КПП исправлен"}, actor="analyst1")
    first, second = issued(case, "contract")
    assert second.number == first.number[:-4] + "0002" and second.issued_by == "analyst1"
    again = document_of(case)
    assert again.state == "queued" and again.counterparty_kpp == "770701002"
    assert again.filename == db.session.get(Attachment, second.pdf_attachment_id).filename
    sync.run()
    development.sign(again.sent_id)
    sync.run()
    assert messages_received(case) == ["edo_rejected", "edo_signed"]
    assert set(open_tasks(case)) == {"credit_support"} and fresh(deal_id).step == 10


def test_a_contract_edo_cannot_deliver_is_sent_by_email_after_the_teams_word(shop, app):
    app.extensions["tasklane_edo_adapter"] = RefusingAdapter()
    deal_id, case = to_contract(shop, uses_edo=True)
    sync.run()
    assert messages_received(case) == ["edo_failed"]
    assert set(open_tasks(case)) == {"edo_fallback"}
    complete(case, "edo_fallback", {"contract_email": "director@example.ru"}, actor="analyst1")
    mail = db.session.query(Outbox).filter_by(instance_id=case, channel="email").one()
    [contract] = issued(case)
    assert mail.recipient == "director@example.ru" and contract.number in mail.subject
    assert [name for name, _type, _data in outbox.attached_files(mail)] == [
        db.session.get(Attachment, contract.pdf_attachment_id).filename]
    assert set(open_tasks(case)) == {"contract_signed"}
    complete(case, "contract_signed", {"decision": "accept"}, actor="analyst1")
    assert set(open_tasks(case)) == {"credit_support"} and fresh(deal_id).step == 10


def test_without_edo_the_contract_is_emailed_and_a_bad_scan_is_asked_again_telling_the_partner(shop):
    deal_id, case = to_contract(shop, uses_edo=False)
    [contract] = issued(case)
    mail = db.session.query(Outbox).filter_by(instance_id=case, channel="email").one()
    assert mail.recipient == "ceo@example.ru" and mail.subject == f"Договор № {contract.number}"
    assert [name for name, _type, _data in outbox.attached_files(mail)] == [
        db.session.get(Attachment, contract.pdf_attachment_id).filename]
    assert document_of(case) is None
    assert set(open_tasks(case)) == {"contract_signed"}

    complete(case, "contract_signed", {"decision": "ask_again", "note": "Нет подписи на стр. 3"},
             actor="analyst1")
    bell = db.session.query(Outbox).filter_by(recipient="partner1", kind="deal_documents_requested").one()
    assert bell.params["note"] == "Нет подписи на стр. 3"
    assert set(open_tasks(case)) == {"contract_signed"} and fresh(deal_id).step == 9
    complete(case, "contract_signed", {"decision": "accept"}, actor="analyst1")
    assert set(open_tasks(case)) == {"credit_support"} and fresh(deal_id).step == 10


def test_the_banks_approval_issues_the_numbered_act_and_invoice_for_our_fee(shop):
    deal_id, case = to_contract(shop, uses_edo=False)
    complete(case, "contract_signed", {"decision": "accept"}, actor="analyst1")
    complete(case, "credit_support", {"stage": "approved", "approved_amount": 14_500_000}, actor="analyst1")
    [contract] = issued(case, "contract")
    [act] = issued(case, "act")
    [invoice] = issued(case, "invoice")
    year = act.document_date.year
    assert (act.number, invoice.number) == (f"А-{year}-0001", f"С-{year}-0001")
    assert act.amount == invoice.amount == Decimal("435000.00")     # 3 % of 14 500 000
    for document in (act, invoice):
        assert db.session.get(Attachment, document.pdf_attachment_id).instance_id == case
    data = engine.case_data(case)
    assert (data["act"]["number"], data["invoice"]["number"]) == (act.number, invoice.number)
    assert set(open_tasks(case)) == {"completion"} and fresh(deal_id).step == 11
    task = open_tasks(case)["completion"]
    shown = instructions.render(task.instructions_texts["ru"], data, "ru")
    assert act.number in shown and invoice.number in shown
    assert contract.number.startswith("Д-")


def test_without_our_fee_the_approval_stops_as_an_incident_with_no_act_issued(shop):
    from processes.broker.paperwork import requisites

    requisites.save({"fee_percent": ""}, actor="lead1")
    deal_id, case = to_contract(shop, uses_edo=False)
    complete(case, "contract_signed", {"decision": "accept"}, actor="analyst1")
    task = open_tasks(case)["credit_support"]
    with pytest.raises(IncidentError) as failed:
        engine.complete_task(task.id, actor="analyst1",
                             data={"stage": "approved", "approved_amount": 14_500_000})
    assert "completion_step" in str(failed.value) and "fee" in str(failed.value)
    assert issued(case, "act") == [] and issued(case, "invoice") == []
    assert fresh(deal_id).approved_amount is None and set(open_tasks(case)) == {"credit_support"}
