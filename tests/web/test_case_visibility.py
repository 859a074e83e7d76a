"""Who sees a case (issue 11, section 2): the documented rule of the case's domain, the same on
the case page, its timeline export, its API history, its comments and attachments and the case
list; a task's team role grants sight only while the task is open and unassigned."""
import hashlib
from types import SimpleNamespace

import pytest

import engine
from accounts import tokens
from accounts.models import User
from engine import attachments
from engine.db import db
from engine.models import HumanTask
from processes.leads import entry as leads
from tests.conftest import ROOT
from tests.web.conftest import post
from tests.web.test_referrals import accepted, shop, submitted  # noqa: F401 - shop is a fixture

CASE_READS = ("/cases/{id}", "/cases/{id}/timeline.csv", "/cases/{id}/timeline.xlsx",
              "/cases/{id}/diagram.json", "/cases/{id}/verify")


def bearer(username):
    _row, token = tokens.issue(db.session.query(User).filter_by(username=username).one())
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def reads(client, case):
    """The statuses of the case's pages: ``{"read"}`` when each answers (the audit check
    redirects to the case page), ``{"refused"}`` when each says 403."""
    found = {client.get(path.format(id=case)).status_code for path in CASE_READS}
    return {"read" if status in (200, 302) else "refused" if status == 403 else status for status in found}


def listed(client):
    return client.get("/cases").get_data(as_text=True)


def test_a_consultant_cannot_read_or_comment_on_another_consultants_referral_case(shop, sign_in):  # noqa: F811
    _row, case = accepted(shop.cash_loan, "0912000001", "consultant1")
    other = sign_in("consultant2")
    assert set(reads(other, case)) == {"refused"}
    assert other.get(f"/api/v1/instances/{case}/history", headers=bearer("consultant2")).status_code == 403
    assert other.get(f"/api/v1/instances/{case}", headers=bearer("consultant2")).status_code == 403
    assert post(other, f"/cases/{case}/comments", {"body": "seen it"}).status_code == 403
    assert f'href="/cases/{case}"' not in listed(other)


def test_a_referral_case_is_read_by_its_referrer_its_consultant_and_the_overseers(shop, sign_in):  # noqa: F811
    _row, case = accepted(shop.cash_loan, "0912000001", "consultant1")
    for username in ("partner2", "consultant1", "manager", "admin", "auditor", "owner"):
        client = sign_in(username)
        assert set(reads(client, case)) == {"read"}, username
        assert f'href="/cases/{case}"' in listed(client), username
        history = client.get(f"/api/v1/instances/{case}/history", headers=bearer(username))
        assert history.status_code == 200, username
    for username in ("partner1", "sales1", "customer1", "consultant3"):
        assert set(reads(sign_in(username), case)) == {"refused"}, username


def test_a_consultant_offered_a_referral_sees_its_case_until_they_hand_it_back(shop, sign_in):  # noqa: F811
    _row, case = submitted(shop.cash_loan, "0912000001", "consultant1")
    client = sign_in("consultant1")
    assert client.get(f"/cases/{case}").status_code == 200
    [accept] = db.session.query(HumanTask).filter_by(instance_id=case, state="open").all()
    engine.complete_task(accept.id, actor="consultant1", data={"decision": "hand_back", "reason": "busy"})
    assert client.get(f"/cases/{case}").status_code == 403
    assert client.get(f"/tasks/{accept.id}").status_code == 200   # the task they completed stays theirs


@pytest.fixture
def lead_of_sales1(app, users):
    """A lead of sales1 (crm row and lead-handling case) with a private file attached."""
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles={"sales", "manager"})
    result = leads.create_lead({"name": "Trần Thị Mai", "phone": "0912345678", "owner": "sales1"},
                               actor="manager", source="website")
    data = b"%PDF-1.4 the customer's contract"
    upload = SimpleNamespace(filename="contract.pdf", content_type="application/pdf", data=data,
                             sha256=hashlib.sha256(data).hexdigest())
    row = attachments.attach(result.instance.id, upload, actor="sales1")
    db.session.commit()
    return SimpleNamespace(customer=result.customer.id, case=result.instance.id, attachment=row.id)


def test_a_sales_rep_cannot_read_another_reps_lead_case_or_its_attachment(lead_of_sales1, sign_in):
    other = sign_in("sales2")
    assert other.get(f"/pipeline/{lead_of_sales1.customer}").status_code == 403
    assert set(reads(other, lead_of_sales1.case)) == {"refused"}
    assert other.get(f"/attachments/{lead_of_sales1.attachment}").status_code == 403
    assert post(other, f"/cases/{lead_of_sales1.case}/attachments").status_code == 403
    owner = sign_in("sales1")
    assert set(reads(owner, lead_of_sales1.case)) == {"read"}
    assert owner.get(f"/attachments/{lead_of_sales1.attachment}").status_code == 200


def test_an_unowned_leads_case_is_seen_by_every_sales_rep(app, users, sign_in):
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles={"sales", "manager"})
    result = leads.create_lead({"name": "Lê Văn Tư", "phone": "0912345679"}, actor="manager",
                               source="website")
    for username in ("sales1", "sales2"):
        assert sign_in(username).get(f"/cases/{result.instance.id}").status_code == 200
    assert sign_in("consultant1").get(f"/cases/{result.instance.id}").status_code == 403


def test_a_completed_tasks_team_no_longer_sees_the_case(two_lanes, sign_in):
    call = two_lanes()   # lane sales, open and unassigned: every sales rep may claim it
    teammate = sign_in("sales2")
    assert teammate.get(f"/cases/{call.instance_id}").status_code == 200
    engine.complete_task(call.id, actor="sales1", data={})
    [report] = db.session.query(HumanTask).filter_by(instance_id=call.instance_id, state="open").all()
    engine.complete_task(report.id, actor="sales1", data={})   # on to the manager's approval
    assert teammate.get(f"/cases/{call.instance_id}").status_code == 403
    assert teammate.get(f"/tasks/{call.id}").status_code == 403
    assert f'href="/cases/{call.instance_id}"' not in listed(teammate)
    assert sign_in("sales1").get(f"/cases/{call.instance_id}").status_code == 200


def test_an_auditor_reads_every_case_and_comments_on_none(two_lanes, sign_in):
    call = two_lanes()
    auditor = sign_in("auditor")
    page = auditor.get(f"/cases/{call.instance_id}").get_data(as_text=True)
    assert f"/cases/{call.instance_id}/comments" not in page   # no form to post with
    assert f"/tasks/{call.id}/comments" not in auditor.get(f"/tasks/{call.id}").get_data(as_text=True)
    assert post(auditor, f"/cases/{call.instance_id}/comments", {"body": "noted"}).status_code == 403
    assert post(auditor, f"/tasks/{call.id}/comments", {"body": "noted"}).status_code == 403


def test_a_task_comment_needs_sight_of_the_case(lead_of_sales1, sign_in):
    [call] = db.session.query(HumanTask).filter_by(instance_id=lead_of_sales1.case, state="open").all()
    # the call waits in the sales queue, so sales2 may open the task, but not comment on the case
    other = sign_in("sales2")
    assert f"/tasks/{call.id}/comments" not in other.get(f"/tasks/{call.id}").get_data(as_text=True)
    assert post(other, f"/tasks/{call.id}/comments", {"body": "mine now"}).status_code == 403
    assert post(sign_in("sales1"), f"/tasks/{call.id}/comments", {"body": "called"}).status_code == 302
