"""The broker's pages (issue 15): the partner's deals in the portal in Russian, Vietnamese
and English, another partner's deal a 404, uploads refused with their reason and nothing
stored, the team's queue and deal page, and the lead's checklist and question editors
(audited; nobody else may use them). No bad input answers 500."""
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from flask import g

from engine.db import db
from engine.models import AuditEvent
from processes.broker import deals
from processes.broker.models import ChecklistItem, ClientQuestion, Deal, DealDocument
from tests.broker_data import DEAL, deploy, pdf, product
from tests.engine.helpers import complete
from tests.web.conftest import post as signed_post

LANGUAGES = ("ru", "vi", "en")
ENGLISH_WORDS = ("My deals", "Documents", "History", "Step", "Upload", "Required", "Deals", "Client",
                 "Amount", "Missing", "Save")


@pytest.fixture
def shop(app, users):
    with app.test_request_context():
        product_id = product()
        deploy()
    return product_id


@pytest.fixture
def deal(app, shop):
    """A deal of partner1, waiting on its documents (step 3)."""
    with app.test_request_context():
        return deals.register({**DEAL, "product_id": shop}, actor="partner1").id


def get(client, path):
    """GET as ``client``'s user: the test app keeps one app context, where Flask-Login
    caches the last request's user."""
    g.pop("_login_user", None)
    return client.get(path)


def post(client, path, data=None, **kwargs):
    g.pop("_login_user", None)
    return signed_post(client, path, data, **kwargs)


def speaking(client, language):
    post(client, "/language", {"language": language})
    return client


def text(response):
    return response.get_data(as_text=True)


def fresh(deal_id):
    db.session.expire_all()
    return db.session.get(Deal, deal_id)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_of_the_partner_and_the_team_renders_in_each_language(sign_in, deal, shop, language):
    partner, lead = speaking(sign_in("partner1"), language), speaking(sign_in("brokerlead"), language)
    pages = [(partner, "/portal/deals"), (partner, f"/portal/deals/{deal}"), (partner, "/portal/deals/new"),
             (lead, "/broker/deals"), (lead, f"/broker/deals/{deal}"), (lead, "/broker/products"),
             (lead, f"/broker/products/{shop}")]
    for client, path in pages:
        response = get(client, path)
        assert response.status_code == 200, path
        body = text(response)
        assert f'lang="{language}"' in body, path
        if language != "en":
            shown = [word for word in ENGLISH_WORDS if f">{word}<" in body or f"> {word}<" in body]
            assert not shown, (path, shown)


def test_my_deals_shows_the_step_by_name_and_the_task_asked_of_the_partner_now(sign_in, deal):
    body = text(get(speaking(sign_in("partner1"), "ru"), "/portal/deals"))
    assert 'data-step="3"' in body and "Шаг 3 из 12: Документы" in body
    assert "Сейчас от вас нужно" in body and "/tasks/" in body
    assert re.search(r"15\s000\s000(,00)?\s₽", body)   # grouped as Russians write it


def test_the_deal_page_lists_the_checklist_with_what_is_missing_and_readable_history(sign_in, deal):
    body = text(get(speaking(sign_in("partner1"), "ru"), f"/portal/deals/{deal}"))
    assert 'data-missing-count="2"' in body
    assert body.count("data-missing") >= 3 and "Бухгалтерский баланс" in body
    assert "Сделка зарегистрирована" in body
    assert "deal_registered" not in body and "instance_started" not in body


def test_another_partners_deal_is_a_404_on_every_page_and_upload(sign_in, deal):
    other = sign_in("partner2")
    assert get(other, f"/portal/deals/{deal}").status_code == 404
    response = post(other, f"/portal/deals/{deal}/documents",
                    {"kind": "bank_statements", "file": pdf()}, content_type="multipart/form-data")
    assert response.status_code == 404
    assert "Ромашка" not in text(get(other, "/portal/deals"))
    assert db.session.query(DealDocument).count() == 0


