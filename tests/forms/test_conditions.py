"""Rules across fields (if/then, allOf) of the lead-handling forms, reported on the missing field."""
import pytest

import forms
from engine.errors import ValidationError

pytestmark = pytest.mark.usefixtures("babel")

LEAD = ("lead-call-outcome", "lead-call-outcome-uischema")
CONTACT = ("contact-call", "contact-call-uischema")


def errors_of(form, **formdata):
    with pytest.raises(ValidationError) as caught:
        forms.validate(*form, formdata=formdata, locale="en")
    return caught.value.fields


def test_not_reached_without_a_callback_time_is_an_error_on_callback_at():
    assert errors_of(LEAD, outcome="not_reached") == {"callback_at": "This field is required."}


def test_not_reached_with_a_callback_time_gives_the_time_with_the_users_offset():
    data = forms.validate(*LEAD, formdata={"outcome": "not_reached", "callback_at": "2026-11-22T15:30"},
                          timezone="Asia/Ho_Chi_Minh")
    assert data["outcome"] == "not_reached" and data["callback_at"] == "2026-11-22T15:30:00+07:00"


def test_reached_and_bought_requires_product_quantity_and_amount():
    assert errors_of(LEAD, outcome="reached", closed_now="on") == {
        "product": "This field is required.", "quantity": "This field is required.",
        "amount": "This field is required."}


def test_reached_and_bought_gives_typed_values():
    formdata = {"outcome": "reached", "closed_now": "on", "product": "Liệu trình A", "quantity": "2",
                "amount": "3.000.000"}
    data = forms.validate(*LEAD, formdata=formdata, locale="vi")
    assert data == {"outcome": "reached", "closed_now": True, "product": "Liệu trình A", "quantity": 2,
                    "amount": 3000000}


def test_a_field_invalid_on_its_own_and_a_missing_conditional_field_are_reported_together():
    assert errors_of(LEAD, outcome="reached", closed_now="on", quantity="0", amount="nhiều", product="A") == {
        "quantity": "Must be at least 1.", "amount": "Enter an amount, for example 1,500,000."}
    assert errors_of(LEAD, outcome="maybe", notes="x" * 2001) == {
        "outcome": "Choose one of the listed options.", "notes": "Enter at most 2000 characters."}


@pytest.mark.parametrize("status", ["interested", "thinking", "consulting_family", "price_objection", "busy",
                                    "no_answer"])
def test_contact_statuses_that_call_again_require_the_next_call_time(status):
    assert errors_of(CONTACT, contact_status=status) == {"next_call_at": "This field is required."}


def test_contact_statuses_that_close_need_nothing_else():
    assert forms.validate(*CONTACT, formdata={"contact_status": "not_interested"}) == {
        "contact_status": "not_interested"}
