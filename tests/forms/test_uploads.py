"""File fields: size and type limits, content sniffing, names, data-urls."""
import base64
import hashlib
import io
import zipfile

import pytest
from werkzeug.datastructures import FileStorage, MultiDict

import forms
from engine.errors import ValidationError
from forms.uploads import Upload, safe_filename
from tests.forms.schemas import KINDS, KINDS_UI

pytestmark = pytest.mark.usefixtures("babel")

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
def kinds(form_files):
    form_files("kinds-uischema", KINDS_UI)
    return form_files("kinds", KINDS)


def upload(key, locale="en", **files):
    storage = MultiDict({name: FileStorage(io.BytesIO(data), filename=filename, content_type="image/png")
                         for name, (filename, data) in files.items()})
    return forms.validate(key, f"{key}-uischema", formdata={"name": "Lan"}, files=storage, locale=locale)


def upload_error(key, **files):
    with pytest.raises(ValidationError) as caught:
        upload(key, **files)
    return caught.value.fields


def office_file(member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


def data_url(mime, name, data):
    return f"data:{mime};name={name};base64,{base64.b64encode(data).decode()}"


def test_a_real_pdf_becomes_an_upload_with_its_sniffed_type_size_and_hash(kinds):
    contract = upload(kinds, contract=("hợp đồng.pdf", PDF))["contract"]
    assert isinstance(contract, Upload)
    assert (contract.filename, contract.content_type) == ("hop_dong.pdf", "application/pdf")
    assert contract.data == PDF
    assert contract.size == len(PDF) and contract.sha256 == hashlib.sha256(PDF).hexdigest()


def test_a_png_that_is_not_a_png_is_refused(kinds):
    assert upload_error(kinds, photo=("photo.png", b"MZ\x90\x00 not an image")) == {
        "photo": "The file's content does not match its type."}
    assert upload_error(kinds, contract=("invoice.pdf", PNG)) == {
        "contract": "The file's content does not match its type."}


def test_a_file_larger_than_the_limit_is_refused_and_the_limit_is_named(kinds):
    assert upload_error(kinds, photo=("photo.png", PNG + b"\x00" * 1000)) == {
        "photo": "The file is larger than 1 kB."}
    big = PDF + b"\x00" * (10 * 1024 * 1024)
    assert upload_error(kinds, contract=("big.pdf", big)) == {"contract": "The file is larger than 10 MB."}


def test_the_size_limit_is_written_for_the_users_locale(kinds):
    with pytest.raises(ValidationError) as caught:
        upload(kinds, locale="ru", contract=("big.pdf", PDF + b"\x00" * (10 * 1024 * 1024)))
    assert caught.value.fields["contract"].endswith("10 МБ.")


def test_types_outside_the_allowed_list_are_refused(kinds):
    assert upload_error(kinds, contract=("setup.exe", b"MZ\x90\x00")) == {
        "contract": "Files of this type are not allowed."}
    assert upload_error(kinds, photo=("scan.pdf", PDF)) == {"photo": "Files of this type are not allowed."}
    assert upload_error(kinds, contract=("no-extension", PDF)) == {
        "contract": "Files of this type are not allowed."}


def test_office_files_are_recognised_by_what_their_zip_holds(kinds):
    docx = upload(kinds, contract=("báo giá.docx", office_file("word/document.xml")))["contract"]
    assert docx.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert upload(kinds, contract=("Счёт.xlsx", office_file("xl/workbook.xml")))["contract"].filename == (
        "Schet.xlsx")
    assert upload_error(kinds, contract=("fake.docx", office_file("payload.bin"))) == {
        "contract": "The file's content does not match its type."}


def test_text_files_must_not_be_binary(kinds):
    assert upload(kinds, contract=("danh sách.csv", "tên,số\nLan,1\n".encode()))["contract"].content_type == (
        "text/csv")
    assert upload_error(kinds, contract=("notes.txt", b"\x00\x01\x02")) == {
        "contract": "The file's content does not match its type."}


def test_an_empty_file_input_counts_as_no_file_and_an_empty_file_is_refused(kinds):
    assert "contract" not in upload(kinds, contract=("", b""))
    assert upload_error(kinds, contract=("empty.pdf", b"")) == {"contract": "The file is empty."}


def test_json_files_are_data_urls_decoded_and_checked_the_same_way(kinds):
    data = forms.validate(kinds, "kinds-uischema", json={
        "name": "Lan", "contract": data_url("application/pdf", "h%E1%BB%A3p%20%C4%91%E1%BB%93ng.pdf", PDF)})
    assert data["contract"] == Upload("hop_dong.pdf", "application/pdf", PDF)
    with pytest.raises(ValidationError) as caught:
        forms.validate(kinds, "kinds-uischema", json={
            "name": "Lan", "photo": data_url("image/png", "photo.png", PDF),
            "contract": "data:application/pdf;base64,@@not base64@@"})
    assert caught.value.fields == {"photo": "The file's content does not match its type.",
                                   "contract": "The file could not be read."}


def test_a_data_url_without_a_name_is_named_after_its_type(kinds):
    unnamed = f"data:application/pdf;base64,{base64.b64encode(PDF).decode()}"
    data = forms.validate(kinds, json={"name": "Lan", "contract": unnamed})
    assert data["contract"].filename == "file.pdf"


@pytest.mark.parametrize(("name", "safe"), [
    ("hợp đồng.pdf", "hop_dong.pdf"), ("Đơn đề nghị vay vốn.docx", "Don_de_nghi_vay_von.docx"),
    ("договор поставки.pdf", "dogovor_postavki.pdf"), ("../../etc/passwd", "passwd"),
    ("C:\\Users\\lan\\ảnh.png", "anh.png"), ("文件.pdf", "file.pdf"), (".pdf", "file.pdf"),
])
def test_file_names_are_made_safe_but_stay_readable(name, safe):
    assert safe_filename(name) == safe


def test_an_array_of_data_urls_takes_several_files_up_to_its_limit(form_files):
    key = form_files("attachments", {"type": "object", "properties": {"files": {
        "type": "array", "maxItems": 2, "items": {"type": "string", "format": "data-url"}}}})
    two = MultiDict([("files", FileStorage(io.BytesIO(PDF), filename="a.pdf")),
                     ("files", FileStorage(io.BytesIO(PNG), filename="b.png"))])
    data = forms.validate(key, formdata={}, files=two)
    assert [(u.filename, u.content_type) for u in data["files"]] == [("a.pdf", "application/pdf"),
                                                                      ("b.png", "image/png")]
    three = MultiDict([("files", FileStorage(io.BytesIO(PDF), filename=f"{n}.pdf")) for n in "abc"])
    with pytest.raises(ValidationError) as caught:
        forms.validate(key, formdata={}, files=three)
    assert caught.value.fields == {"files": "Choose at most 2."}
    view = forms.describe(key)
    assert view.fields[0].widget == "file" and view.fields[0].attrs["multiple"] is True
