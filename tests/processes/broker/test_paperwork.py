"""The broker's documents (processes/broker/paperwork/): filled in from the templates in
force as DOCX and PDF, numbered, stored with the case and audited; refused with what is
missing; the sandbox and the PDF renderer keep templates from reaching anything else."""
import io
import threading

import docx
import pytest
from pypdf import PdfReader

from engine import attachments
from engine.db import db
from engine.errors import NotFoundError, ValidationError
from engine.models import Attachment, AuditEvent
from processes.broker import paperwork
from processes.broker.paperwork import numbering, rendering, requisites, templates
from processes.broker.paperwork.models import DocumentTemplate, IssuedDocument
from tests.processes.broker.conftest import deal

NBSP = "\u00a0"
WORDS = "Один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек"


def docx_text(data):
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def pdf_text(data):
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_an_act_is_issued_numbered_with_its_docx_and_pdf_attached_to_the_case(app, ours, case):
    instance_id = case()
    document = paperwork.issue("act", deal(), instance_id, "analyst1")
    assert (document.number, document.kind, document.year, document.seq) == ("А-2026-0001", "act", 2026, 1)
    row, data = attachments.read(document.docx_attachment_id)
    assert (row.instance_id, row.filename, row.uploaded_by) == (instance_id, "Акт А-2026-0001.docx",
                                                                "analyst1")
    text = docx_text(data)
    assert "Акт № А-2026-0001 от 7 декабря 2026" in text
    assert WORDS in text and f"1{NBSP}234{NBSP}567,89{NBSP}₽" in text
    assert "ООО «Кредитный Брокер»" in text and "ООО «Ромашка»" in text and "Без НДС" in text
    assert "Договор № Д-2026-0001 от 20 ноября 2026" in text
    pdf_row, pdf = attachments.read(document.pdf_attachment_id)
    assert pdf_row.filename == "Акт А-2026-0001.pdf" and pdf_row.content_type == "application/pdf"
    printed = " ".join(pdf_text(pdf).split())
    assert "А-2026-0001" in printed and "двести тридцать четыре тысячи" in printed
    kinds = [e.kind for e in db.session.query(AuditEvent).filter_by(instance_id=instance_id)]
    assert kinds[-3:] == ["attachment_added", "attachment_added", "document_issued"]
    issued = db.session.query(AuditEvent).filter_by(instance_id=instance_id, kind="document_issued").one()
    assert issued.details["number"] == "А-2026-0001" and issued.details["template_version"] == 1
    assert paperwork.documents(instance_id) == [document]


def test_each_kind_has_its_own_sequence_and_an_invoice_pays_in_words(app, ours, case):
    instance_id = case()
    numbers = [paperwork.issue(kind, deal(), instance_id, "lead").number
               for kind in ("contract", "invoice", "act", "invoice")]
    assert numbers == ["Д-2026-0001", "С-2026-0001", "А-2026-0001", "С-2026-0002"]
    invoice = db.session.query(IssuedDocument).filter_by(number="С-2026-0002").one()
    text = docx_text(attachments.read(invoice.docx_attachment_id)[1])
    assert "Счёт на оплату № С-2026-0002" in text and WORDS in text and "Всего к оплате:" in text
    assert "40702810600000000001" in text and "044525999" in text


def test_a_document_dated_in_another_year_takes_that_years_number(app, ours, case):
    document = paperwork.issue("invoice", deal(date="2027-01-11"), case(), "lead")
    assert document.number == "С-2027-0001" and str(document.document_date) == "2027-01-11"


def test_a_contract_states_the_fee_in_words_or_as_a_share_of_the_loan(app, ours):
    with_amount = docx_text(paperwork.preview("contract", deal())[0])
    assert f"Стоимость Услуг составляет 1{NBSP}234{NBSP}567,89{NBSP}₽ ({WORDS}). Без НДС." in with_amount
    assert f"сумма 50{NBSP}000{NBSP}000,00{NBSP}₽, срок 36 мес." in with_amount
    share = docx_text(paperwork.preview("contract", deal(amount=None, fee_percent="2.5"))[0])
    assert "2,5 % от суммы кредита (займа)" in share
    assert "/ Иванов И. И. /" in share and "/ Петров П. П. /" in share


def test_vat_is_stated_when_a_rate_is_configured(app, ours):
    requisites.save({"vat_rate": "22"}, actor="lead")
    text = docx_text(paperwork.preview("act", deal())[0])
    assert "В том числе НДС 22 %:" in text    # 1 234 567,89 × 22 / 122 = 222 627,00 (222 626,9966)
    assert f"222{NBSP}627,00" in text


