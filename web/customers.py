"""What the pages of every domain that shows crm customers share: the labels of their stored
codes (status, source, classification, call outcome, field names), who may read them,
and the sales reps to pick an owner from. The lead and pipeline pages and the reports
use them; they live here because a domain's web package never imports another's.
"""
from accounts.models import User
from crm import labels as crm_labels
from crm.records import active_sales
from engine.db import db

from . import access

READERS = access.CUSTOMER_READERS


def labels():
    """Translated labels of the stored codes (``crm.labels``), as texts: the templates, the
    charts' JSON and the workbook's cells read them."""
    tables = {"status": crm_labels.STATUS, "source": crm_labels.SOURCE,
              "classification": crm_labels.CLASSIFICATION, "outcome": crm_labels.OUTCOME,
              "field": crm_labels.FIELD}
    return {name: {code: str(text) for code, text in table.items()} for name, table in tables.items()}


def sales_users():
    """``[(username, full name)]`` of the active sales users."""
    names = active_sales()
    rows = db.session.query(User.username, User.full_name).filter(User.username.in_(names)) if names else []
    full = dict(rows)
    return [(name, full.get(name) or name) for name in names]