def test_the_team_pages_are_closed_to_partners_and_the_portal_to_the_team(sign_in, deal, shop):
    partner, analyst = sign_in("partner1"), sign_in("analyst1")
    assert get(partner, "/broker/deals").status_code == 403
    assert get(partner, f"/broker/deals/{deal}").status_code == 403
    assert get(analyst, "/portal/deals").status_code == 403
    assert get(analyst, f"/broker/products/{shop}").status_code == 403
    assert get(sign_in("sales1"), "/broker/deals").status_code == 403


def test_a_partner_uploads_a_document_against_an_item_and_it_is_no_longer_missing(sign_in, deal):
    client = speaking(sign_in("partner1"), "ru")
    response = post(client, f"/portal/deals/{deal}/documents", {"kind": "bank_statements", "file": pdf()},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/portal/deals/{deal}#documents")
    body = text(get(client, f"/portal/deals/{deal}"))
    assert 'data-missing-count="1"' in body and "statement.pdf" in body
    assert "Загружен документ: Выписки за 12 месяцев" in body


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "bank_statements"}, "выберите файл"),
    ({"kind": "nonsense", "file": pdf()}, "выберите документ"),
    ({"kind": "bank_statements", "file": (io.BytesIO(b"MZ\x90\x00binary"), "run.exe")}, None),
    ({"file": pdf()}, "выберите документ"),
])
def test_a_refused_upload_shows_the_page_with_its_reason_and_stores_nothing(sign_in, deal, data, message):
    response = post(speaking(sign_in("partner1"), "ru"), f"/portal/deals/{deal}/documents", data,
                    content_type="multipart/form-data")
    assert response.status_code == 422
    assert "data-upload-error" in text(response)
    if message:
        assert message in text(response).lower()
    assert db.session.query(DealDocument).count() == 0


def test_an_upload_to_a_closed_deal_is_refused_with_409(sign_in, deal):
    row = fresh(deal)
    row.state = "closed"
    db.session.commit()
    response = post(sign_in("partner1"), f"/portal/deals/{deal}/documents",
                    {"kind": "bank_statements", "file": pdf()}, content_type="multipart/form-data")
    assert response.status_code == 409 and db.session.query(DealDocument).count() == 0


def test_the_new_deal_form_names_each_bad_field_in_russian_and_stores_nothing(sign_in, shop):
    client = speaking(sign_in("partner1"), "ru")
    response = post(client, "/portal/deals/new", {**DEAL, "inn": "7707083894", "phone": "+84912345678",
                                                   "product_id": "x", "amount": "-1", "term_months": "0"})
    body = text(response)
    assert response.status_code == 422
    for field in ("inn", "phone", "product_id", "amount", "term_months"):
        assert f'data-error="{field}"' in body, field
    assert "ИНН" in body and "+7" in body
    assert db.session.query(Deal).count() == 0


def test_the_new_deal_form_registers_the_deal_and_opens_its_page(sign_in, shop):
    response = post(sign_in("partner1"), "/portal/deals/new", {**DEAL, "product_id": str(shop)})
    assert response.status_code == 302
    row = db.session.query(Deal).one()
    assert response.headers["Location"].endswith(f"/portal/deals/{row.id}")
    assert (row.partner, row.step, row.phone) == ("partner1", 3, "+79161234567")


@pytest.mark.parametrize("path", ["/portal/deals?page=abc&state=x", "/portal/deals/99999999999",
                                  "/broker/deals?step=99&state=zzz&page=-1", "/broker/deals/0",
                                  "/broker/products/99999999", "/broker/products/1/nothing/1"])
def test_bad_addresses_and_queries_are_never_500(sign_in, deal, path):
    client = sign_in("partner1") if path.startswith("/portal") else sign_in("brokerlead")
    assert get(client, path).status_code in (200, 404, 405)


