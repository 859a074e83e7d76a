"""Credit products with checklists, partners and the broker team, and a valid deal, for the
broker's tests (issue 15)."""
import io

from accounts import service
from accounts.models import User
from engine.db import db
from processes.broker.models import ChecklistItem, ClientQuestion, CreditProduct
from tasklane.setup import shipped_source
from tests.conftest import ROOT

TEAM = {"analyst1": ["broker_analyst"], "lead1": ["broker_lead", "broker_analyst"]}
PARTNERS = {"partner1": ["partner"], "partner2": ["partner"]}
# ИНН 7707083893 and ОГРН 1027700132195 are a real company's (Sberbank), their digits check
DEAL = {"company_name": "ООО «Ромашка»", "inn": "7707083893", "ogrn": "1027700132195",
        "contact_name": "Иван Петров", "phone": "+7 916 123-45-67", "email": "ivan@example.ru",
        "amount": "15000000", "term_months": 36, "purpose": "Пополнение оборотных средств"}


def people():
    for name, roles in {**TEAM, **PARTNERS}.items():
        if db.session.query(User).filter_by(username=name).first() is None:
            service.add_user(name, "secret-1", roles, email=f"{name}@example.test", locale="ru")
    db.session.commit()


def product():
    """A working-capital loan needing statements and a balance sheet (a passport is optional)."""
    row = CreditProduct(code="working_capital", name_ru="Оборотный кредит", name_vi="Vay vốn lưu động",
                        name_en="Working capital loan")
    db.session.add(row)
    db.session.flush()
    db.session.add_all([
        ChecklistItem(product_id=row.id, code="bank_statements", position=1, title_ru="Выписки за 12 месяцев",
                      title_vi="Sao kê 12 tháng", title_en="Bank statements for 12 months"),
        ChecklistItem(product_id=row.id, code="balance_sheet", position=2, title_ru="Бухгалтерский баланс",
                      title_vi="Bảng cân đối kế toán", title_en="Balance sheet"),
        ChecklistItem(product_id=row.id, code="passports", position=3, required=False,
                      title_ru="Паспорта учредителей", title_vi="Hộ chiếu của người sáng lập",
                      title_en="Founders' passports"),
        ClientQuestion(product_id=row.id, code="collateral", position=1, text_ru="Есть ли залог?",
                       text_vi="Có tài sản thế chấp không?", text_en="Is there collateral?"),
    ])
    db.session.commit()
    return row.id


def deploy():
    import engine

    path = ROOT / "bpmn" / "broker_deal.bpmn"
    return engine.deploy(shipped_source(path), actor="owner", name=path.name, roles=service.role_names())


# Our requisites (a plainly fictitious company) and our fee: what the contract, the act and
# the invoice of steps 9 and 11 are issued with.
FEE_PERCENT = "3"


def paperwork():
    """Our requisites filled in by the team lead, our fee 3 % of the approved loan."""
    from processes.broker.paperwork import requisites

    requisites.save({**requisites.SAMPLE, "fee_percent": FEE_PERCENT}, actor="lead1")


def deal_form(product_id, **changes):
    return {**DEAL, "product_id": product_id, **changes}


def pdf(name="statement"):
    return (io.BytesIO(f"%PDF-1.4 {name}\n%%EOF".encode()), f"{name}.pdf")


CLEAN_FACTS = {"business_age_months": 48, "arrears_days": 0, "court_cases": 0, "tax_debt": False,
               "turnover_change_percent": 12, "bankruptcy": False}


def to_commission(product_id, *, partner="partner1", approved_amount=15_000_000, **changes):
    """A deal of ``partner`` taken through the engine to step 12 (the commission task):
    documents, a range from the full amount, the contract issued and e-mailed (our
    requisites filled in first) and its scan accepted, the bank's approval of
    ``approved_amount`` (the act and the invoice issued), the act and invoice sent.
    :returns: ``(deal_id, case_id)``"""
    from forms.uploads import Upload
    from processes.broker import deals, documents
    from processes.broker.models import Deal
    from tests.engine.helpers import complete

    paperwork()
    row = deals.register(deal_form(product_id, **changes), actor=partner)
    deal_id, case = row.id, row.instance_id
    for kind in ("bank_statements", "balance_sheet"):
        file = Upload(f"{kind}.pdf", "application/pdf", f"%PDF-1.4 {kind}\n%%EOF".encode())
        documents.add(db.session.get(Deal, deal_id), kind, file, actor=partner)
    complete(case, "collect_documents", CLEAN_FACTS, actor=partner)
    amount = int(row.amount)
    complete(case, "analysis", {"outcome": "range", "range_from": amount, "range_to": amount},
             actor="analyst1")
    complete(case, "contract_details", {"bank_account": "40702810900000000001", "bik": "044525225",
                                        "legal_address": "Москва, ул. Тверская, 1",
                                        "contract_email": "ceo@example.ru", "contract_phone": "+74951234567",
                                        "uses_edo": False}, actor=partner)
    complete(case, "contract_signed", {"decision": "accept"}, actor="analyst1")
    complete(case, "credit_support", {"stage": "approved", "approved_amount": approved_amount},
             actor="analyst1")
    complete(case, "completion", {"documents_sent": True}, actor="analyst1")
    return deal_id, case
