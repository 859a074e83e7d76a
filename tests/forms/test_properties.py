"""Whatever arrives, validate() of every form in forms/definitions either returns data the
form's JSON Schema accepts, or raises ValidationError; nothing else.

Each field gets values of its kind (so that many submissions pass and reach the clean
data), mixed with garbage, lists where one value belongs, missing fields and extra keys.
"""
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone

import jsonschema
import pytest
from hypothesis import currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

import forms
from engine.errors import ValidationError
from forms.fields import build, option_value

GARBAGE_TEXT = st.text(max_size=20) | st.sampled_from([
    "", " ", "NaN", "1e400", "-0", "2026-02-30", "9999-12-31T23:59Z", "on", "[]", "{", "x" * 2001, "٣"])
GARBAGE_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8)
EMAILS = ["lan@example.vn", "ivan.petrov@example.ru", "a@b", "not an address"]
PHONES = ["0912 345 678", "+84 28 3822 1234", "8 912 345-67-89", "+7 912 345 67 89", "0123", "+1 999"]
AMOUNTS = ["1.500.000", "1500000", "1,500,000", "1 500 000,50", "0", "-5", "1.500.000,5", "12,5"]
MOMENTS = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1))
OFFSETS = st.sampled_from([UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-3, minutes=-30))])
EXTRA = st.dictionaries(st.sampled_from(["csrf_token", "_action"]) | st.text(min_size=1, max_size=8),
                        GARBAGE_TEXT, max_size=1)
LOCALES = st.sampled_from(["vi", "en", "ru"])
ZONES = st.sampled_from(["Asia/Ho_Chi_Minh", "Europe/Moscow", "UTC"])


def ui_key(key):
    return f"{key}-uischema" if forms.exists(f"{key}-uischema") else None


def mostly(good, bad):
    """``good`` nine times in ten, so that many submissions pass and reach the clean data."""
    return st.integers(0, 9).flatmap(lambda n: good if n else bad)


def form_value(field):
    """What a browser could send for ``field``: right for its kind, or not."""
    options = [option_value(c) for c, _label in field.options]
    good = {
        "choice": st.sampled_from(options or [""]),
        "multichoice": st.lists(st.sampled_from(options or [""]), max_size=4),
        "boolean": st.sampled_from(["on", "true", "false"]),
        "integer": st.integers(-10, 10**6).map(str),
        "number": st.integers(-10, 10**6).map(str) | st.floats(-1e6, 1e6).map(repr),
        "money": st.sampled_from(AMOUNTS) | st.integers(0, 10**9).map(str),
        "date": st.dates(date(1900, 1, 1)).map(date.isoformat),
        "datetime": MOMENTS.map(lambda m: m.isoformat(timespec="minutes")),
        "phone": st.sampled_from(PHONES),
        "email": st.sampled_from(EMAILS),
    }.get(field.type, st.text(max_size=40))
    return mostly(good, GARBAGE_TEXT | st.lists(GARBAGE_TEXT, max_size=2))


def json_value(field):
    """What an API client could send for ``field``: right for its kind, or not."""
    consts = [c for c, _label in field.options] or [None]
    good = {
        "choice": st.sampled_from(consts),
        "multichoice": st.lists(st.sampled_from(consts), max_size=4),
        "boolean": st.booleans(),
        "integer": st.integers(-10, 10**6),
        "number": st.integers(-10, 10**6) | st.floats(allow_nan=False, allow_infinity=False),
        "money": st.integers(0, 10**9) | st.floats(0, 1e9),
        "date": st.dates().map(date.isoformat),
        "datetime": st.builds(lambda m, tz: m.replace(tzinfo=tz).isoformat(), MOMENTS, OFFSETS),
        "phone": st.sampled_from(PHONES),
        "email": st.sampled_from(EMAILS),
    }.get(field.type, st.text(max_size=40))
    return mostly(good, GARBAGE_JSON)


