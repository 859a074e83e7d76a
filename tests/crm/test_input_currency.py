"""Amounts an admin types are read in the currency of the referrals' place (forms.inputs.Money),
not in VND by name: with TASKLANE_PLACES giving the referrals roubles, kopecks are accepted,
a third decimal is refused and nothing is stored."""
import json
from decimal import Decimal

import pytest
from flask_babel import force_locale

from engine.db import db
from engine.errors import ValidationError
from processes.referrals import admin as lending_admin
from processes.referrals.models import LoanProduct
from tests.conftest import ONE_BACKEND
from tests.crm import lending_factory as make

pytestmark = pytest.mark.parametrize("database_url", ONE_BACKEND, indirect=True)
PRODUCT = {"code": "cash", "name": "Наличные", "min_term_months": "6", "max_term_months": "36"}


@pytest.fixture
def settings(settings):
    return {**settings, "TASKLANE_PLACES": json.dumps({"referrals": {"currency": "RUB", "region": "RU"}})}


def test_a_product_in_roubles_takes_kopecks_written_the_russian_way(ctx):
    company = make.company()
    with force_locale("ru"):
        values = {**PRODUCT, "min_amount": "10 000,50", "max_amount": "1 500 000"}
        product = lending_admin.save_product(values, actor="admin", company_id=company.id)
    assert (product.min_amount, product.max_amount) == (Decimal("10000.50"), Decimal(1_500_000))


@pytest.mark.parametrize(("lang", "typed", "message"), [
    ("ru", "10 000,555", "Знаков после запятой — не более 2."),
    ("en", "-10,000", "Enter an amount greater than zero."),
    ("vi", "mười triệu", "Nhập số tiền, ví dụ 1.500.000,50."),
])
def test_a_bad_amount_in_roubles_is_refused_in_the_readers_language_and_nothing_stored(ctx, lang, typed,
                                                                                      message):
    company = make.company()
    with force_locale(lang), pytest.raises(ValidationError) as refused:
        lending_admin.save_product({**PRODUCT, "min_amount": typed, "max_amount": "1 500 000"},
                                   actor="admin", company_id=company.id)
    assert refused.value.fields == {"min_amount": message}
    assert db.session.query(LoanProduct).count() == 0


def test_a_consultants_phone_is_read_in_the_referrals_region(ctx):
    from accounts import service

    service.add_user("consultant1", "secret-1", ["consultant"])
    db.session.commit()
    user = lending_admin.save_consultant("consultant1", {"phone": "8 912 345-67-89"}, actor="admin")
    assert user.phone == "+79123456789"
