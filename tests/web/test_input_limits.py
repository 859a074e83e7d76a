"""No 500 for bad input on the pages (issue 11, section 6): a stage without a position,
ids and page numbers past the database's range, NUL characters in forms, large bodies."""
import pytest

from crm.models import Stage
from engine.db import db
from processes.pipeline import stages
from tests.web.conftest import csrf, post
from web import limits

PAST_INT = 2**31


@pytest.fixture
def admin(sign_in):
    stages.ensure_defaults()
    db.session.commit()
    return sign_in("admin")


def test_a_stage_without_a_position_is_refused_with_the_field_marked_on_a_page_that_renders(admin):
    before = db.session.query(Stage).count()
    response = post(admin, "/pipeline/stages", {"key": "trial", "name_vi": "Dùng thử", "name_en": "Trial",
                                                "name_ru": "Пробный период", "kind": "open"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'is-invalid" id="position-new"' in html
    assert db.session.query(Stage).count() == before
    offered = admin.get("/pipeline/stages").get_data(as_text=True)  # the form offers the next position
    assert f'id="position-new" name="position" value="{before + 1}"' in offered


@pytest.mark.fresh_app   # adds a route
def test_the_error_page_renders_after_a_database_failure(app, sign_in):
    def fail():
        db.session.add(Stage(key="broken", kind="open", name_vi="a", name_en="a", name_ru="a"))
        db.session.flush()  # no position: the database refuses the row

    app.add_url_rule("/test-fail", view_func=fail)
    response = sign_in("admin").get("/test-fail")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_a_nul_character_in_a_form_is_a_422_naming_the_field(admin):
    response = post(admin, "/pipeline/stages", {"key": "trial", "name_vi": "Dùng\x00thử", "name_en": "Trial",
                                                "name_ru": "Пробный", "kind": "open", "position": "3"})
    assert response.status_code == 422
    assert "<b>name_vi</b>" in response.get_data(as_text=True)
    assert db.session.query(Stage).filter_by(key="trial").count() == 0


def test_ids_past_the_databases_range_or_holding_nul_are_a_404_and_page_numbers_past_it_ignored(admin):
    for path in (f"/cases/{PAST_INT}", f"/cases/{10**30}", f"/pipeline/{PAST_INT}",
                 f"/portal/referrals/{PAST_INT}", "/tasks/%00x", "/processes/a%00b"):
        assert admin.get(path).status_code == 404, path
    for path in (f"/leads?page={PAST_INT}", f"/cases?page={10**30}", f"/pipeline?page={2**62}",
                 f"/inbox?page={PAST_INT}&per_page={PAST_INT}"):
        assert admin.get(path).status_code == 200, path
    assert admin.get(f"/cases?version={10**30}").status_code == 422  # the filter marked as wrong


def test_a_form_past_the_body_limit_is_a_413_with_a_readable_page(app, sign_in):
    client = app.test_client()
    token = csrf(client)
    response = client.post("/login", data={"username": "x" * 1_100_000, "password": "p", "csrf_token": token})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert set(limits.BODY_LIMITS) <= set(app.view_functions)  # each larger limit names a real route


def test_a_referral_form_naming_ids_past_the_databases_range_is_refused_naming_them(sign_in):
    response = post(sign_in("partner1"), "/portal/referrals/new", {
        "company_id": str(PAST_INT), "product_id": str(10**30), "customer_name": "Nguyễn Văn Vay",
        "phone": "0912345678", "amount": "30000000", "term_months": "12", "cross_sell_consent": "no"})
    assert response.status_code == 422
    assert 'name="company_id"' in response.get_data(as_text=True)