def test_render_takes_a_number_that_a_rollback_gives_back(app, ours):
    docx_bytes, pdf, number = paperwork.render("act", deal())
    assert number == "А-2026-0001" and "А-2026-0001" in docx_text(docx_bytes) and pdf.startswith(b"%PDF")
    db.session.rollback()
    assert paperwork.render("act", deal())[2] == "А-2026-0001"


def test_a_deal_without_what_an_act_needs_is_refused_and_takes_no_number(app, ours, case):
    instance_id = case()
    given = deal(amount=None, client={"name": ""}, date="07.12.2026")
    with pytest.raises(ValidationError) as refused:
        paperwork.issue("act", given, instance_id, "lead")
    assert set(refused.value.fields) == {"amount", "client.name", "client.inn", "date"}
    assert numbering.last("act", 2026) == 0
    assert db.session.query(Attachment).filter_by(instance_id=instance_id).count() == 0


def test_service_lines_that_do_not_add_up_to_the_amount_are_refused(app, ours):
    lines = [{"name": "Подбор банка", "price": "1000"},
             {"name": "Сопровождение", "quantity": 2, "price": "500"}]
    with pytest.raises(ValidationError) as refused:
        paperwork.preview("invoice", deal(services=lines, amount="3000"))
    assert "services" in refused.value.fields
    text = docx_text(paperwork.preview("invoice", deal(services=lines, amount=None))[0])
    assert "Сопровождение" in text and f"2{NBSP}000,00{NBSP}₽" in text
    assert "Две тысячи рублей 00 копеек" in text


def test_no_document_is_issued_before_our_requisites_are_filled_in(app, case):
    instance_id = case()
    with pytest.raises(ValidationError, match="requisites") as refused:
        paperwork.issue("contract", deal(), instance_id, "lead")
    assert "ИНН" in refused.value.fields["requisites"]
    assert db.session.query(IssuedDocument).count() == 0
    # a sample is shown meanwhile, with placeholder requisites
    assert "ООО «Образец Брокер»" in docx_text(paperwork.preview("contract")[0])


def test_a_template_failing_on_a_deal_rolls_the_issue_back_number_included(app, ours, case):
    templates.current("act")
    # the sample deal has no note: the template passes its check, and fails on a deal with a bad one
    failing = templates.current("act").html.replace("{{ amount_words }}",
                                                     "{{ extra.get('note', '0')|money }}")
    templates.save("act", actor="lead", today=paperwork.business_today(), html=failing)
    instance_id = case()
    with pytest.raises(ValidationError, match="Version 2 of the template cannot be filled in"):
        paperwork.issue("act", deal(extra={"note": "не сумма"}), instance_id, "lead")
    assert numbering.last("act", 2026) == 0
    assert db.session.query(Attachment).filter_by(instance_id=instance_id).count() == 0
    assert paperwork.issue("act", deal(extra={"note": "15"}), instance_id, "lead").number == "А-2026-0001"


def test_two_issues_at_once_on_two_cases_get_consecutive_numbers(app, ours, case):
    cases, start, numbers, errors = [case(), case()], threading.Barrier(2), [], []

    def issue(instance_id):
        with app.app_context():
            try:
                start.wait()
                for _ in range(2):
                    numbers.append(paperwork.issue("invoice", deal(), instance_id, "lead").number)
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(instance_id,)) for instance_id in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert sorted(numbers) == ["С-2026-0001", "С-2026-0002", "С-2026-0003", "С-2026-0004"]


def test_issuing_for_a_case_that_does_not_exist_is_refused(app, ours):
    with pytest.raises(NotFoundError):
        paperwork.issue("act", deal(), 999_999, "lead")
    with pytest.raises(NotFoundError):
        templates.current("letter")


# Templates: versions, checks, refusals ------------------------------------------------------

def test_the_shipped_templates_are_version_one_of_each_kind(app):
    assert templates.ensure_defaults() == 3 and templates.ensure_defaults() == 0
    rows = {row.kind: row for row in db.session.query(DocumentTemplate)}
    assert {kind: (row.version, row.created_by) for kind, row in rows.items()} == {
        "contract": (1, "system"), "act": (1, "system"), "invoice": (1, "system")}
    assert rows["invoice"].docx_name == "Счёт.docx" and "<html" in rows["invoice"].html


