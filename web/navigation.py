"""The header's links and each user's landing page, from the routes' access rules.

A link shows when the user may open its page (``web.access.routes``: the same rule that
answers the request, so a link never leads to a 403) and the page is meant for the side
the user is on: staff pages are not offered to referrers and customers, whose side has
pages of its own. The landing page is the first link of the user's side, except that
someone who never holds tasks (an auditor) lands on the dashboard.
"""
from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from . import access
from .access.routes import ROUTES, allowed

STAFF, PARTNER, CUSTOMER = "staff", "partner", "customer"


@dataclass(frozen=True)
class Link:
    endpoint: str
    icon: str
    label: object
    active: tuple           # endpoint prefixes the link is active for
    side: str = STAFF
    audience: frozenset = None   # roles it is meant for, when more may open it (a public page)
    tool: bool = False           # an icon among the header's tools (bell, users), not a text link


LINKS = (
    Link("portal.portal_home", "bi-person-plus", _l("Referrals"), ("portal.",), side=PARTNER),
    Link("broker_portal.deal_index", "bi-briefcase", _l("My deals"), ("broker_portal.",), side=PARTNER),
    Link("account.account_home", "bi-house-door", _l("My page"), ("account.",), side=CUSTOMER),
    Link("inbox.inbox_index", "bi-inbox", _l("Inbox"), ("inbox.inbox_index",)),
    Link("cases.case_index", "bi-folder2-open", _l("Cases"), ("cases.",)),
    Link("referrals.referral_index", "bi-cash-coin", lazy_pgettext("nav", "Referrals"), ("referrals.",)),
    Link("broker.deal_queue", "bi-briefcase", lazy_pgettext("nav", "Deals"),
         ("broker.", "broker_products.", "broker_paperwork.", "broker_edo.", "broker_commissions."),
         audience=frozenset({"broker_analyst", "broker_lead"})),
    Link("leads.lead_index", "bi-person-lines-fill", _l("Leads"), ("leads.",)),
    Link("pipeline.pipeline_board", "bi-kanban", _l("Pipeline"), ("pipeline.", "stages.")),
    Link("processes.process_index", "bi-diagram-3", _l("Processes"), ("processes.",)),
    Link("dashboard.dashboard_index", "bi-speedometer2", lazy_pgettext("nav", "Dashboard"), ("dashboard.",)),
    Link("reports.report_index", "bi-bar-chart-line", _l("Reports"), ("reports.",)),
    Link("lending_admin.company_index", "bi-bank", _l("Lending"), ("lending_",)),
    Link("health.health_page", "bi-activity", lazy_pgettext("nav", "Status"), ("health.health_page",),
         audience=frozenset({"admin", "process_owner"}), tool=True),
)


def sides(user):
    """The sides ``user`` is on: staff (any role but referrer and customer), partner, customer."""
    roles = access.roles(user)
    found = {side for side in (PARTNER, CUSTOMER) if side in roles}
    if roles - access.EXTERNAL:
        found.add(STAFF)
    return found


def links(user, tools=False):
    """The header's text links ``user`` gets, in order (``tools``: its icons instead)."""
    roles, on = access.roles(user), sides(user)
    return [link for link in LINKS if link.side in on and allowed(ROUTES[link.endpoint], roles, True)
            and (link.audience is None or roles & link.audience) and link.tool == tools]


def is_active(link, endpoint):
    return bool(endpoint) and any(endpoint.startswith(prefix) for prefix in link.active)


def landing(user):
    """The URL ``user`` lands on after signing in (and at ``/``)."""
    shown = links(user) + links(user, tools=True)
    if STAFF in sides(user) and not (access.is_staff(user) or access.is_manager(user)):
        preferred = [link for link in shown if link.endpoint == "dashboard.dashboard_index"]
        shown = preferred or shown
    return url_for(shown[0].endpoint if shown else "profile.profile_show")


def init_app(app):
    app.jinja_env.globals.update(nav_links=links, nav_active=is_active, landing_url=landing)
