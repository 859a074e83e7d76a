"""The loan broker's partner deal (seed 002, issue 15; bpmn/broker_deal.bpmn): a partner
registers a business client (:mod:`.deals`, ИНН/ОГРН checks in :mod:`.inn`), uploads the
product's checklist documents (:mod:`.documents`), the pre-check's decision table decides,
the team analyses and gives a range, and the case goes on to the contract, credit support,
completion and commission. The deal's record follows its case through the script helpers
(:mod:`.helpers`); its tables are :mod:`.models`; the step names :mod:`.steps`. The
contract goes to the client through ЭДО or e-mail (:mod:`.edo`, docs/broker-edo.md); the
contract, act and invoice are issued from templates the team edits (:mod:`.paperwork`,
docs/broker-paperwork.md).

Pages and API: ``web/broker/``. docs/broker.md tells what is built and what is left.
"""
from processes.domain import Domain

from . import commission_models, deals, edo, helpers, models, notifications
from .paperwork import helpers as paperwork_helpers
from .paperwork import models as paperwork_models


def load_demo(seed):
    """Two credit products with their checklists and one deal of partner1."""
    from . import demo

    return demo.load(seed)


def case_part(username, roles, fallback, customers):
    """A condition on ``ProcessInstance``: a ``broker_deal`` case ``username`` has a part in:
    every deal's for the team, their own deal's for a partner.

    :param fallback: the condition for a case with no deal row (one started by hand)
    """
    from sqlalchemy import and_, or_, select, true

    from engine.models import ProcessInstance

    del customers
    if deals.is_team(roles):
        return true()
    held = select(models.Deal.instance_id).where(models.Deal.partner == username,
                                                 models.Deal.instance_id.is_not(None))
    linked = select(models.Deal.id).where(models.Deal.instance_id == ProcessInstance.id)
    return or_(ProcessInstance.id.in_(held), and_(~linked.exists(), fallback))


DOMAIN = Domain(
    name="broker",
    models=(models, commission_models, paperwork_models, *edo.MODELS),
    helpers={**helpers.HELPERS, **paperwork_helpers.HELPERS},
    operators=edo.OPERATORS,
    periodic=tuple(edo.PERIODIC),
    rules=(helpers.RULES,),
    notifications=notifications.NOTIFICATIONS,
    demo=load_demo,
    pages="web.broker",
    case_parts={helpers.PROCESS: case_part},
)
