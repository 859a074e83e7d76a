"""describe(): labels in the user's language, values as inputs want them, errors beside fields."""
import pytest
from werkzeug.datastructures import MultiDict

import forms
from tests.forms.schemas import KINDS, KINDS_UI

pytestmark = pytest.mark.usefixtures("babel")

LEAD = ("lead-call-outcome", "lead-call-outcome-uischema")


def by_name(view):
    return {f.name: f for f in view.fields}


@pytest.mark.parametrize(("locale", "title", "label", "option", "help_start"), [
    ("vi", "Gọi khách hàng mới", "Kết quả cuộc gọi", "Chưa gọi được: hẹn gọi lại", "Bắt buộc khi chưa"),
    ("en", "Call the new lead", "Call outcome", "Not reached: call back later", "Required when not reached"),
    ("ru", "Звонок новому клиенту", "Результат звонка", "Не дозвонились: перезвонить позже", "Обязательно"),
])
def test_labels_options_and_help_come_in_the_users_language(locale, title, label, option, help_start):
    view = forms.describe(*LEAD, locale=locale)
    fields = by_name(view)
    assert view.title == title and fields["outcome"].label == label
    assert dict(fields["outcome"].options)["not_reached"] == option
    assert fields["callback_at"].help.startswith(help_start)


def test_a_language_without_translations_falls_back_to_english():
    view = forms.describe(*LEAD, locale="de")
    assert view.title == "Call the new lead" and by_name(view)["outcome"].label == "Call outcome"


def test_a_regional_locale_uses_its_languages_translations():
    assert forms.describe(*LEAD, locale="vi_VN").title == "Gọi khách hàng mới"


def test_widgets_follow_the_schema_and_the_ui_schema_in_ui_order():
    view = forms.describe(*LEAD, locale="en")
    assert [(f.name, f.widget) for f in view.fields] == [
        ("outcome", "radio"), ("callback_at", "datetime"), ("closed_now", "checkbox"), ("product", "text"),
        ("quantity", "number"), ("amount", "money"), ("notes", "textarea")]
    fields = by_name(view)
    assert fields["outcome"].required and not fields["callback_at"].required
    assert fields["outcome"].attrs == {"autofocus": True}
    assert fields["quantity"].attrs == {"min": 1, "step": 1}
    assert fields["amount"].attrs == {"currency": "VND"}
    assert fields["notes"].attrs == {"maxlength": 2000, "rows": 3}


def test_new_task_data_shows_the_defaults_and_a_resubmission_does_not():
    assert by_name(forms.describe(*LEAD, values={"outcome": "reached"}))["quantity"].value == "1"
    assert by_name(forms.describe(*LEAD))["closed_now"].value is False
    resubmitted = forms.describe(*LEAD, values=MultiDict({"outcome": "reached", "amount": "1,5 triệu"}))
    assert by_name(resubmitted)["quantity"].value == ""
    assert by_name(resubmitted)["amount"].value == "1,5 triệu"
    as_dict = forms.describe(*LEAD, values={"csrf_token": "t", "outcome": "reached"})
    assert by_name(as_dict)["quantity"].value == "" and by_name(as_dict)["outcome"].value == "reached"


@pytest.mark.parametrize(("timezone", "shown"), [("Asia/Ho_Chi_Minh", "2026-11-22T15:30"),
                                                 ("Europe/Moscow", "2026-11-22T11:30")])
def test_stored_datetimes_are_shown_in_the_users_zone_for_a_datetime_local_input(timezone, shown):
    view = forms.describe(*LEAD, values={"callback_at": "2026-11-22T15:30:00+07:00"}, timezone=timezone)
    assert by_name(view)["callback_at"].value == shown


def test_what_the_user_typed_is_shown_again_as_typed():
    view = forms.describe(*LEAD, values=MultiDict({"callback_at": "2026-11-22T09:05", "outcome": "nope"}))
    assert by_name(view)["callback_at"].value == "2026-11-22T09:05"
    assert by_name(view)["outcome"].value == "nope"


@pytest.mark.parametrize(("locale", "shown"), [("vi", "1.500.000"), ("en", "1,500,000"),
                                               ("ru", "1\u00a0500\u00a0000")])
def test_money_is_formatted_for_the_locale_and_reads_back_the_same(locale, shown):
    view = forms.describe(*LEAD, values={"amount": 1500000}, locale=locale)
    assert by_name(view)["amount"].value == shown
    data = forms.validate(*LEAD, formdata={"outcome": "no_need", "amount": shown}, locale=locale)
    assert data["amount"] == 1500000


def test_errors_sit_beside_their_fields_and_others_on_the_form():
    view = forms.describe(*LEAD, errors={"callback_at": "Required.", "ghost": "Not here.", "_form": "Whole."})
    assert by_name(view)["callback_at"].error == "Required." and by_name(view)["outcome"].error is None
    assert view.error == "ghost: Not here. Whole."


def test_every_field_kind_gets_its_widget_and_attributes(form_files):
    form_files("kinds-uischema", KINDS_UI)
    view = forms.describe(form_files("kinds", KINDS), "kinds-uischema",
                          values={"tags": ["a"], "level": 2, "agree": True})
    fields = by_name(view)
    assert [f.name for f in view.fields][:2] == ["name", "code"] and view.fields[-1].name == "notes"
    widgets = {name: f.widget for name, f in fields.items()}
    assert widgets == {
        "name": "text", "code": "text", "age": "number", "ratio": "number", "price_vnd": "money",
        "price_rub": "money", "birthday": "date", "meeting_at": "datetime", "color": "select",
        "level": "radio",
        "tags": "checkboxes", "agree": "checkbox", "phone": "phone", "mobile": "phone", "email": "email",
        "secret": "password", "notes": "textarea", "contract": "file", "photo": "file"}
    assert fields["color"].options == [("red", "Red"), ("green", "Green")]
    assert fields["level"].options == [("1", "Low"), ("2", "High")] and fields["level"].value == "2"
    assert fields["tags"].value == ["a"] and fields["agree"].value is True
    assert fields["code"].attrs["pattern"] == ".*(?:^[A-Z]{3}$).*"
    assert fields["price_rub"].attrs["currency"] == "RUB"
    assert fields["notes"].attrs == {"placeholder": "Anything else?", "rows": 5, "maxlength": 10}
    assert fields["photo"].attrs["accept"] == ".png"
    assert fields["contract"].attrs["accept"] == ".pdf,.png,.jpg,.jpeg,.webp,.docx,.xlsx,.txt,.csv"


def test_a_resubmitted_multi_select_keeps_every_checked_box(form_files):
    form_files("kinds-uischema", KINDS_UI)
    key = form_files("kinds", KINDS)
    view = forms.describe(key, "kinds-uischema", values=MultiDict([("tags", "a"), ("tags", "c")]))
    assert by_name(view)["tags"].value == ["a", "c"]
    as_dict = forms.describe(key, "kinds-uischema", values={"csrf_token": "t", "tags": "b",
                                                             "birthday": "2000-01-31T10:00:00+07:00"})
    assert by_name(as_dict)["tags"].value == ["b"] and by_name(as_dict)["birthday"].value == "2000-01-31"
