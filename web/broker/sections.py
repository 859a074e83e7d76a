"""The broker team's sections (deals, products, templates, ЭДО, commissions) as one bar on
each of their pages, each shown to whom its route's rule allows (web/access/routes.py):
admins reach the bar from the admin tabs, the team from the header's "Deals"."""
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from web import access
from web.access.routes import ROUTES, allowed

SECTIONS = (
    ("deals", "broker.deal_queue", "bi-briefcase", _l("Deals")),
    ("products", "broker_products.product_index", "bi-card-checklist", _l("Credit products")),
    ("paperwork", "broker_paperwork.template_index", "bi-file-earmark-text", _l("Document templates")),
    ("edo", "broker_edo.document_index", "bi-send-check", _l("EDO")),
    ("commissions", "broker_commissions.commission_index", "bi-percent", _l("Partners' commissions")),
)


def opened(endpoint):
    """The URL of ``endpoint`` when the signed-in person may open it, else ``None``."""
    roles = access.roles(current_user)
    if endpoint not in ROUTES or not allowed(ROUTES[endpoint], roles, True):
        return None
    return url_for(endpoint)


def sections():
    """``[(key, url, icon, label)]`` of the sections the signed-in person may open."""
    return [(key, url, icon, label) for key, endpoint, icon, label in SECTIONS
            if (url := opened(endpoint)) is not None]
