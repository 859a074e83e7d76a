"""What the ЭДО tests share: the small contract diagram, a case waiting for the client's
answer, and an operator that refuses or fails (the outside world this machine cannot reach)."""
import engine
from engine import attachments
from engine.db import db
from engine.models import AuditEvent, HumanTask, ProcessInstance
from processes.broker.edo.adapter import EdoRefusedError, EdoUnavailableError, File
from processes.broker.edo.models import EdoDevMessage, EdoDocument
from tests.engine.helpers import complete

PDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Договор оказания услуг\n%%EOF\n".encode()
CLIENT = {"inn": "7707083893", "kpp": "773601001", "company": "ООО «Ромашка»",
          "email": "client@example.test"}


def waiting_case(deal_id, *, uses_edo=True, **client):
    """A contract case past its approval: sent (queued) through ЭДO, or e-mailed. :returns: its id"""
    case = engine.start("edo_contract", actor="analyst1",
                        data={"deal_id": deal_id, "uses_edo": uses_edo, **CLIENT, **client})
    contract = File(f"Договор {deal_id}.pdf", "application/pdf", PDF)
    reference = attachments.reference(attachments.attach(case.id, contract, actor="analyst1"))
    complete(case.id, "approve", {"contract": reference}, actor="analyst1")
    return case.id


def document_of(case_id):
    db.session.expire_all()
    query = db.session.query(EdoDocument).filter_by(instance_id=case_id)
    return query.order_by(EdoDocument.id.desc()).first()


def dev_message(case_id):
    row = document_of(case_id)
    return db.session.get(EdoDevMessage, row.sent_id)


def case_state(case_id):
    db.session.expire_all()
    case = db.session.get(ProcessInstance, case_id)
    open_tasks = sorted(t.element_id for t in db.session.query(HumanTask).filter_by(
        instance_id=case_id, state="open"))
    return case.status, open_tasks


def messages_received(case_id):
    db.session.expire_all()
    return [(e.details or {}).get("message") for e in db.session.query(AuditEvent).filter_by(
        stream=f"instance:{case_id}", kind="message_received").order_by(AuditEvent.id)]


class RefusingAdapter:
    """An operator that knows no box for the counterparty."""

    name = "refusing"

    def send(self, document, counterparty, *, key, sender):
        raise EdoRefusedError(f"no ЭДО box is registered for ИНН {counterparty.inn}")

    def status(self, sent_id):
        raise EdoRefusedError("nothing was sent")

    def signed_document(self, sent_id):
        raise EdoRefusedError("nothing was sent")


class FlakyAdapter(RefusingAdapter):
    """An operator that is down for its first ``outages`` calls to send."""

    name = "flaky"

    def __init__(self, outages):
        self.outages, self.calls = outages, 0

    def send(self, document, counterparty, *, key, sender):
        self.calls += 1
        if self.calls <= self.outages:
            raise EdoUnavailableError("the operator answered 503 Service Unavailable")
        return f"sent-{key}"


def refusing(_config):
    return RefusingAdapter()


class BrokenForOneAdapter:
    """The development adapter, except that sending to ``inn`` raises what no adapter should
    (a defect): the other documents must go on."""

    name = "development"

    def __init__(self, config, inn):
        from processes.broker.edo.development import DevelopmentAdapter

        self.inner, self.inn = DevelopmentAdapter(config), inn

    def send(self, document, counterparty, *, key, sender):
        if counterparty.inn == self.inn:
            raise RuntimeError("the adapter broke")
        return self.inner.send(document, counterparty, key=key, sender=sender)

    def status(self, sent_id):
        return self.inner.status(sent_id)

    def signed_document(self, sent_id):
        return self.inner.signed_document(sent_id)
