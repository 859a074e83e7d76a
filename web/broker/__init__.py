"""The broker deals' pages (processes/broker/). This branch holds the paperwork's
(:mod:`.paperwork`: document templates, previews, our requisites); the deal pages come from
the broker-core work, whose package adds ``*paperwork.BLUEPRINTS`` to its own."""
from . import paperwork

BLUEPRINTS = paperwork.BLUEPRINTS
