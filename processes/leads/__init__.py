"""Lead handling (bpmn/lead_handling.bpmn): a new lead is entered or imported
(:mod:`.entry`, :mod:`.imports`), a sales rep calls it until it is a contact, closed or
an order; the call-back bell is this domain's notification. The customer rows are the
shared crm records (:mod:`crm.models`); a contact asks for its pipeline case through an
outbox start, never by calling the pipeline domain.

Pages and API: ``web/leads/``.
"""
from crm.customer_rules import customer_case_part
from processes.domain import Domain, deployed

from . import case_data, helpers


def load_demo(seed):
    """About 200 leads at every stage (development), when lead_handling is deployed."""
    if not deployed(helpers.PROCESS):
        return 0
    from . import demo

    return demo.load(seed)


DOMAIN = Domain(
    name="leads",
    helpers=helpers.HELPERS,
    rules=(helpers.RULES,),
    notifications=helpers.NOTIFICATIONS,
    demo=load_demo,
    pages="web.leads",
    case_parts={helpers.PROCESS: customer_case_part},   # whoever may read the lead
    data_labels={helpers.PROCESS: case_data.LABELS},
)
