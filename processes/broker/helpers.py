"""Helpers of bpmn/broker_deal.bpmn: they keep the deal's record in step with its case
(step, state, pre-check, range, due time) and ring the partner's and the team's bells.

They run inside the case's unit of work, so what they write commits with the step or not
at all. Each acts only on the deal whose case is the running one (:func:`case_deal`).
``RULES``: a deal case starts only with its deal (``processes.broker.deals.register``).
"""
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from accounts.models import Role, User
from engine import calendars, outbox
from engine.db import db
from engine.errors import ForbiddenError
from engine.places import format_money, place
from engine.unit import current_unit
from processes.rules import ProcessRules, Start

from . import commissions, deals, documents
from . import steps as deal_steps
from .models import DOMAIN, FACTS
from .paperwork import requisites

PROCESS = deals.PROCESS
PARTNER_LANE = "partner"
CALENDAR = "RU"
ANALYSIS_DAYS = 2
PORTAL_LINK = "/portal/deals/{id}"
STAFF_LINK = "/broker/deals/{id}"

RULES = ProcessRules(
    PROCESS,
    Start(owner=_l("A deal's case starts when a partner registers the deal (POST /api/v1/deals).")),
)


def case_deal(deal_id):
    """The deal whose case is the running one.

    :raises ForbiddenError: the deal belongs to another case
    :raises NotFoundError: no such deal
    """
    row = deals.by_id(deal_id)
    unit = current_unit()
    if unit is None or row.instance_id != unit.instance.id:
        raise ForbiddenError(f"deal {row.id} belongs to another case")
    return row


def open_deal(deal_id):
    """Link the deal to this case; its details for the forms and instructions; the deal is
    at step 3 (documents). Only the deal's own case links it: started for it (business key
    ``deal:<id>``, as :func:`processes.broker.deals.register` does) and linked to no other.

    :returns: plain values, kept in the case's data
    """
    unit = current_unit()
    row = deals.by_id(deal_id)
    case = unit.instance if unit is not None else None
    # the deal's own case alone links it: started for it (business key), linked to no other
    if (case is None or case.definition_key != PROCESS or case.business_key != f"deal:{row.id}"
            or row.instance_id not in (None, case.id)):
        raise ForbiddenError(f"deal {row.id} is not for this case")
    row.instance_id, row.step = case.id, 3
    return {
        "company_name": row.company_name, "inn": row.inn, "partner": row.partner,
        "amount": int(row.amount), "term_months": row.term_months, "purpose": row.purpose,
        "amount_text": format_money(row.amount, row.currency, place(DOMAIN).language),
        "product": row.product.name_ru, "lane_owners": {PARTNER_LANE: [row.partner]},
    }


def deal_step(deal_id, step):
    """The deal is at ``step`` now (1-12)."""
    row = case_deal(deal_id)
    row.step = int(step)
    return row.step


def missing_documents(deal_id):
    """Codes of the required checklist items still without a file."""
    return [item.code for item in documents.missing(case_deal(deal_id))]


def precheck_facts(deal_id, answers):
    """What the pre-check's table reads, from the partner's answers (FACTS): stored on the
    deal, so a rerun starts from them.

    :returns: ``{fact: value}`` with every fact present
    """
    row = case_deal(deal_id)
    answers = answers if isinstance(answers, dict) else {}
    facts = {name: answers.get(name, default) for name, default in FACTS.items()}
    row.facts = facts
    row.step = 4
    return facts


def record_precheck(deal_id, stop_factors):
    """The table's answer: ``stop_factors`` (codes). :returns: whether the deal may go on"""
    row = case_deal(deal_id)
    reasons = sorted({str(code) for code in (stop_factors or [])})
    row.precheck = {"passed": not reasons, "reasons": reasons, "at": _now().isoformat()}
    if reasons:
        _tell(row.partner, "deal_precheck_refused", row, link=PORTAL_LINK)
    return not reasons