def test_the_queue_puts_the_analyses_due_first_with_overdue_marks(sign_in, deal, shop, app):
    with app.test_request_context():
        later = deals.register({**DEAL, "product_id": shop, "inn": "7736207543", "ogrn": None,
                                "company_name": "ООО «Позже»"}, actor="partner1").id
    late = fresh(later)
    late.step, late.analysis_due_at = 6, datetime.now(timezone.utc) - timedelta(hours=3)
    db.session.commit()
    body = text(get(speaking(sign_in("analyst1"), "ru"), "/broker/deals"))
    assert body.index(f'data-deal="{later}"') < body.index(f'data-deal="{deal}"')
    assert "data-overdue" in body and "просрочено" in body


def test_the_team_deal_page_shows_everything_and_the_open_task(sign_in, deal):
    complete_upload = sign_in("partner1")
    post(complete_upload, f"/portal/deals/{deal}/documents", {"kind": "bank_statements", "file": pdf()},
         content_type="multipart/form-data")
    body = text(get(speaking(sign_in("analyst1"), "ru"), f"/broker/deals/{deal}"))
    assert "Ромашка" in body and "7707083893" in body and "/attachments/" in body
    assert 'data-open-task="collect_documents"' in body and "Ждём партнёра" in body
    assert "data-modeler" not in body    # an analyst does not deploy processes
    admin = text(get(sign_in("admin"), f"/broker/deals/{deal}"))
    assert "/processes/broker_deal/edit" in admin


def test_the_pre_check_result_and_reasons_show_in_the_readers_language(sign_in, deal, app):
    row = fresh(deal)
    row.precheck = {"passed": False, "reasons": ["tax_debt", "custom_rule"],
                    "at": "2026-03-02T09:00:00+00:00"}
    db.session.commit()
    body = text(get(speaking(sign_in("partner1"), "ru"), f"/portal/deals/{deal}"))
    assert 'data-precheck="refused"' in body and "налоговая задолженность" in body.lower()
    assert "2 мар. 2026" in body


def test_the_lead_adds_renames_reorders_and_deactivates_checklist_items_each_audited(sign_in, shop):
    lead = speaking(sign_in("brokerlead"), "ru")
    base = f"/broker/products/{shop}/checklist"
    added = post(lead, base, {"code": "tax_certificate", "title_ru": "Справка из налоговой",
                              "title_vi": "Giấy xác nhận thuế", "title_en": "Tax certificate",
                              "required": "on"})
    assert added.status_code == 302
    item = db.session.query(ChecklistItem).filter_by(code="tax_certificate").one()
    assert (item.position, item.required) == (4, True)
    assert post(lead, f"{base}/{item.id}", {"action": "up"}).status_code == 302
    assert post(lead, f"{base}/{item.id}", {"action": "save", "title_ru": "Справка ФНС", "title_vi": "Thuế",
                                             "title_en": "Tax"}).status_code == 302
    assert post(lead, f"{base}/{item.id}", {"action": "deactivate"}).status_code == 302
    db.session.expire_all()
    item = db.session.get(ChecklistItem, item.id)
    assert (item.position, item.title_ru, item.required, item.active) == (3, "Справка ФНС", False, False)
    kinds = [e.kind for e in db.session.query(AuditEvent).filter_by(stream=f"broker_product:{shop}")
             .order_by(AuditEvent.id)]
    assert kinds == ["catalogue_item_added", "catalogue_item_moved", "catalogue_item_changed",
                     "catalogue_item_deactivated"]