def test_a_new_html_version_is_in_force_and_the_docx_is_carried_over(app, ours):
    first = templates.current("invoice")
    html = first.html.replace("Оплатить в течение", "Просим оплатить в течение")
    saved = templates.save("invoice", actor="lead", today=paperwork.business_today(), html=html,
                           note="вежливее")
    assert (saved.version, saved.docx, saved.note, saved.created_by) == (2, first.docx, "вежливее", "lead")
    assert templates.current("invoice").version == 2
    assert "Просим оплатить" in pdf_text(paperwork.preview("invoice")[1])
    event = db.session.query(AuditEvent).filter_by(stream="broker:paperwork",
                                                   kind="paperwork_template_saved").one()
    assert event.data_after["version"] == 2 and event.actor == "lead" and event.data_before["version"] == 1
    restored = templates.restore("invoice", 1, actor="lead", today=paperwork.business_today())
    assert restored.version == 3 and restored.html == first.html and "1" in restored.note
    assert [row.version for row in templates.versions("invoice")] == [3, 2, 1]


def test_an_uploaded_docx_is_filled_in_with_its_own_text(app, ours):
    document = docx.Document()
    document.add_paragraph("Счёт {{ number }} для {{ client.name }}: {{ amount_text }} ({{ amount|words }})")
    out = io.BytesIO()
    document.save(out)
    saved = templates.save("invoice", actor="lead", today=paperwork.business_today(), docx=out.getvalue(),
                           docx_name="мой.docx")
    assert saved.docx_name == "мой.docx"
    text = docx_text(paperwork.preview("invoice", deal())[0])
    assert text.startswith(f"Счёт С-2026-0000 для ООО «Ромашка»: 1{NBSP}234{NBSP}567,89{NBSP}₽ ({WORDS})")


def _docx(text):
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("data", "message"), [
    (b"", "Choose a .docx file"),
    (b"%PDF-1.4 not a word file", "not a Word document"),
    (_docx("{{ clent.name }}"), "Unknown field “clent”"),
    (_docx("{{ client.nme }}"), "Unknown field “nme”"),
    (_docx("{% if client.name %}no end"), "syntax is wrong"),
    (_docx("{{ client.__class__ }}"), "Unknown field “__class__”|Not allowed"),
    (_docx("{{ 'x' * 100000000 }}"), "Not allowed in a template"),
    (_docx("{% for i in range(10**7) %}{% endfor %}"), "Not allowed in a template"),
    (_docx("{{ client.name|money }}"), "is not an amount"),
])
def test_a_docx_that_cannot_be_filled_in_is_refused_with_the_reason(app, data, message):
    with pytest.raises(ValidationError, match=message) as refused:
        templates.save("act", actor="lead", today=paperwork.business_today(), docx=data)
    assert set(refused.value.fields) == {"docx"}
    assert templates.current("act").version == 1


def test_a_zip_that_is_no_word_document_or_unpacks_too_large_is_refused(app, monkeypatch):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"<" + b" " * (2 * 1024 * 1024))
    monkeypatch.setattr(rendering, "MAX_UNPACKED", 1024 * 1024)
    with pytest.raises(ValidationError, match="unpacks to more than 1 MB"):
        templates.save("act", actor="lead", today=paperwork.business_today(), docx=out.getvalue())
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as package:
        package.writestr("readme.txt", "hello")
    with pytest.raises(ValidationError, match="not a Word document"):
        templates.save("act", actor="lead", today=paperwork.business_today(), docx=plain.getvalue())


@pytest.mark.parametrize(("html", "message"), [
    ("", "empty"),
    ("<p>{{ number }</p>", "Line 1: The template's syntax is wrong"),
    ("<p>ok</p>\n<p>{{ deal.sum }}</p>", "Line 2: Unknown field “sum”"),
    ("<p>{{ ''.__class__.__mro__ }}</p>", "Unknown field|Not allowed"),
    ("<p>{{ range.__globals__ }}</p>", "Unknown field|Not allowed"),
    ("<p>{{ 2 ** 100000 }}</p>", "Not allowed in a template"),
])
def test_html_that_cannot_be_filled_in_is_refused_with_its_line(app, html, message):
    with pytest.raises(ValidationError, match=message) as refused:
        templates.save("contract", actor="lead", today=paperwork.business_today(), html=html)
    assert set(refused.value.fields) == {"html"}
    assert templates.current("contract").version == 1