def post_deal(deal_id):
    """Step 5: the deal goes to the team's queue; analysis is due in two business days on
    the Russian calendar (the analysis task's due time is the same rule).

    :returns: the due time (ISO-8601)
    """
    row = case_deal(deal_id)
    row.step = 5
    row.analysis_due_at = calendars.due_at(_now(), days=ANALYSIS_DAYS, calendar=CALENDAR)
    for name in _team("broker_analyst"):
        _tell(name, "deal_posted", row, link=STAFF_LINK)
    return row.analysis_due_at.isoformat()


def ask_documents(deal_id, request):
    """The analyst asks the partner for more documents: the partner's bell."""
    row = case_deal(deal_id)
    _tell(row.partner, "deal_documents_requested", row, link=PORTAL_LINK, note=request)
    return True


def record_range(deal_id, range_from, range_to):
    """The analysis' range. :returns: ``"agreement"`` ("from" below the amount wanted),
    ``"contract"`` or ``"invalid"`` (not two amounts with from <= to: asked again)"""
    row = case_deal(deal_id)
    try:
        low, high = Decimal(str(range_from)), Decimal(str(range_to))
    except (InvalidOperation, ValueError):
        return "invalid"
    if low <= 0 or high < low:
        return "invalid"
    row.range_from, row.range_to, row.step = low, high, 7
    _tell(row.partner, "deal_range", row, link=PORTAL_LINK)
    if low < row.amount:
        return "agreement"
    row.step = 8
    return "contract"


def remind_agreement(deal_id):
    row = case_deal(deal_id)
    _tell(row.partner, "deal_agreement_reminder", row, link=PORTAL_LINK)
    return True


def escalate_agreement(deal_id):
    row = case_deal(deal_id)
    for name in _team("broker_lead"):
        _tell(name, "deal_agreement_escalated", row, link=STAFF_LINK)
    return True


def close_deal(deal_id, state, reason=None):
    """The deal ends without a loan: ``refused`` (pre-check) or ``closed`` (the client or the bank)."""
    row = case_deal(deal_id)
    row.state = state if state in ("refused", "closed") else "closed"
    row.close_reason = (str(reason)[:2000] if reason else None)
    _tell(row.partner, "deal_closed", row, link=PORTAL_LINK)
    return row.state


