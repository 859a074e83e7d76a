"""The broker team's document template pages (web/broker/paperwork.py): the team reads and
downloads samples, the lead uploads a DOCX, edits the HTML, restores a version and keeps our
requisites; a template that cannot be filled in is a 422 naming the problem, never a 500."""
import io

import docx
import pytest
from flask import g

from accounts import roles, service
from processes.broker.paperwork import requisites, templates
from tests.conftest import ONE_BACKEND, seed
from tests.web.conftest import csrf, post

pytestmark = pytest.mark.parametrize("database_url", ONE_BACKEND, indirect=True)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _team():
    for role in ("broker_analyst", "broker_lead"):
        if role not in service.role_names():
            roles.create(role, role.replace("_", " "), actor="admin")
    # analyst1 is one of the seeded users (processes/demo_people.py); lead1 is this test's
    service.add_user("lead1", "demo", ["broker_lead"], full_name="Лев Лидов", locale="ru")


@pytest.fixture
def team(app, users):
    seed("broker-team", _team)

    def open_session(username):
        client = app.test_client()
        g.pop("csrf_token", None)
        response = client.post("/login", data={"username": username, "password": "demo",
                                               "csrf_token": csrf(client)})
        assert response.status_code == 302
        return client
    return open_session


def _docx(text):
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _upload(client, kind, data, action="save", note=""):
    return client.post(f"/broker/paperwork/{kind}/docx", data={
        "docx": (io.BytesIO(data), "новый.docx"), "note": note, "action": action,
        "csrf_token": csrf(client, "/profile")}, content_type="multipart/form-data")


@pytest.mark.parametrize(("username", "status"), [
    ("analyst1", 200), ("lead1", 200), ("admin", 200), ("sales1", 403), ("manager", 403), ("partner1", 403),
])
def test_the_template_pages_are_the_broker_teams(team, username, status):
    client = team(username)
    for path in ("/broker/paperwork", "/broker/paperwork/act", "/broker/paperwork/requisites"):
        assert client.get(path).status_code == status, path


def test_the_index_shows_each_kind_in_force_and_warns_of_missing_requisites(team):
    page = team("analyst1").get("/broker/paperwork").get_data(as_text=True)
    assert 'data-template-card="contract"' in page and 'data-template-card="invoice"' in page
    assert "data-requisites-missing" in page and "Версия 1 действует" in page


def test_an_analyst_reads_and_downloads_samples_but_changes_nothing(team):
    client = team("analyst1")
    page = client.get("/broker/paperwork/contract").get_data(as_text=True)
    assert "data-html-form" not in page and "data-docx-form" not in page
    pdf = client.get("/broker/paperwork/contract/versions/1/sample.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    sample = client.get("/broker/paperwork/invoice/versions/1/sample.docx")
    assert sample.status_code == 200 and sample.mimetype == DOCX
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(sample.data)).paragraphs)
    assert "Счёт на оплату № С-2026-0000 от " in text
    template = client.get("/broker/paperwork/act/versions/1/template.docx")
    assert template.status_code == 200 and b"{{ number }}" in _document_xml(template.data)
    html = client.get("/broker/paperwork/act/versions/1/template.html")
    assert "{{ number }}" in html.get_data(as_text=True)
    assert _upload(client, "act", _docx("{{ number }}")).status_code == 403
    assert post(client, "/broker/paperwork/act/html", {"html": "<p>{{ number }}</p>"}).status_code == 403
    assert templates.current("act").version == 1


def _document_xml(data):
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read("word/document.xml")


def test_the_lead_uploads_a_docx_that_becomes_the_version_in_force(team):
    client = team("lead1")
    response = _upload(client, "act", _docx("Акт {{ number }} — {{ amount_words }}"), note="короче")
    assert response.status_code == 302
    current = templates.current("act")
    assert (current.version, current.docx_name, current.note, current.created_by) == (
        2, "новый.docx", "короче", "lead1")
    page = client.get("/broker/paperwork/act").get_data(as_text=True)
    assert 'data-in-force="2"' in page and 'data-version="1"' in page and "Лев Лидов" in page
    sample = client.get("/broker/paperwork/act/versions/2/sample.docx")
    first = docx.Document(io.BytesIO(sample.data)).paragraphs[0].text
    assert first.startswith("Акт А-2026-0000 — Один миллион")


