"""The place of a domain (engine/places.py): settings, per-domain overrides, checks."""
import json
from decimal import Decimal

import pytest

from engine.errors import ConfigError
from engine.places import format_money, place, region_of_language, regions, zones
from tasklane import config
from tasklane.app import create_app


def _app(**settings):
    return create_app({"TASKLANE_ENV": "testing", "TASKLANE_DATABASE_URL": "sqlite://", **settings})


def test_default_place_comes_from_settings():
    with _app().app_context():
        assert place() == place("leads")
        assert (place().zone, place().region, place().language, place().currency) == \
            ("Asia/Ho_Chi_Minh", "VN", "vi", "VND")
        assert str(place().tz) == "Asia/Ho_Chi_Minh"


def test_the_brokerage_does_business_in_moscow_in_roubles():
    with _app().app_context():
        brokerage = place("brokerage")
    assert (brokerage.zone, brokerage.region, brokerage.language, brokerage.currency) == \
        ("Europe/Moscow", "RU", "ru", "RUB")


def test_a_domain_entry_overrides_only_what_it_names():
    places = json.dumps({"investments": {"currency": "usd"}})
    with _app(TASKLANE_PLACES=places, TASKLANE_ZONE="Asia/Bangkok").app_context():
        assert place("investments").currency == "USD"
        assert place("investments").zone == "Asia/Bangkok"
        assert place("brokerage").zone == "Asia/Bangkok"   # the setting replaced the shipped entries


def test_the_business_calendar_follows_the_region_unless_set():
    assert config.load(environ={}, overrides={"TASKLANE_REGION": "ru"})["TASKLANE_BUSINESS_CALENDAR"] == "RU"
    assert config.load(environ={}, overrides={"TASKLANE_REGION": "RU", "TASKLANE_BUSINESS_CALENDAR": "vn"}
                       )["TASKLANE_BUSINESS_CALENDAR"] == "VN"


@pytest.mark.parametrize(("settings", "message"), [
    ({"TASKLANE_ZONE": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
    ({"TASKLANE_REGION": "XX"}, "unknown region 'XX'"),
    ({"TASKLANE_CURRENCY": "ABC"}, "unknown currency 'ABC'"),
    ({"TASKLANE_LANGUAGE": "de"}, "language must be vi, en or ru"),
    ({"TASKLANE_PLACES": "{not json"}, "TASKLANE_PLACES is not JSON"),
    ({"TASKLANE_PLACES": "[1]"}, "TASKLANE_PLACES must be"),
    ({"TASKLANE_PLACES": '{"brokerage": {"city": "Moscow"}}'}, "unknown city"),
    ({"TASKLANE_PLACES": '{"brokerage": {"zone": "Europe/Nowhere"}}'},
     "TASKLANE_PLACES['brokerage']: unknown time zone"),
])
def test_a_wrong_place_stops_the_start_with_its_name(settings, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        config.load(environ={}, overrides=settings)


NBSP = "\xa0"


@pytest.mark.parametrize(("locale", "amount", "currency", "text"), [
    ("vi", 30_000_000, "VND", f"30.000.000{NBSP}₫"),
    ("en", 30_000_000, "VND", "₫30,000,000"),
    ("ru", 30_000_000, "VND", f"30{NBSP}000{NBSP}000{NBSP}₫"),
    ("ru", "1234.5", "RUB", f"1{NBSP}234,50{NBSP}₽"),
    ("en", Decimal("750000.00"), "VND", "₫750,000"),     # the dong has no minor unit: no decimals
    ("vi", "1234.5", "USD", f"1.234,50{NBSP}US$"),
])
def test_money_is_written_as_the_readers_language_writes_its_currency(locale, amount, currency, text):
    assert format_money(amount, currency, locale) == text


@pytest.mark.parametrize(("amount", "text"), [(None, ""), ("", ""), ("a lot", "a lot")])
def test_no_amount_is_empty_and_text_that_is_no_number_is_shown_as_it_is(amount, text):
    assert format_money(amount, "VND", "vi") == text


def test_the_regions_and_zones_of_the_configured_places_default_first():
    places = json.dumps({"brokerage": {"zone": "Europe/Moscow", "region": "RU", "language": "ru"},
                         "investments": {"currency": "USD"}})
    with _app(TASKLANE_PLACES=places).app_context():
        assert regions() == ("VN", "RU")
        assert zones() == ("Asia/Ho_Chi_Minh", "Europe/Moscow")
        assert region_of_language("ru") == "RU"      # a Russian reader's numbers are Russian
        assert region_of_language("en") == "VN"      # no place speaks English: the default place's
        assert region_of_language("vi") == "VN"


def test_a_calendar_is_named_by_settings_with_its_country_zone_and_hours():
    calendars = json.dumps({"th": {"zone": "Asia/Bangkok", "hours": ["08:30", "17:30"]}})
    loaded = config.load(environ={}, overrides={"TASKLANE_CALENDARS": calendars,
                                                "TASKLANE_BUSINESS_CALENDAR": "th"})
    assert loaded["TASKLANE_CALENDARS"] == {"TH": {"country": "TH", "zone": "Asia/Bangkok",
                                                   "hours": ["08:30", "17:30"]}}
    assert loaded["TASKLANE_BUSINESS_CALENDAR"] == "TH"


@pytest.mark.parametrize(("calendars", "message"), [
    ('{"VN": {"zone": "Mars/Olympus", "hours": ["08:00", "17:00"]}}', "needs a known zone"),
    ('{"VN": {"zone": "Asia/Ho_Chi_Minh", "hours": ["8", "late"]}}', "needs a known zone and hours"),
    ('{"VN": {"zone": "Asia/Ho_Chi_Minh", "hours": ["17:00", "08:00"]}}', "ends before it starts"),
    ('{"XX": {"zone": "Asia/Ho_Chi_Minh", "hours": ["08:00", "17:00"]}}', "knows no country 'XX'"),
    ("[1]", "TASKLANE_CALENDARS must be JSON"),
])
def test_a_wrong_calendar_stops_the_start_with_its_name(calendars, message):
    with pytest.raises(ConfigError, match=message):
        config.load(environ={}, overrides={"TASKLANE_CALENDARS": calendars})


def test_the_default_calendar_must_be_a_configured_one():
    with pytest.raises(ConfigError, match="TASKLANE_BUSINESS_CALENDAR must be VN or RU"):
        config.load(environ={}, overrides={"TASKLANE_BUSINESS_CALENDAR": "TH"})