def test_the_editors_refuse_bad_input_with_422_and_change_nothing(sign_in, shop):
    lead = sign_in("brokerlead")
    base = f"/broker/products/{shop}"
    taken = post(lead, f"{base}/checklist", {"code": "bank_statements", "title_ru": "a", "title_vi": "b",
                                             "title_en": "c"})
    assert taken.status_code == 422 and "is-invalid" in text(taken)
    assert post(lead, f"{base}/questions", {"code": "Bad Code!", "text_ru": ""}).status_code == 422
    question = db.session.query(ClientQuestion).one()
    assert post(lead, f"{base}/questions/{question.id}", {"action": "sideways"}).status_code == 422
    assert post(lead, f"{base}/questions/{question.id}", {"action": "save", "text_ru": ""}).status_code == 422
    assert post(lead, f"{base}/nothing", {"code": "x"}).status_code == 404
    assert post(lead, f"{base}/checklist/{question.id + 1000}", {"action": "up"}).status_code == 404
    assert db.session.query(ChecklistItem).count() == 3 and db.session.query(ClientQuestion).count() == 1
    assert db.session.query(AuditEvent).filter_by(stream=f"broker_product:{shop}").count() == 0


def test_only_the_lead_and_admins_edit_and_a_question_added_shows_on_the_product_page(sign_in, shop):
    assert post(sign_in("analyst1"), f"/broker/products/{shop}/questions",
                {"code": "x", "text_ru": "a", "text_vi": "b", "text_en": "c"}).status_code == 403
    admin = sign_in("admin")
    post(admin, f"/broker/products/{shop}/questions",
         {"code": "guarantor", "text_ru": "Есть ли поручитель?", "text_vi": "Có người bảo lãnh?",
          "text_en": "Is there a guarantor?"})
    assert [q.code for q in db.session.query(ClientQuestion).order_by(ClientQuestion.position)] == [
        "collateral", "guarantor"]
    assert "Есть ли поручитель?" in text(get(admin, f"/broker/products/{shop}"))


def test_the_partner_sees_the_step_change_after_completing_the_documents_task(sign_in, deal, app):
    client = sign_in("partner1")
    for kind in ("bank_statements", "balance_sheet"):
        post(client, f"/portal/deals/{deal}/documents", {"kind": kind, "file": pdf(kind)},
             content_type="multipart/form-data")
    case = fresh(deal).instance_id
    facts = {"business_age_months": 36, "arrears_days": 0, "court_cases": 0, "tax_debt": False,
             "turnover_change_percent": 5, "bankruptcy": False}
    complete(case, "collect_documents", facts, actor="partner1")
    body = text(get(speaking(client, "ru"), f"/portal/deals/{deal}"))
    assert 'data-step="5"' in body and "Шаг 5 из 12: Сделка передана команде" in body
    assert 'data-precheck="passed"' in body and "Сейчас от вас ничего не нужно" in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_issued_contract_act_and_invoice_show_with_downloads_to_the_partner_and_the_team(
        sign_in, shop, app, language):
    from processes.broker import paperwork
    from tests.broker_data import people, to_commission

    with app.test_request_context():
        people()
        deal_id, case = to_commission(shop, approved_amount=10_000_000)
        issued = paperwork.documents(case)
    assert [d.kind for d in issued] == ["contract", "act", "invoice"]
    words = {"ru": ("Выпущенные документы", "Договор", "Акт выполненных работ", "Счёт"),
             "vi": ("Văn bản đã lập",),
             "en": ("Issued documents", "Contract", "Act of completed work", "Invoice")}
    for user, page in (("partner1", f"/portal/deals/{deal_id}"), ("analyst1", f"/broker/deals/{deal_id}")):
        client = speaking(sign_in(user), language)
        body = text(get(client, page))
        assert "data-issued" in body and all(word in body for word in words[language])
        for document in issued:
            assert f'data-issued-number="{document.number}"' in body
            assert f"/attachments/{document.pdf_attachment_id}" in body
            assert f"/attachments/{document.docx_attachment_id}" in body
        download = get(client, f"/attachments/{issued[1].pdf_attachment_id}")
        assert download.status_code == 200 and download.get_data().startswith(b"%PDF")
    other = sign_in("partner2")
    assert get(other, f"/portal/deals/{deal_id}").status_code == 404
    assert get(other, f"/attachments/{issued[1].pdf_attachment_id}").status_code in (403, 404)
