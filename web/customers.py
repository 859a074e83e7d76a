"""What the pages of every domain that shows crm customers share: the labels of their stored
codes (status, source, classification, call outcome, field names), who may read them,
and the sales reps to pick an owner from. The lead and pipeline pages and the reports
use them; they live here because a domain's web package never imports another's.
"""
from flask_babel import gettext as _

from accounts.models import User
from crm.records import active_sales
from engine.db import db

from . import access

READERS = access.CUSTOMER_READERS


def labels():
    """Translated labels of the stored codes, for the templates."""
    return {
        "status": {"new": _("New"), "in_consultation": _("In consultation"), "contact": _("Contact"),
                   "ordered": _("Ordered"), "closed_no_need": _("Closed: no need"),
                   "closed_wrong_number": _("Closed: wrong number")},
        "source": {"website": _("Website"), "facebook": _("Facebook"), "zalo": _("Zalo"),
                   "referral": _("Referral"), "event": _("Event"), "import": _("Import"),
                   "manual": _("Manual entry"), "api": _("API"), "other": _("Other")},
        "classification": {"urgent": _("Urgent"), "potential": _("Potential"),
                           "not_potential": _("Not potential")},
        "outcome": {"reached": _("Reached"), "not_reached": _("Not reached"), "no_need": _("No need"),
                    "wrong_number": _("Wrong number"), "interested": _("Interested"),
                    "thinking": _("Thinking it over"), "consulting_family": _("Asking the family"),
                    "price_objection": _("Too expensive"), "busy": _("Busy"), "no_answer": _("No answer"),
                    "bought": _("Bought"), "bought_elsewhere": _("Bought elsewhere"),
                    "not_interested": _("Not interested"), "other": _("Other")},
        "field": {"name": _("Name"), "phone": _("Phone"), "email": _("Email"), "source": _("Source"),
                  "owner": _("Owner"), "classification": _("Classification"), "gender": _("Gender"),
                  "birthday": _("Birthday"), "row": _("Row")},
    }


def sales_users():
    """``[(username, full name)]`` of the active sales users."""
    names = active_sales()
    rows = db.session.query(User.username, User.full_name).filter(User.username.in_(names)) if names else []
    full = dict(rows)
    return [(name, full.get(name) or name) for name in names]