def record_approval(deal_id, approved_amount):
    """Step 10 ends with the bank's approval: the approved amount (the commission's base) is
    kept on the deal, which is at step 11 (completion) now.

    :raises ValueError: not a positive amount (the form requires one; the step fails as an incident)
    """
    row = case_deal(deal_id)
    try:
        amount = Decimal(str(approved_amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as error:
        raise ValueError(f"the approved amount {approved_amount!r} is not a number") from error
    if amount <= 0:
        raise ValueError(f"the approved amount {approved_amount!r} is not above zero")
    row.approved_amount, row.step = amount, 11
    return str(amount)


# What the contract-details form (step 8) gives, and where the paperwork's context keeps it.
CONTRACT_DETAILS = {"kpp": "kpp", "bank_account": "account", "bik": "bik", "legal_address": "address",
                    "contract_email": "email", "contract_phone": "phone"}


def contract_context(deal_id, details):
    """Step 9: the contract's context (docs/broker-paperwork.md) from the deal and the
    client's requisites of the contract-details form (``details``: its values, ``uses_edo``
    among them): the client, the loan (the range's "from" when the analysis gave one, else
    the amount wanted), the term and product, and our fee as a share of the loan (the
    requisite ``fee_percent``; none: the contract leaves the price to an agreement).

    :returns: a plain dict, kept in the case's data for the act and the invoice
    """
    row = case_deal(deal_id)
    details = details if isinstance(details, dict) else {}
    client = {"name": row.company_name, "inn": row.inn, "ogrn": row.ogrn or ""}
    for field, key in CONTRACT_DETAILS.items():
        client[key] = str(details.get(field) or "").strip()
    loan = row.range_from if row.range_from is not None and row.range_from < row.amount else row.amount
    context = {"client": client,
               "deal": {"id": row.id, "product": row.product.name_ru, "loan_amount": str(loan),
                        "term_months": row.term_months, "purpose": row.purpose},
               "edo": details.get("uses_edo") is True}
    fee = requisites.current().get("fee_percent", "")
    if fee:
        context["fee_percent"] = fee
    return context


def closing_context(deal_id, contract_data, contract):
    """Step 11: the act's and the invoice's context: the contract's (``contract_data``, what
    :func:`contract_context` gave), under the contract issued (``contract``: ``number``,
    ``date``), for our fee: ``fee_percent`` of the loan the bank approved, in kopecks half up.

    :raises ValueError: no approved amount on the deal, or our fee is not set (the step
        fails as an incident; the team fills in the requisite and retries it)
    """
    row = case_deal(deal_id)
    if row.approved_amount is None:
        raise ValueError(f"deal {row.id} has no approved amount")
    fee = requisites.current().get("fee_percent", "")
    if not fee:
        raise ValueError("our fee (% of the approved loan) is not set in the paperwork's requisites")
    amount = (row.approved_amount * Decimal(fee) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    given = dict(contract_data) if isinstance(contract_data, dict) else {}
    given.pop("fee_percent", None)
    given.pop("date", None)
    deal = dict(given.get("deal") or {})
    deal["loan_amount"] = str(row.approved_amount)
    contract = contract if isinstance(contract, dict) else {}
    return {**given, "deal": deal, "amount": str(amount),
            "contract": {"number": contract.get("number", ""), "date": contract.get("date", "")}}


def commission_receipts(deal_id, payment_received, act_signed):
    """Step 12: note what has arrived (the client's payment, the signed act; once noted it
    stays), and when both are in, earn the partner's commission (once).

    :returns: whether both are in
    """
    row = case_deal(deal_id)
    unit = current_unit()
    return commissions.record_receipts(row, payment=payment_received is True, act=act_signed is True,
                                       actor=unit.actor if unit is not None else "system")


def complete_deal(deal_id):
    """Step 12 done: the client paid, the signed act is in; the commission is earned (if the
    receipts step has not yet: recording it twice records one)."""
    row = case_deal(deal_id)
    unit = current_unit()
    commissions.earn(row, actor=unit.actor if unit is not None else "system")
    row.state, row.step = "completed", 12
    _tell(row.partner, "deal_completed", row, link=PORTAL_LINK)
    return True


def _now():
    return datetime.now(timezone.utc)


def _team(role):
    return [user.username for user in db.session.query(User).join(User.roles)
            .filter(Role.name == role, User.active.is_(True)).order_by(User.username)]


def _tell(username, kind, row, *, link, note=None):
    params = {"deal": row.id, "company": row.company_name, "step": row.step}
    if note:
        params["note"] = str(note)[:500]
    outbox.add("in_app", username, subject=row.company_name, body=str(note or ""),
               link=link.format(id=row.id),
               kind=kind, params=params, instance_id=row.instance_id)


HELPERS = {
    "open_deal": open_deal,
    "deal_step": deal_step,
    "missing_documents": missing_documents,
    "precheck_facts": precheck_facts,
    "record_precheck": record_precheck,
    "post_deal": post_deal,
    "ask_documents": ask_documents,
    "record_range": record_range,
    "remind_agreement": remind_agreement,
    "escalate_agreement": escalate_agreement,
    "close_deal": close_deal,
    "record_approval": record_approval,
    "contract_context": contract_context,
    "closing_context": closing_context,
    "commission_receipts": commission_receipts,
    "complete_deal": complete_deal,
}
__all__ = ["HELPERS", "RULES", "deal_steps"]
