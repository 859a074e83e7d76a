"""The loan broker's deal domain over the web (processes/broker/): ``/api/v1/deals``
(:mod:`.api`, registered on the API blueprint when imported), the ЭДО page (:mod:`.edo`)
and the document templates (:mod:`.paperwork`)."""
from . import (
    api,  # noqa: F401 - api registers its operations
    edo,
    paperwork,
)

BLUEPRINTS = (edo.bp, *paperwork.BLUEPRINTS)
