"""The admin-set values of the loan referral procedure (docs/referrals.md): how long a
consultant has to accept, when the referrer is reminded of a cross-sell request and when
it expires, and the load above which a consultant gets no new referrals."""
from datetime import datetime, timezone

from flask_babel import gettext as _

from engine import audit
from engine.db import db
from engine.durations import after
from engine.errors import ValidationError
from forms import messages

from .models import SETTING_DEFAULTS, Setting

DURATIONS = ("accept_within", "consent_remind_after", "consent_expires_after")
MAX_LOAD_LIMIT = 1000


def get(key):
    """The value of ``key`` (a string), the default when no admin set it."""
    row = db.session.get(Setting, key)
    return row.value if row is not None else SETTING_DEFAULTS[key]


def current():
    """Every setting: ``{key: value}``."""
    return {key: get(key) for key in SETTING_DEFAULTS}


def max_load():
    return int(get("max_load"))


def clean(values):
    """``values`` checked: durations ISO 8601 and longer than zero, the remind time
    shorter than the expiry, the load a whole number from 1; every problem at once.

    :raises ValidationError: with ``fields``
    """
    errors, clean_values = {}, {}
    probe = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for key in DURATIONS:
        raw = str(values.get(key, get(key)) or "").strip().upper()
        try:
            if after(probe, raw) <= probe:
                raise ValueError(raw)
            clean_values[key] = raw
        except ValueError:
            errors[key] = _("Enter an ISO 8601 duration longer than zero, "
                            "such as PT2H (2 hours) or P3D (3 days).")
    if not errors and after(probe, clean_values["consent_remind_after"]) >= after(
            probe, clean_values["consent_expires_after"]):
        errors["consent_remind_after"] = _("The reminder must come before the request expires.")
    raw_load = str(values.get("max_load", get("max_load")) or "").strip()
    if not raw_load.isdigit() or not 1 <= int(raw_load) <= MAX_LOAD_LIMIT:
        errors["max_load"] = _("Enter a whole number from 1 to %(limit)d.", limit=MAX_LOAD_LIMIT)
    else:
        clean_values["max_load"] = str(int(raw_load))
    if errors:
        raise ValidationError(messages.form_invalid(), fields=errors)
    return clean_values


def save(values, *, actor):
    """Store the changed settings (audited as ``referral_settings_changed``); returns them all.

    :raises ValidationError: nothing is stored
    """
    cleaned = clean(values)
    before = current()
    changed = {key: value for key, value in cleaned.items() if before[key] != value}
    for key, value in changed.items():
        row = db.session.get(Setting, key) or Setting(key=key)
        row.value, row.updated_by, row.updated_at = value, actor, datetime.now(timezone.utc)
        db.session.add(row)
    if changed:
        audit.append("referral:settings", "referral_settings_changed", actor=actor,
                     data_before={k: before[k] for k in changed}, data_after=changed)
    db.session.commit()
    return current()
