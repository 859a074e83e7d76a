"""Languages and time zones: Vietnamese, English and Russian, chosen per user.

The choice comes from the signed-in user's profile, else from the session (the
language switcher), else from the browser's Accept-Language, else English.
"""
from flask import has_request_context, request, session
from flask_babel import Babel, format_number, get_locale, refresh
from flask_login import current_user

from engine.places import place

LANGUAGES = {"vi": "Tiếng Việt", "en": "English", "ru": "Русский"}
DEFAULT_LOCALE = "en"


def select_locale():
    if not has_request_context():   # a job or a script helper: nobody reads, the default language
        return DEFAULT_LOCALE
    if current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    if session.get("locale") in LANGUAGES:
        return session["locale"]
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LOCALE


def user_zone(user):
    """The zone ``user`` reads times in: their own, else the default place's (TASKLANE_ZONE)."""
    return getattr(user, "timezone", None) or place().zone


def select_timezone():
    return user_zone(current_user if current_user.is_authenticated else None)


def init_app(app):
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone,
          default_translation_directories="translations")
    # Flask-Babel caches the choice on the app context, which a request reuses when
    # one is already active (CLI commands, tests): choose afresh for every request.
    app.before_request(refresh)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale)
    app.jinja_env.filters["format_number"] = format_number
