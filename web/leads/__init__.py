"""The leads domain's pages and API (processes/leads/): the lead list, entry and import
(:mod:`.pages`) and ``/api/v1/leads`` (:mod:`.api`, registered on the API blueprint when
imported). Its templates are ``templates/leads/``, found by their usual names."""
from flask import Blueprint

from . import api, pages  # noqa: F401 - api registers its operations

TEMPLATES = Blueprint("leads_templates", __name__, template_folder="templates")
BLUEPRINTS = (pages.bp, TEMPLATES)
