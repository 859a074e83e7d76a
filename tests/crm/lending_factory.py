"""Loan referral records for tests: a company, a product, a policy, a disbursed referral
with its commission."""
from datetime import date
from decimal import Decimal

from engine.db import db
from processes.referrals.models import Commission, CommissionPolicy, FinanceCompany, LoanProduct, Referral


def company(code="fe_credit", name="FE Credit"):
    row = FinanceCompany(code=code, name=name, active=True)
    db.session.add(row)
    db.session.commit()
    return row


def product(company_id, code="cash_loan", name="Vay tiền mặt"):
    row = LoanProduct(company_id=company_id, code=code, name=name, min_amount=Decimal(10_000_000),
                      max_amount=Decimal(70_000_000), min_term_months=6, max_term_months=36, active=True)
    db.session.add(row)
    db.session.commit()
    return row


def policy(product_id, rate="2.5", valid_from=date(2025, 1, 1), valid_to=None):
    row = CommissionPolicy(product_id=product_id, rate_percent=Decimal(rate), valid_from=valid_from,
                           valid_to=valid_to, created_by="admin")
    db.session.add(row)
    db.session.commit()
    return row


def commission(policy_row, referrer="partner1", phone="+84901000001", base=Decimal(60_000_000)):
    """A disbursed referral of ``referrer`` and its pending commission under ``policy_row``."""
    referral = Referral(referrer=referrer, customer_name="Nguyễn Văn Vay", phone=phone,
                        product_id=policy_row.product_id, customer_status="salaried", amount=base,
                        term_months=12, consultant_choice="auto", cross_sell_consent=False, state="disbursed")
    db.session.add(referral)
    db.session.flush()
    row = Commission(referral_id=referral.id, referrer=referrer, product_id=policy_row.product_id,
                     policy_id=policy_row.id, rate_percent=policy_row.rate_percent, base_amount=base,
                     amount=(base * policy_row.rate_percent / 100).quantize(Decimal("0.01")),
                     earned_on=date(2025, 6, 2))
    db.session.add(row)
    db.session.commit()
    return row
