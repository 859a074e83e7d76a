"""The place of a domain (engine/places.py): settings, per-domain overrides, checks."""
import json

import pytest

from engine.errors import ConfigError
from engine.places import place
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
