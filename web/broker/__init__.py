"""The loan broker's deal domain over the web (processes/broker/): ``/api/v1/deals``
(:mod:`.api`, registered on the API blueprint when imported) and the ЭДО page (:mod:`.edo`)."""
from . import (
    api,  # noqa: F401 - api registers its operations
    edo,
)

BLUEPRINTS = (edo.bp,)
