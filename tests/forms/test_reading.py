"""forms.reading: a case's data by the titles and formats of its forms and its domain's
labels, in Vietnamese, English and Russian (docs/web.md "A case's data")."""

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from forms import reading
from forms.reading import Label

FORMS = [("lead-call-outcome", "lead-call-outcome-uischema"), ("contact-call", None)]
DATA = {
    "outcome": "not_reached",
    "amount": 4500000,
    "closed_now": False,
    "callback_at": "2026-11-22T08:30:00+00:00",
    "contact_status": "consulting_family",
    "notes": None,
    "lane_owners": {"sales": ["sales1"]},
    "last_caller": "sales1",
    "contact_callback_after": "PT24H",
}
DECLARED = {"contact_callback_after": Label(_l("Call a contact back after"), "duration")}
EXPECTED = {
    "vi": {
        "outcome": ("Kết quả cuộc gọi", "Chưa gọi được: hẹn gọi lại"),
        "amount": ("Thành tiền (VNĐ)", "4.500.000\xa0₫"),
        "closed_now": ("Khách hàng xác nhận mua ngay (chốt đơn)", "Không"),
        "callback_at": ("Thời gian gọi lại", "22 thg 11, 2026 08:30"),
        "contact_status": ("Tình trạng khách hàng", None),
        "notes": ("Ghi chú", "—"),
        "contact_callback_after": ("Gọi lại khách đã liên hệ sau", "24 giờ"),
    },
    "en": {
        "outcome": ("Call outcome", "Not reached: call back later"),
        "amount": ("Amount (VND)", "₫4,500,000"),
        "closed_now": ("The customer buys on this call", "No"),
        "callback_at": ("Call back at", "Nov 22, 2026 8:30\u202fAM"),
        "contact_status": ("Contact status", None),
        "notes": ("Notes", "—"),
        "contact_callback_after": ("Call a contact back after", "24 hours"),
    },
    "ru": {
        "outcome": ("Результат звонка", "Не дозвонились: перезвонить позже"),
        "amount": ("Сумма (VND)", "4\xa0500\xa0000\xa0₫"),
        "closed_now": ("Клиент покупает во время этого звонка", "Нет"),
        "callback_at": ("Перезвонить в", "22 нояб. 2026\u202fг. 08:30"),
        "contact_status": ("Статус контакта", None),
        "notes": ("Заметки", "—"),
        "contact_callback_after": ("Перезвонить контакту через", "24 часа"),
    },
}


# The bare app of these tests reads times in UTC; tests/web/test_case_data.py reads them in a zone.
@pytest.mark.parametrize("locale", ["vi", "en", "ru"])
def test_each_key_reads_by_its_forms_title_and_format_and_bookkeeping_stays_apart(babel, locale):
    with force_locale(locale):
        labels = {**DECLARED, **reading.form_labels(FORMS)}
        rows, internal = reading.read(DATA, labels)
    shown = {row.key: (row.title, row.text) for row in rows}
    for key, (title, text) in EXPECTED[locale].items():
        assert shown[key][0] == title, (key, shown[key])
        if text is not None:
            assert shown[key][1] == text, (key, shown[key])
    assert set(internal) == {"lane_owners", "last_caller"}
    assert "consulting_family" not in shown["contact_status"][1]


def test_a_choice_reads_by_its_title_in_the_readers_language(babel):
    labels = reading.form_labels(FORMS)
    titles = {}
    for locale in ("vi", "en", "ru"):
        with force_locale(locale):
            titles[locale] = reading.text("consulting_family", reading.form_labels(FORMS)["contact_status"])
    assert len(set(titles.values())) == 3 and "consulting_family" not in titles.values()
    assert reading.text("not_in_the_form", labels["contact_status"]) == "not_in_the_form"


@pytest.mark.parametrize(
    "locale, duration, words",
    [
        ("en", "P1DT12H", "1 day and 12 hours"),
        ("vi", "PT15M", "15 phút"),
        ("ru", "P3W", "3 недели"),
        ("ru", "PT2H30M", "2 часа и 30 минут"),
        ("en", "PT0S", "0 minutes"),
        ("en", "soon", "soon"),
    ],
)
def test_an_iso_duration_reads_in_words(babel, locale, duration, words):
    with force_locale(locale):
        assert reading.text(duration, Label("Wait", "duration")) == words


@pytest.mark.parametrize("locale, yes, no", [("vi", "Có", "Không"), ("en", "Yes", "No"), ("ru", "Да", "Нет")])
def test_yes_and_no_are_words_and_a_list_reads_as_a_list(babel, locale, yes, no):
    with force_locale(locale):
        assert reading.text(True, Label("Done")) == yes and reading.text(False, Label("Done")) == no
        assert reading.text(["a", "b"], Label("x", "choice", {"a": "Một", "b": "Hai"})) in (
            "Một và Hai",
            "Một and Hai",
            "Một и Hai",
        )


def test_dates_money_from_another_currency_numbers_and_nothing(babel):
    with force_locale("en"):
        assert reading.text("1990-05-17", Label("Birthday", "date")) == "May 17, 1990"
        assert reading.text(1500.5, Label("Price", "money", currency="usd")) == "$1,500.50"
        assert reading.text(1234567, Label("Count", "number")) == "1,234,567"
        assert (
            reading.text("", Label("Name"))
            == reading.text(None, Label("Name"))
            == reading.text([], Label("x"))
            == "—"
        )
        assert reading.text("not a date", Label("When", "datetime")) == "not a date"


def test_an_object_reads_by_its_fields_labels_and_files_as_files(babel):
    label = Label("Order", "object", fields={"amount": Label("Amount", "money", currency="VND")})
    with force_locale("vi"):
        row = reading.row("order", {"amount": 2000000, "internal_ref": "x"}, label)
    assert [(r.title, r.text) for r in row.rows] == [("Amount", "2.000.000\xa0₫")]
    stored = {"attachment_id": 3, "filename": "a.pdf"}
    assert reading.row("scan", [stored], Label("Scan", "file")).files == [stored]
