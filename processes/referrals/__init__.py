"""Loan referrals (bpmn/loan_referral.bpmn): a referrer submits a customer (:mod:`.referrals`),
consultants of finance companies are offered it (:mod:`.consultants`, :mod:`.cases`), the
result, cross-sell and commission follow; admins keep the catalogue (:mod:`.admin`) and pay
(:mod:`.payouts`); staff and referrers read it (:mod:`.staff`, :mod:`.views`). Its tables are
:mod:`.models`; its notifications are titled by :data:`.helpers.TITLES`.

Pages and API: ``web/referrals/`` (the referrer's portal and sign-up, staff and admin pages).
"""
from processes.domain import Domain

from . import case_data, helpers, models, staff


def load_demo(seed):
    """The catalogue and referrals at every step (it checks itself that its procedure is deployed)."""
    from . import demo

    return demo.load(seed)


DOMAIN = Domain(
    name="referrals",
    models=(models,),
    helpers=helpers.HELPERS,
    rules=(helpers.RULES,),
    notifications=helpers.NOTIFICATIONS,
    demo=load_demo,
    pages="web.referrals",
    # the referrer, and the consultant who holds, held or is offered the referral
    case_parts={helpers.PROCESS: staff.case_part},
    data_labels={helpers.PROCESS: case_data.LABELS},
)
