"""The broker's demo data (development): two credit products with their checklists and
client questions, as the team enters them, and one deal of partner1 waiting on its
documents with a bank statement uploaded, so ``make run`` shows a deal at step 3.

It does nothing when a credit product exists or ``broker_deal`` is not deployed.
"""
from sqlalchemy import select

from accounts.models import User
from engine.db import db
from forms.uploads import Upload
from processes.domain import deployed

from . import deals, documents
from .models import ChecklistItem, ClientQuestion, CreditProduct

PARTNER = "partner1"
PRODUCTS = {
    "working_capital": (("Оборотный кредит", "Vay vốn lưu động", "Working capital loan"), [
        ("bank_statements", ("Выписки по счетам за 12 месяцев", "Sao kê tài khoản 12 tháng",
                             "Bank statements for 12 months"), True),
        ("balance_sheet", ("Бухгалтерский баланс за последний год", "Bảng cân đối kế toán năm gần nhất",
                           "Balance sheet for the last year"), True),
        ("founders_passports", ("Паспорта учредителей", "Hộ chiếu của người sáng lập", "Founders' passports"),
         True),
        ("tax_certificate", ("Справка об отсутствии налоговой задолженности", "Giấy xác nhận không nợ thuế",
                             "Certificate of no tax debt"), False),
    ]),
    "investment": (("Инвестиционный кредит", "Vay đầu tư", "Investment loan"), [
        ("bank_statements", ("Выписки по счетам за 12 месяцев", "Sao kê tài khoản 12 tháng",
                             "Bank statements for 12 months"), True),
        ("business_plan", ("Бизнес-план проекта", "Kế hoạch kinh doanh của dự án",
                           "The project's business plan"), True),
        ("collateral", ("Документы на залог", "Giấy tờ tài sản thế chấp", "Collateral documents"), True),
    ]),
}
QUESTIONS = [
    ("purpose", ("Цель кредита и срок окупаемости?", "Mục đích vay và thời gian hoàn vốn?",
                 "The loan's purpose and payback time?")),
    ("collateral", ("Есть ли залог или поручители?", "Có tài sản thế chấp hoặc người bảo lãnh không?",
                    "Is there collateral or a guarantor?")),
    ("other_loans", ("Какие кредиты уже есть у компании?", "Công ty đang có những khoản vay nào?",
                     "Which loans does the company have already?")),
]
DEAL = {"company_name": "ООО «Северный ветер»", "inn": "7736207543", "contact_name": "Ольга Смирнова",
        "phone": "+7 915 555-12-34", "email": "olga@example.ru", "amount": "25000000", "term_months": 36,
        "purpose": "Пополнение оборотных средств под сезонные закупки"}


def load(seed=None):
    """:returns: how many deals were registered (0 when nothing was done)"""
    del seed
    if db.session.scalar(select(CreditProduct.id).limit(1)) is not None or not deployed(deals.PROCESS):
        return 0
    if db.session.query(User).filter_by(username=PARTNER).first() is None:
        return 0
    ids = {code: _product(code, names, items) for code, (names, items) in PRODUCTS.items()}
    db.session.commit()
    deal = deals.register({**DEAL, "product_id": ids["working_capital"]}, actor=PARTNER)
    data = b"%PDF-1.4\n% demo bank statement\n%%EOF"
    statement = Upload("vypiska-12-mes.pdf", "application/pdf", data)
    documents.add(deal, "bank_statements", statement, actor=PARTNER)
    return 1


def _product(code, names, items):
    row = CreditProduct(code=code, name_ru=names[0], name_vi=names[1], name_en=names[2])
    db.session.add(row)
    db.session.flush()
    for position, (item, titles, required) in enumerate(items, start=1):
        db.session.add(ChecklistItem(product_id=row.id, code=item, title_ru=titles[0], title_vi=titles[1],
                                     title_en=titles[2], required=required, position=position))
    for position, (question, texts) in enumerate(QUESTIONS, start=1):
        db.session.add(ClientQuestion(product_id=row.id, code=question, text_ru=texts[0], text_vi=texts[1],
                                      text_en=texts[2], position=position))
    db.session.flush()
    return row.id
