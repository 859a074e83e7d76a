"""The prospect pipeline (bpmn/prospect_pipeline.bpmn): a contact's case moves through the
admin's stages (:mod:`.stages`) on the board (:mod:`.prospects`) until it is won (the
customer is converted) or lost. The case is started by the lead case through an outbox
start; the stage moves are the ``stage_changed`` BPMN message. Its tables
(``Stage``, ``StageChange``) sit in :mod:`crm.models` beside the customer they describe.

Pages and API: ``web/pipeline/``.
"""
from crm.customer_rules import customer_case_part
from processes.domain import Domain, deployed

from . import case_data, helpers


def load_demo(seed):
    """The demo contacts spread over the stages (after the lead demo made them)."""
    if not deployed(helpers.PROCESS):
        return 0
    from . import demo

    return demo.load(seed)


DOMAIN = Domain(
    name="pipeline",
    helpers=helpers.HELPERS,
    rules=(helpers.RULES,),
    demo=load_demo,
    pages="web.pipeline",
    case_parts={helpers.PROCESS: customer_case_part},   # whoever may read the prospect
    data_labels={helpers.PROCESS: case_data.LABELS},
)
