"""The titles of the deal's notifications by kind; the bell and the API show them in the
reader's language (declared with the domain)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

TITLES = {
    "deal_precheck_refused": _l("Pre-check refused: %(company)s"),
    "deal_posted": _l("New deal to analyse: %(company)s"),
    "deal_documents_requested": _l("More documents asked for %(company)s"),
    "deal_range": _l("The range for %(company)s is ready"),
    "deal_agreement_reminder": _l("Reminder: record the client's answer to the range for %(company)s"),
    "deal_agreement_escalated": _l("No answer to the range for %(company)s in three business days"),
    "deal_closed": _l("Deal closed: %(company)s"),
    "deal_completed": _l("Deal completed: %(company)s"),
    "deal_commission_earned": _l("Commission earned on %(company)s"),
    "deal_commission_paid": _l("Commission paid on %(company)s"),
}


def notification_text(note):
    """``(title, body)`` of a deal notification: the titled company, and the note the team wrote."""
    params = note.params or {}
    title = TITLES.get(note.kind)
    company = params.get("company") or _("Deal")
    return (str(title) % {"company": company} if title is not None else company), params.get("note") or ""


NOTIFICATIONS = dict.fromkeys(TITLES, notification_text)
