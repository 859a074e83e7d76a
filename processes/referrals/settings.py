"""The admin-set values of the loan referral procedure (docs/referrals.md): how long a
consultant has to accept, when the referrer is reminded of a cross-sell request and when
it expires, and the load above which a consultant gets no new referrals."""
from datetime import datetime, timezone

from flask_babel import gettext as _
from marshmallow import ValidationError as MarshmallowError
from marshmallow import post_load, validates_schema

from engine import audit
from engine.db import db
from engine.durations import after
from forms import inputs, messages

from .models import SETTING_DEFAULTS, Setting

DURATIONS = ("accept_within", "consent_remind_after", "consent_expires_after")
MAX_LOAD_LIMIT = 1000
PROBE = inputs.PROBE


def get(key):
    """The value of ``key`` (a string), the default when no admin set it."""
    row = db.session.get(Setting, key)
    return row.value if row is not None else SETTING_DEFAULTS[key]


def current():
    """Every setting: ``{key: value}``."""
    return {key: get(key) for key in SETTING_DEFAULTS}


def max_load():
    return int(get("max_load"))


def _load_message():
    return _("Enter a whole number from 1 to %(limit)d.", limit=MAX_LOAD_LIMIT)


class SettingsSchema(inputs.InputSchema):
    """The settings; each left out keeps its current value, each given blank is refused."""

    accept_within = inputs.Duration(required=True, missing_message=messages.duration)
    consent_remind_after = inputs.Duration(required=True, missing_message=messages.duration)
    consent_expires_after = inputs.Duration(required=True, missing_message=messages.duration)
    max_load = inputs.Whole(1, MAX_LOAD_LIMIT, required=True, message=_load_message,
                            missing_message=_load_message)

    @validates_schema(skip_on_field_errors=False)
    def _remind_first(self, data, **kwargs):
        remind, expire = data.get("consent_remind_after"), data.get("consent_expires_after")
        if remind and expire and after(PROBE, remind) >= after(PROBE, expire):
            message = _("The reminder must come before the request expires.")
            raise MarshmallowError(message, "consent_remind_after")

    @post_load
    def _as_stored(self, data, **kwargs):
        return {**data, "max_load": str(data["max_load"])}


def clean(values):
    """``values`` checked: durations ISO 8601 and longer than zero, the remind time
    shorter than the expiry, the load a whole number from 1; every problem at once.

    :raises ValidationError: with ``fields``
    """
    return inputs.check(SettingsSchema(), {**current(), **(values or {})})


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