def test_the_pdf_renderer_fetches_no_file_and_no_network_address(app, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("p { color: red }")
    fetched = []
    html = (f'<link rel="stylesheet" href="file://{secret}"><img src="http://127.0.0.1:9/x.png">'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
            f'<p>hello</p><iframe src="file://{secret}"></iframe>')
    fetcher = rendering._fetcher()
    for url in (f"file://{secret}", "http://127.0.0.1:9/x.png", "https://example.com/a.css"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher(url)
        fetched.append(url)
    assert fetcher("data:text/plain;base64,aGk=").read() == b"hi"
    pdf = rendering.html_to_pdf(html)
    assert "hello" in pdf_text(pdf) and len(fetched) == 3


def test_a_note_longer_than_500_characters_is_refused(app):
    with pytest.raises(ValidationError, match="too long"):
        templates.save("act", actor="lead", today=paperwork.business_today(), html="<p>x</p>", note="x" * 501)


# Our requisites ---------------------------------------------------------------------------

def test_requisites_are_checked_by_their_control_digits_and_audited(app):
    bad = {**requisites.SAMPLE, "inn": "7701234561", "ogrn": "1027700000009",
           "account": "40702810600000000002",
           "corr_account": "30101810600000000990", "bik": "044525999", "kpp": "77A", "email": "no-at",
           "vat_rate": "18", "payment_days": "0"}
    with pytest.raises(ValidationError) as refused:
        requisites.save(bad, actor="lead")
    assert set(refused.value.fields) == {"inn", "ogrn", "account", "corr_account", "kpp", "email", "vat_rate",
                                         "payment_days"}
    assert requisites.missing()            # nothing stored
    saved = requisites.save(requisites.SAMPLE, actor="lead")
    assert saved["inn"] == "7701234560" and requisites.missing() == []
    event = db.session.query(AuditEvent).filter_by(stream="broker:paperwork").one()
    assert event.kind == "paperwork_requisites_changed" and event.data_after["inn"] == "7701234560"
    requisites.save({"inn": "500112233945"[:10]}, actor="lead")    # a 10-digit ИНН with good digits
    assert requisites.current()["inn"] == "5001122339" and requisites.current()["bik"] == "044525999"


def test_a_twelve_digit_inn_of_a_sole_trader_is_accepted(app):
    saved = requisites.save({**requisites.SAMPLE, "inn": "500100732259", "kpp": "",
                             "ogrn": "304500116000157"}, actor="lead")
    assert saved["inn"] == "500100732259"


# The script helper: a step of a case's diagram issues its document --------------------------

def _issuing_case(context):
    import engine
    from tests.conftest import deploy_file

    deploy_file("broker_paperwork_issue.bpmn")
    return engine.start("broker_paperwork_issue", actor="manager", data={"context": context}).id


def test_a_step_issues_the_act_of_its_own_case_by_the_user_who_completed_the_task(app, ours):
    import engine
    from tests.engine.helpers import complete, open_tasks

    case_id = _issuing_case(deal())
    complete(case_id, "complete_work", actor="analyst1")
    act = engine.task_data(open_tasks(case_id)["send_act"].id)["act"]
    document = db.session.query(IssuedDocument).filter_by(instance_id=case_id).one()
    assert document.number == "А-2026-0001" and document.issued_by == "analyst1"
    assert "send_act" in open_tasks(case_id)
    issued = db.session.query(AuditEvent).filter_by(instance_id=case_id, kind="document_issued").one()
    assert issued.actor == "analyst1"
    assert act == {"kind": "act", "number": "А-2026-0001", "date": "2026-12-07", "amount": "1234567.89",
                   "docx_attachment_id": document.docx_attachment_id,
                   "pdf_attachment_id": document.pdf_attachment_id}


def test_a_step_that_cannot_issue_stops_the_case_and_takes_no_number(app):
    from engine.errors import IncidentError
    from tests.engine.helpers import complete, open_tasks

    case_id = _issuing_case(deal())          # our requisites are not filled in
    with pytest.raises(IncidentError, match="requisites"):
        complete(case_id, "complete_work", actor="analyst1")
    assert numbering.last("act", 2026) == 0
    assert db.session.query(IssuedDocument).count() == 0
    assert "complete_work" in open_tasks(case_id)


def test_the_helper_refuses_to_run_outside_a_case(app, ours):
    from engine.errors import ForbiddenError
    from processes.broker.paperwork.helpers import issue_document

    with pytest.raises(ForbiddenError):
        issue_document("act", deal())
