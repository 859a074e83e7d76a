"""The pipeline domain's pages and API (processes/pipeline/): the board, the list and a
prospect (:mod:`.pages`), the admin's stages (:mod:`.stages`) and ``/api/v1/pipeline``
(:mod:`.api`, registered on the API blueprint when imported). Templates: ``templates/pipeline/``."""
from flask import Blueprint

from . import api, pages, stages  # noqa: F401 - api registers its operations

TEMPLATES = Blueprint("pipeline_templates", __name__, template_folder="templates")
BLUEPRINTS = (pages.bp, stages.bp, TEMPLATES)