def submissions(key, value_of):
    form = build(key, ui_key(key))
    leaves = [f for f in form.walk() if f.type != "object"]
    fields = st.fixed_dictionaries({f.name: value_of(f) for f in leaves if f.required},
                                   optional={f.name: value_of(f) for f in leaves if not f.required})
    return st.builds(lambda data, extra: {**data, **extra}, fields, mostly(st.just({}), EXTRA))


def check(app, key, outcomes, **kwargs):
    """Validate one submission; count it in ``outcomes`` as accepted or refused."""
    schema = forms.load(key)
    with app.test_request_context():
        try:
            data = forms.validate(key, ui_key(key), **kwargs)
        except ValidationError as error:
            assert error.fields
            assert all(isinstance(k, str) and isinstance(m, str) for k, m in error.fields.items())
            outcomes["refused"] += 1
            if currently_in_test_context():
                event("refused")
            return
    outcomes["accepted"] += 1
    if currently_in_test_context():
        event("accepted")
    json.dumps(data, allow_nan=False)  # storable by SpiffWorkflow: no Decimal, no NaN
    cls = jsonschema.validators.validator_for(schema)
    assert list(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(data)) == [], data


# A submission each form must accept, as an API client sends it (a form post sends the
# same values as text, FORM_POST the ones written differently there).
ACCEPTED = {
    "contact-call": {"contact_status": "interested", "next_call_at": "2026-12-08T09:30:00+07:00",
                     "notes": "Gọi lại sáng mai"},
    "lead-call-outcome": {"outcome": "reached", "closed_now": False},
    "lead-details": {"name": "Trần Thị Mai", "phone": "0912 345 678", "email": "lan@example.vn",
                     "interests": ["product", "consultation"]},
    "prospect-convert": {"decision": "convert", "name": "Trần Thị Mai", "product": "Gói A",
                         "deposit": 1500000},
    "prospect-stage": {"note": "Đã gửi báo giá"},
    "referral-accept": {"decision": "hand_back", "reason": "Khách ở xa"},
    "referral-result": {"result": "disbursed", "amount": 20000000, "term_months": 12,
                        "disbursed_amount": 20000000},
}
FORM_POST = {"contact-call": {"next_call_at": "2026-12-08T09:30"},
             "lead-call-outcome": {"closed_now": "false"}}


def as_form_post(key):
    values = {**ACCEPTED[key], **FORM_POST.get(key, {})}
    return MultiDict({k: v if isinstance(v, (str, list)) else str(v) for k, v in values.items()})


def test_every_form_has_a_submission_it_must_accept():
    assert set(ACCEPTED) == set(forms.keys())


def run_submissions(app, key, value_of, request, accepted):
    """Validate ``accepted`` (which must pass) and then 150 submissions of form ``key``
    (``value_of`` its fields' values, ``request`` their shape: form post or JSON body)
    in random locales and zones.

    Both sides must have been checked: submissions refused, and submissions accepted
    whose clean data met the schema. Most random submissions of a form with many fields
    are refused (a run of 150 had none accepted once in about 40), so the accepted side
    rests on the known submission.
    """
    outcomes = Counter()
    check(app, key, outcomes, **accepted, locale="vi", timezone="Asia/Ho_Chi_Minh")
    assert outcomes["accepted"] == 1, f"{key}: {accepted} was refused"

    @settings(max_examples=150, deadline=None, database=None)
    @given(submission=submissions(key, value_of), locale=LOCALES, zone=ZONES)
    def run(submission, locale, zone):
        check(app, key, outcomes, locale=locale, timezone=zone, **request(submission))

    run()
    assert outcomes["refused"] > 0, dict(outcomes)


@pytest.mark.parametrize("key", forms.keys())
def test_any_form_post_gives_schema_valid_data_or_a_validation_error(babel_app, key):
    run_submissions(babel_app, key, form_value, lambda submission: {"formdata": MultiDict(submission)},
                    {"formdata": as_form_post(key)})


@pytest.mark.parametrize("key", forms.keys())
def test_any_json_body_gives_schema_valid_data_or_a_validation_error(babel_app, key):
    run_submissions(babel_app, key, json_value, lambda submission: {"json": submission},
                    {"json": ACCEPTED[key]})
