"""Helpers every procedure may call from its scripts and conditions."""
from datetime import datetime, timedelta, timezone

from engine import calendars, outbox


def notify(recipient, subject, body="", link=None):
    """Ring the in-app bell of user ``recipient`` after the step commits."""
    outbox.add("in_app", recipient, subject=subject, body=body, link=link)
    return True


def remind_call(recipient, name, phone, link=None):
    """Ring ``recipient``'s bell: time to call ``name`` back; shown in the reader's language."""
    outbox.add("in_app", recipient, subject=f"{name} {phone}".strip(), link=link, kind="callback_due",
               params={"name": name, "phone": phone})
    return True


def send_email(to, subject, body=""):
    """Send an e-mail after the step commits (SMTP, or the dev mailbox)."""
    outbox.add("email", to, subject=subject, body=body)
    return True


def send_sms(to, body):
    """Send an SMS after the step commits (through the configured gateway)."""
    outbox.add("sms", to, body=body)
    return True


def now_iso():
    """The current UTC time as ISO-8601, for timer expressions and records."""
    return datetime.now(timezone.utc).isoformat()


def in_hours(hours, start=None):
    """ISO-8601 time ``hours`` after ``start`` (ISO string) or now: for timer date expressions."""
    base = datetime.fromisoformat(start) if start else datetime.now(timezone.utc)
    return (base + timedelta(hours=float(hours))).isoformat()


def business_time(days=0, hours=0, calendar=None, start=None):
    """ISO-8601 time ``days`` business days and ``hours`` working hours after ``start`` (ISO
    string) or now, in ``calendar`` (a name of ``TASKLANE_CALENDARS``; the default one when
    ``None``): for timer date expressions such as ``business_time(days=2)`` (docs/calendars.md)."""
    return calendars.iso_after(days=days, hours=hours, calendar=calendar, start=start)


HELPERS = {
    "notify": notify,
    "remind_call": remind_call,
    "send_email": send_email,
    "send_sms": send_sms,
    "now_iso": now_iso,
    "in_hours": in_hours,
    "business_time": business_time,
}
