"""Every declared notification kind reads whole in every language (issue 13): with no
params, or empty ones, its renderer leaves the phrase out or says it without the value,
never "Due ." or "Disbursed: ". The test loops over processes.NOTIFICATIONS, so a kind a
domain declares later is covered without a line here."""
import re
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

import processes

LANGUAGES = ("vi", "en", "ru")
# What an empty value leaves behind: a blank before punctuation, a phrase ending in a colon,
# a number sign without a number, two blanks in a row, a blank at either end, a placeholder.
EMPTY = re.compile(r"\s[.,:;!?)]|:\s*$|#(?!\d)|\s{2}|^\s|\s$|%\(|\(\s*\)")
NO_VALUES = (None, {}, {"name": "", "phone": "", "by": "", "case": "", "due": "", "titles": {},
                        "referral": None})
FULL = {"name": "Nguyễn Văn An", "phone": "0912 345 678", "by": "manager", "case": 41,
        "company": "ООО «Ромашка»",
        "due": "2026-12-07T09:30:00+00:00", "titles": {"vi": "Gọi khách", "en": "Call", "ru": "Позвонить"}}


def note(kind, params, title=""):
    return SimpleNamespace(kind=kind, params=params, title=title, body="", link=None)


def render(app, kind, params, language, title=""):
    with app.test_request_context("/"), force_locale(language):
        return tuple(str(text) for text in processes.NOTIFICATIONS[kind](note(kind, params, title)))


def test_the_platforms_kinds_are_among_those_looped_over():
    assert {"task_assigned", "comment_added", "deadline_near", "callback_due",
            "referral_disbursed"} <= set(processes.NOTIFICATIONS)


@pytest.mark.parametrize("kind", sorted(processes.NOTIFICATIONS))
def test_a_kind_with_no_values_has_no_empty_field_and_is_translated(app, kind):
    for params in NO_VALUES:
        shown = {language: render(app, kind, params, language) for language in LANGUAGES}
        for language, (title, body) in shown.items():
            assert title.strip(), (kind, params, language)
            for text in (title, body):
                assert not EMPTY.search(text), (kind, params, language, text)
        # the texts that need no value are translated, not English on a vi or ru page
        assert shown["vi"][0] != shown["en"][0] and shown["ru"][0] != shown["en"][0], (kind, shown)


@pytest.mark.parametrize("kind", sorted(processes.NOTIFICATIONS))
def test_a_kind_with_its_values_shows_them(app, kind):
    for language in LANGUAGES:
        title, body = render(app, kind, FULL, language, title="Gọi khách")
        shown = f"{title} {body}"
        assert not EMPTY.search(title) and not EMPTY.search(body), (kind, language, shown)
        assert any(value in shown for value in ("Nguyễn Văn An", "manager", "41", "Gọi khách", "Call",
                                                "Позвонить", "ООО «Ромашка»")), (kind, language, shown)


def test_a_deadline_shows_its_due_time_in_the_readers_language(app):
    en = render(app, "deadline_near", FULL, "en")[1]
    assert en.startswith("Due ") and "4:30" in en and en.endswith(".")   # 09:30 UTC in Ho Chi Minh City
    assert render(app, "deadline_near", {}, "en")[1] == "Its due time is near."
