"""A small lending catalogue for referral tests (seed 000): two finance companies, their
products and commission policies, three consultants and two referrers."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import engine
from accounts import service
from accounts.models import User
from engine.db import db
from engine.models import Outbox, ProcessInstance
from processes.referrals.models import CommissionPolicy, ConsultantCompany, FinanceCompany, LoanProduct

CONSULTANT_PHONES = {f"consultant{n}": f"+8490100000{n}" for n in (1, 2, 3)}


@dataclass
class Catalogue:
    fe_credit: int
    home_credit: int
    cash_loan: int        # FE Credit, 10–70 million, 6–36 months, 2.5 %
    consumer_loan: int    # Home Credit, 5–100 million, 6–48 months, 3 %
    card: int             # FE Credit credit card, no commission policy


def people():
    """consultant1..3, manager ``boss``, referrers partner1 and partner2 (password secret-1),
    unless they exist (the demo users of page tests)."""
    wanted = [*((name, ["consultant"]) for name in CONSULTANT_PHONES), ("boss", ["manager"]),
              ("partner1", ["partner"]), ("partner2", ["partner"])]
    for name, roles in wanted:
        if db.session.query(User).filter_by(username=name).first() is None:
            service.add_user(name, "secret-1", roles, email=f"{name}@example.test", locale="vi")
    db.session.commit()


def catalogue(*, with_people=True):
    if with_people:
        people()
    fe = FinanceCompany(code="fe_credit", name="FE Credit")
    home = FinanceCompany(code="home_credit", name="Home Credit")
    db.session.add_all([fe, home])
    db.session.flush()
    cash = _product(fe, "cash_loan", "Vay tiền mặt", 10_000_000, 70_000_000, 6, 36)
    consumer = _product(home, "consumer_loan", "Vay tiêu dùng", 5_000_000, 100_000_000, 6, 48)
    card = _product(fe, "credit_card", "Thẻ tín dụng", 1_000_000, 50_000_000, 12, 12)
    db.session.add_all([
        CommissionPolicy(product_id=cash.id, rate_percent=Decimal("2.5"), valid_from=date(2020, 1, 1),
                         created_by="admin"),
        CommissionPolicy(product_id=consumer.id, rate_percent=Decimal("3"), valid_from=date(2020, 1, 1),
                         created_by="admin"),
    ])
    for name, phone in CONSULTANT_PHONES.items():
        user = db.session.query(User).filter_by(username=name).one()
        user.phone = phone
    links = {"consultant1": [fe], "consultant2": [fe, home], "consultant3": [home]}
    db.session.add_all(ConsultantCompany(username=name, company_id=company.id)
                       for name, companies in links.items() for company in companies)
    db.session.commit()
    return Catalogue(fe.id, home.id, cash.id, consumer.id, card.id)


def _product(company, code, name, low, high, shortest, longest):
    product = LoanProduct(company_id=company.id, code=code, name=name, min_amount=Decimal(low),
                          max_amount=Decimal(high), min_term_months=shortest, max_term_months=longest)
    db.session.add(product)
    db.session.flush()
    return product


def referral_form(product_id, **extra):
    """A valid submission of the customer Nguyễn Văn Vay."""
    return {"customer_name": "Nguyễn Văn Vay", "phone": "0912 345 678", "national_id": "079123456789",
            "product_id": product_id, "customer_status": "salaried", "amount": "30000000",
            "term_months": 12, "consultant_choice": "auto", "cross_sell_consent": False, **extra}


def deploy_procedure():
    """Deploy the shipped bpmn/loan_referral.bpmn."""
    from tests.conftest import ROOT

    engine.deploy((ROOT / "bpmn" / "loan_referral.bpmn").read_bytes(), actor="owner",
                  name="loan_referral.bpmn", roles=service.role_names())


def start_case(referral_id):
    """Deliver the referral's outbox start, as the worker does; :returns: its case."""
    from workers import delivery

    [start] = [row for row in db.session.query(Outbox).filter_by(channel="start")
               if row.params["data"] == {"referral_id": referral_id}]
    assert delivery.deliver(start.id) in ("sent", "already sent")
    return db.session.query(ProcessInstance).filter_by(business_key=f"referral:{referral_id}").one()
