"""The loan broker's deal domain over the web (processes/broker/): ``/api/v1/deals``
(:mod:`.api`, registered on the API blueprint when imported)."""
from . import api, commissions, commissions_api  # noqa: F401 - the API modules register their operations

BLUEPRINTS = (commissions.bp,)
