"""The loan broker's deal domain over the web (processes/broker/): ``/api/v1/deals``
(:mod:`.api` and :mod:`.commissions_api`, registered on the API blueprint when imported),
the partner's deals in the portal (:mod:`.portal`), the team's queue and deal page
(:mod:`.staff`), the checklist and question editors (:mod:`.editors`), the ЭДО page
(:mod:`.edo`), the document templates (:mod:`.paperwork`) and the commission policies and
payouts (:mod:`.commissions`); what the pages show of a deal is :mod:`.views`.
Templates: ``templates/{broker_portal,broker_staff}/``."""
from flask import Blueprint

from . import (  # noqa: F401 - the API modules register their operations
    api,
    commissions,
    commissions_api,
    editors,
    edo,
    paperwork,
    portal,
    sections,
    staff,
)

TEMPLATES = Blueprint("broker_templates", __name__, template_folder="templates")
TEMPLATES.add_app_template_global(sections.sections, "broker_sections")
BLUEPRINTS = (portal.bp, staff.bp, editors.bp, edo.bp, *paperwork.BLUEPRINTS, commissions.bp, TEMPLATES)
