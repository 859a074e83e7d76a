"""Numbers a form did not bound are still bounded by what the database stores (issue 11:
an unbounded quantity or disbursed amount reached a column and failed with a 500)."""
import pytest
from werkzeug.datastructures import MultiDict

import forms
from engine.errors import ValidationError

pytestmark = pytest.mark.usefixtures("babel")
UNBOUNDED = {"type": "object", "properties": {"quantity": {"type": "integer", "minimum": 1},
                                              "amount": {"type": "number"}}}


def refused(key, **formdata):
    with pytest.raises(ValidationError) as caught:
        forms.validate(key, formdata=MultiDict(formdata), locale="en", timezone="UTC", region="VN")
    return caught.value.fields


def test_an_unbounded_integer_stays_within_the_databases_integer_and_a_number_within_ten_to_the_fifteenth(
        form_files):
    key = form_files("unbounded", UNBOUNDED)
    assert forms.validate(key, formdata=MultiDict({"quantity": "2147483647", "amount": "1e15"}), locale="en",
                          timezone="UTC", region="VN") == {"quantity": 2147483647, "amount": 10**15}
    assert refused(key, quantity="2147483648") == {"quantity": "Must be at most 2,147,483,647."}
    assert refused(key, amount="1e20") == {"amount": "Must be at most 1,000,000,000,000,000."}
    assert refused(key, amount="-1e16") == {"amount": "Must be at least -1,000,000,000,000,000."}
    with pytest.raises(ValidationError) as caught:  # from the API: a JSON number
        forms.validate(key, json={"quantity": 10**30}, locale="en", timezone="UTC", region="VN")
    assert set(caught.value.fields) == {"quantity"}
