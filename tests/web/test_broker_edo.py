"""The ЭДО page (web/broker/edo.py): the broker team sees the contracts sent for signature and,
with the development adapter, plays the counterparty; the case hears the answer at once."""
import pytest

import engine
from engine import attachments
from engine.db import db
from processes.broker.edo import sync
from processes.broker.edo.adapter import File
from processes.broker.edo.models import EdoDocument
from tests.conftest import deploy_file
from tests.engine.helpers import complete
from tests.processes.broker.edo_support import CLIENT, PDF, RefusingAdapter, case_state, messages_received
from tests.web.conftest import post


@pytest.fixture
def edo_page(app, users):
    app.config.update(TASKLANE_EDO_DEV_DELIVER_SECONDS=0.0, TASKLANE_EDO_DEV_SIGN_SECONDS=0.0)
    deploy_file("edo_contract.bpmn")
    return app


def _sent_case(deal_id):
    case = engine.start("edo_contract", actor="admin", data={"deal_id": deal_id, "uses_edo": True, **CLIENT})
    file = File(f"Договор {deal_id}.pdf", "application/pdf", PDF)
    contract = attachments.attach(case.id, file, actor="admin")
    complete(case.id, "approve", {"contract": attachments.reference(contract)}, actor="admin")
    sync.run()
    return case.id, db.session.query(EdoDocument).filter_by(instance_id=case.id).one().id


def test_the_team_sees_each_document_with_its_counterparty_and_state(edo_page, sign_in):
    case_id, document_id = _sent_case(7)
    html = sign_in("admin").get("/broker/edo").get_data(as_text=True)
    assert 'data-edo-simulated' in html and f'data-edo-document="{document_id}" data-state="sent"' in html
    assert "Договор 7.pdf" in html and "7707083893" in html and "ООО «Ромашка»" in html
    assert f'href="/cases/{case_id}"' in html


def test_signing_on_the_page_tells_the_waiting_case_at_once(edo_page, sign_in):
    case_id, document_id = _sent_case(7)
    client = sign_in("admin")
    response = post(client, f"/broker/edo/{document_id}/sign")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"?changed={document_id}")
    assert case_state(case_id) == ("completed", []) and messages_received(case_id) == ["edo_signed"]
    html = client.get(f"/broker/edo?changed={document_id}").get_data(as_text=True)
    assert f'data-edo-document="{document_id}" data-state="signed"' in html and "data-edo-reported" in html
    assert post(client, f"/broker/edo/{document_id}/sign").status_code == 409


def test_a_rejection_needs_a_reason_and_brings_it_to_the_case(edo_page, sign_in):
    case_id, document_id = _sent_case(7)
    client = sign_in("admin")
    refused = post(client, f"/broker/edo/{document_id}/reject", {"reason": "  "})
    assert refused.status_code == 422 and "field-error" in refused.get_data(as_text=True)
    assert case_state(case_id) == ("running", [])
    assert post(client, f"/broker/edo/{document_id}/reject", {"reason": "Не тот БИК"}).status_code == 303
    assert case_state(case_id) == ("running", ["revise"])
    assert engine.case_data(case_id)["rejection"]["reason"] == "Не тот БИК"


def test_people_outside_the_team_may_not_open_the_page_and_an_unknown_document_is_404(edo_page, sign_in):
    _case_id, document_id = _sent_case(7)
    for username in ("sales1", "partner1", "manager"):
        client = sign_in(username)
        assert client.get("/broker/edo").status_code == 403
        assert post(client, f"/broker/edo/{document_id}/sign").status_code == 403
    assert post(sign_in("admin"), "/broker/edo/999/sign").status_code == 404


def test_with_another_adapter_the_page_has_no_buttons_and_they_answer_404(edo_page, sign_in):
    _case_id, document_id = _sent_case(7)
    db.session.query(EdoDocument).filter_by(id=document_id).update({"state": "sent", "sent_id": "x"})
    db.session.commit()
    edo_page.extensions["tasklane_edo_adapter"] = RefusingAdapter()
    client = sign_in("admin")
    html = client.get("/broker/edo").get_data(as_text=True)
    assert "data-edo-simulated" not in html and "data-edo-sign" not in html
    assert post(client, f"/broker/edo/{document_id}/sign").status_code == 404
