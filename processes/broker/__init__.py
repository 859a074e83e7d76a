"""Broker deals (issue 15, seed 002): a partner's client taken through the broker team to
credit approval. This branch holds the paperwork only (:mod:`.paperwork`); the deal records,
the diagram and the portal come from the broker-core work, whose declaration replaces this
minimal one (it adds ``paperwork.models`` to its ``models``, ``paperwork.helpers.HELPERS`` to its
``helpers`` and the paperwork pages to ``web/broker``'s ``BLUEPRINTS``).
"""
from processes.domain import Domain

from .paperwork import helpers as paperwork_helpers
from .paperwork import models as paperwork_models

DOMAIN = Domain(name="broker", models=(paperwork_models,), helpers=paperwork_helpers.HELPERS,
                pages="web.broker")
