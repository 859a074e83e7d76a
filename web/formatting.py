"""Jinja filters that show times and amounts the way the reader expects.

Times are stored in UTC and shown in the user's time zone (Flask-Babel's timezone
selector); money is formatted per locale with its currency (engine.places.format_money);
phone numbers are stored as E.164 and shown as the reader's country writes them (``phone``).
"""
from datetime import datetime, timezone

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location, get_timezone_name
from flask import g
from flask_babel import (
    format_date,
    format_datetime,
    format_number,
    format_time,
    format_timedelta,
    get_locale,
    pgettext,
)
from flask_babel import lazy_gettext as _l

from accounts.models import Role
from accounts.service import full_names
from engine import texts
from engine.db import db
from engine.inbox import COUNT_CAP
from engine.places import format_money, place
from engine.task_meta import candidate_role
from forms.phone import display

# The shipped roles (accounts.models.ROLES) as people call them; a role an admin made
# for a diagram's lane is shown by the name the admin gave it (role_name).
ROLE_NAMES = {
    "sales": _l("Sales"), "manager": _l("Manager"), "process_owner": _l("Process owner"),
    "auditor": _l("Auditor"), "admin": _l("Administrator"), "partner": _l("Referrer / partner"),
    "customer": _l("Customer"), "consultant": _l("Loan consultant"),
    "broker_analyst": _l("Broker analyst"), "broker_lead": _l("Broker team lead"),
}


def when(value, style="medium"):
    """A UTC datetime (or ISO string) in the reader's zone and language; '' for none.

    ``medium`` is the date then the time to the minute ("23 thg 11, 2026 09:30"):
    CLDR's own medium pattern has seconds, and puts the time first in Vietnamese.
    """
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if style == "medium":
        return f"{format_date(value, 'medium')} {format_time(value, 'short')}"
    return format_datetime(value, style)


def relative(value, now=None):
    """'in 2 hours' / '3 days ago', in the reader's language."""
    if not value:
        return ""
    now = now or datetime.now(timezone.utc)
    return format_timedelta(value - now, add_direction=True, threshold=1.1)


def money(amount, currency=None):
    """An amount in the reader's locale with its currency (the row's ``currency``; none
    given: the default place's). The rule is :func:`engine.places.format_money`."""
    return format_money(amount, currency or place().currency, get_locale() or "en")


def country(code):
    """A country's name (ISO 3166 code) in the reader's language, from CLDR."""
    return (get_locale() or Locale("en")).territories.get(code, code)


def phone(number):
    """A stored (E.164) number as the reader writes it: national for a number of the reader's
    place's country, international otherwise (:func:`forms.phone.display`). ``tel:`` links
    keep the E.164 number."""
    return display(number)


def zone_words(zone):
    """A time zone as the reader calls it, from CLDR: its country when the country has one
    zone ("giờ Việt Nam", "Vietnam time", "Вьетнам"), else the country and its city
    ("Россия (Москва)"); zones of no country by their name ("Coordinated Universal Time").
    A name CLDR does not know is shown as given.

    Babel's own location format is not used: its Russian pattern says "summer time".
    """
    locale = get_locale() or Locale("en")
    canonical = get_global("zone_aliases").get(zone, zone)
    territory = get_global("zone_territories").get(canonical)
    try:
        if territory in (None, "ZZ", "001"):
            name = get_timezone_name(canonical, "long", zone_variant="standard", locale=locale)
            return name[:1].lower() + name[1:] if locale.language == "vi" else name
        where = locale.territories.get(territory, territory)
        if len(get_global("territory_zones").get(territory, ())) > 1:
            city = get_timezone_location(canonical, locale=locale, return_city=True)
            where = locale.zone_formats["fallback"] % {"0": city, "1": where}
    except LookupError:
        return zone
    return pgettext("time zone", "%(place)s time", place=where)


def tally(count, cap=None):
    """A count in the reader's digits; ``"1,000+"`` when it reached the inbox's cap."""
    cap = cap or COUNT_CAP
    return f"{format_number(cap)}+" if count > cap else format_number(count)


def is_overdue(value, now=None):
    return bool(value) and value < (now or datetime.now(timezone.utc))


# Actors that are not people: the engine's own steps (timers, outbox starts) act as "system".
NON_PERSON_ACTORS = {"system": _l("the system")}


def actor(username):
    """Who did something, for the reader: a person by their full name (their username when
    they gave none, or the account is gone), the engine's own ``system`` in the reader's
    language. Names are read once per request."""
    if username in NON_PERSON_ACTORS:
        return str(NON_PERSON_ACTORS[username])
    if not username:
        return ""
    names = g.setdefault("tl_full_names", {})
    if username not in names:
        names.update(full_names({username}))
    return names[username]


def role_name(role):
    """A role's name in the reader's language: a built-in role's translated, an added role's as
    the admin typed it (its key when none was given, or for no role of that key)."""
    if role in ROLE_NAMES:
        return str(ROLE_NAMES[role])
    return (_added_roles(role).get(role) or role) if role else ""


def lane_name(lane, lane_roles=None):
    """A diagram's lane as people know it: the name of the role its tasks go to (the
    version's lane mapping, else the role its name stands for: engine/lanes.py); the lane's
    own name when that is no role."""
    if not lane:
        return ""
    role = candidate_role(lane, lane_roles)
    if role in ROLE_NAMES or role in _added_roles(role):
        return role_name(role)
    return lane


def _added_roles(role):
    """``{key: name typed by the admin}`` of every role, read once per request (again when
    ``role`` was not there: it may have been added since)."""
    titles = g.get("tl_role_titles")
    if titles is None or role not in titles:
        titles = g.tl_role_titles = {r.name: r.description for r in db.session.query(Role)}
    return titles


def role_title(role):
    """The name people know a role row by: a built-in role's in the reader's language, an added
    role's as the admin typed it (its key when none was given)."""
    return str(ROLE_NAMES[role.name]) if role.name in ROLE_NAMES else role.description or role.name


def process_name(definition):
    """A process's name in the reader's language (its titles, engine.texts), else its BPMN name."""
    if definition is None:
        return ""
    return texts.localized(definition.titles, get_locale(), definition.name)


def process_names(definitions):
    """``{key: name in the reader's language}`` of process definitions."""
    return {d.key: process_name(d) for d in definitions}


def init_app(app):
    app.jinja_env.filters.update(when=when, relative=relative, money=money, country=country, tally=tally,
                                 role_name=role_name, phone=phone, process_name=process_name,
                                 zone_words=zone_words, actor=actor)
    app.jinja_env.tests["overdue"] = is_overdue
