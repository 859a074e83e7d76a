"""The loan broker's deal domain over the web (processes/broker/): ``/api/v1/deals``
(:mod:`.api`, registered on the API blueprint when imported), the partner's deals in the
portal (:mod:`.portal`), the team's queue and deal page (:mod:`.staff`) and the checklist
and question editors (:mod:`.editors`); what they show of a deal is :mod:`.views`.
Templates: ``templates/{broker_portal,broker_staff}/``."""
from flask import Blueprint

from . import api, editors, portal, staff  # noqa: F401 - api registers its operations

TEMPLATES = Blueprint("broker_templates", __name__, template_folder="templates")
BLUEPRINTS = (portal.bp, staff.bp, editors.bp, TEMPLATES)
