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


def deal_form(product_id, **changes):
    return {**DEAL, "product_id": product_id, **changes}


def pdf(name="statement"):
    return (io.BytesIO(f"%PDF-1.4 {name}\n%%EOF".encode()), f"{name}.pdf")