@pytest.mark.parametrize(("data", "message"), [
    (b"not a word file", "Это не документ Word"),
    (_docx("{{ client.nmae }}"), "Неизвестное поле «nmae»"),
    (_docx("{% for x in services %}"), "Ошибка в синтаксисе шаблона"),
])
def test_a_docx_that_cannot_be_filled_in_is_refused_on_the_page_with_the_reason(team, data, message):
    client = team("lead1")
    response = _upload(client, "act", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and 'data-error="docx"' in page
    assert templates.current("act").version == 1


def test_checking_a_docx_downloads_its_sample_and_stores_nothing(team):
    response = _upload(team("lead1"), "invoice", _docx("Счёт {{ number }}"), action="preview")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert docx.Document(io.BytesIO(response.data)).paragraphs[0].text == "Счёт С-2026-0000"
    assert templates.current("invoice").version == 1


def test_the_lead_edits_the_html_previews_it_and_saves_it(team):
    client = team("lead1")
    html = templates.current("contract").html.replace("ДОГОВОР №", "ДОГОВОР ОКАЗАНИЯ УСЛУГ №")
    preview = post(client, "/broker/paperwork/contract/html", {"html": html, "action": "preview"})
    assert preview.status_code == 200 and preview.data.startswith(b"%PDF")
    assert templates.current("contract").version == 1
    saved = post(client, "/broker/paperwork/contract/html",
                 {"html": html, "action": "save", "note": "заголовок"})
    assert saved.status_code == 302 and templates.current("contract").version == 2
    assert "ДОГОВОР ОКАЗАНИЯ УСЛУГ" in templates.current("contract").html


def test_broken_html_is_refused_with_its_line_and_kept_in_the_editor(team):
    client = team("lead1")
    html = "<p>{{ number }}</p>\n<p>{{ deal.summa }}</p>"
    response = post(client, "/broker/paperwork/contract/html", {"html": html, "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Строка 2" in page and "«summa»" in page
    assert "{{ deal.summa }}" in page            # what the lead typed is still there to correct
    preview = post(client, "/broker/paperwork/contract/html", {"html": "{% if %}", "action": "preview"})
    assert preview.status_code == 422 and templates.current("contract").version == 1


def test_an_old_version_is_put_in_force_again(team):
    client = team("lead1")
    post(client, "/broker/paperwork/invoice/html", {"html": "<p>{{ number }}</p>", "action": "save"})
    response = post(client, "/broker/paperwork/invoice/versions/1/restore")
    assert response.status_code == 302
    assert templates.current("invoice").version == 3 and templates.current("invoice").html == \
        templates.version("invoice", 1).html
    assert client.get("/broker/paperwork/invoice/versions/9/sample.pdf").status_code == 404
    assert client.get("/broker/paperwork/letter").status_code == 404


def test_the_lead_fills_in_our_requisites_and_bad_ones_are_marked(team):
    client = team("lead1")
    bad = post(client, "/broker/paperwork/requisites", {**requisites.SAMPLE, "inn": "7701234561"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Контрольные цифры ИНН не сходятся" in page
    assert requisites.missing()
    good = post(client, "/broker/paperwork/requisites", {**requisites.SAMPLE, "vat_rate": "22"})
    assert good.status_code == 302 and requisites.missing() == [] and requisites.current()["vat_rate"] == "22"
    assert "data-requisites-missing" not in client.get("/broker/paperwork").get_data(as_text=True)
    analyst = team("analyst1")
    assert post(analyst, "/broker/paperwork/requisites", requisites.SAMPLE).status_code == 403
    assert "disabled" in analyst.get("/broker/paperwork/requisites").get_data(as_text=True)


@pytest.mark.parametrize("locale", ["vi", "en", "ru"])
def test_the_pages_read_in_each_language(team, locale):
    client = team("lead1")
    post(client, "/language", {"language": locale})
    words = {"vi": "Mẫu chứng từ", "en": "Document templates", "ru": "Шаблоны документов"}[locale]
    for path in ("/broker/paperwork", "/broker/paperwork/act", "/broker/paperwork/requisites"):
        page = client.get(path).get_data(as_text=True)
        assert words in page, (locale, path)
