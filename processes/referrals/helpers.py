"""Helpers of bpmn/loan_referral.bpmn (seed 000, issue 6), and the two ways into it:
submitting a referral (the case starts through the outbox, exactly once) and the
referrer's answer to a cross-sell request (the BPMN message ``cross_sell_answer``).

The helpers run inside the case's unit of work, so what they write to crm commits
with the step or not at all; the rules themselves live in processes.referrals.cases. The
``referral_id`` they get comes from the case's data: each acts only on the referral
whose case is the running one (:func:`case_referral`), and only :func:`open_referral`,
in the referral's own ``loan_referral`` case, links them.

``RULES``: a referral case starts only from its referral (never through the generic
API endpoint), and ``cross_sell_answer`` is the referrer's alone (issue 11).
"""
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import engine
from accounts.models import Role, User
from engine import outbox
from engine.db import db
from engine.errors import ConflictError, ForbiddenError
from engine.places import format_money, place
from engine.unit import current_unit
from forms.phone import display
from processes.common import step_author
from processes.referrals import cases as referral_cases
from processes.referrals import referrals
from processes.referrals import settings as referral_settings
from processes.referrals.models import DOMAIN, Referral
from processes.rules import Message, ProcessRules, Start

PROCESS = "loan_referral"
ANSWER_MESSAGE = "cross_sell_answer"
PORTAL_LINK = "/portal/referrals/{id}"
STAFF_LINK = "/referrals/{id}"  # the consultants' and managers' page of a referral
CONSULTANT_LANE = "consultant"


# -- ways in (called by the portal and the API) ---------------------------------------

def submit_referral(data, *, actor):
    """Store the referral (processes.referrals.referrals.submit: checks, the one-in-progress rule) and ask
    for its case in the same transaction.

    :raises ValidationError, ConflictError: as processes.referrals.referrals.submit; nothing is stored
    """
    def ask_for_case(referral):
        outbox.start_after_commit(PROCESS, data={"referral_id": referral.id},
                                  business_key=f"referral:{referral.id}")

    return referrals.submit(data, actor=actor, on_stored=ask_for_case)


def answer_cross_sell(referral_id, approved, *, actor):
    """The referrer allows or refuses the cross-sell the consultant asked for.

    :raises NotFoundError: not one of ``actor``'s referrals
    :raises ConflictError: no open request (answered already, expired, or never asked)
    """
    row = referrals.own(actor, referral_id)
    if row.cross_sell_state != "requested" or row.instance_id is None:
        raise ConflictError(_("This cross-sell request is no longer open."))
    try:
        engine.send_message(row.instance_id, ANSWER_MESSAGE, actor=actor,
                            payload={"approved": bool(approved)})
    except ConflictError as error:
        raise ConflictError(_("This cross-sell request is no longer open.")) from error
    db.session.expire_all()
    return referrals.own(actor, referral_id)


# -- who may start a referral case and answer its cross-sell request --------------------

def referrer_of(instance):
    """The username of the referrer whose referral ``instance`` is the case of, or ``None``."""
    return db.session.query(Referral.referrer).filter(Referral.instance_id == instance.id).scalar()


RULES = ProcessRules(
    PROCESS,
    Start(owner=_l("A loan referral case starts when a referrer submits the referral "
                   "(the portal or POST /api/v1/referrals).")),
    messages={ANSWER_MESSAGE: Message(referrer=referrer_of, payload={
        "type": "object", "required": ["approved"], "properties": {"approved": {"type": "boolean"}}})},
)


# -- helpers the diagram's scripts call -------------------------------------------------

def case_referral(referral_id):
    """The referral whose case is the running one.

    :raises ForbiddenError: the referral belongs to another case (or to none yet)
    :raises NotFoundError: no such referral
    """
    row = referrals.by_id(referral_id)
    unit = current_unit()
    if unit is None or row.instance_id != unit.instance.id:
        raise ForbiddenError(f"referral {row.id} belongs to another case")
    return row


def open_referral(referral_id):
    """Link the referral to this case; the details the consultant's forms show.

    Only the referral's own case links it: a ``loan_referral`` case started for it
    (business key ``referral:<id>``, as :func:`submit_referral` asks), while it is in
    progress and linked to no other case.

    :returns: a dict of plain values (stored in the case's data)
    :raises ForbiddenError: another case's referral, a closed one, or not this case's
    """
    unit = current_unit()
    row = referrals.by_id(referral_id)
    case = unit.instance if unit is not None else None
    if (case is None or case.definition_key != PROCESS or case.business_key != f"referral:{row.id}"
            or row.state != "in_progress" or row.instance_id not in (None, case.id)):
        raise ForbiddenError(f"referral {row.id} is not for this case")
    referral_cases.link_case(row.id, case.id)
    others = [product for product in referrals.offered_products() if product.id != row.product_id]
    return {
        "name": row.customer_name, "phone": row.phone, "national_id": row.national_id,
        "referrer": _full_name(row.referrer), "company": row.product.company.name,
        "product": row.product.name,
        "customer_status": row.customer_status, "amount": int(row.amount), "term_months": row.term_months,
        # the consultants' instructions read it as the domain's language writes money
        "amount_text": format_money(row.amount, row.currency, place(DOMAIN).language),
        "cross_sell_consent": row.cross_sell_consent,
        "product_options": [{"value": str(p.id), "label": f"{p.company.name} · {p.name}"} for p in others
                            if p.company.active],
    }


def offer_referral(referral_id, tried=None):
    """The next consultant to offer the case to (``None``: nobody available) and the
    ``lane_owners`` that put the consultant's task in their inbox alone."""
    case_referral(referral_id)
    name = referral_cases.offer(referral_id, tried or [])
    if name is not None:
        _notify(name, "referral_offered", referral_id, link=STAFF_LINK.format(id=referral_id))
    return name


def lane_owners_for(consultant):
    """spiff-arena's ``lane_owners``: the consultant lane's task goes to ``consultant``."""
    return {CONSULTANT_LANE: [consultant]} if consultant else {}


def offer_window():
    """How long a consultant has to answer an offer (ISO 8601), the admin's setting: the
    accept task's due time, so the inbox shows it."""
    return referral_settings.get("accept_within")


def offer_deadline():
    """When the consultant's offer times out (ISO-8601), from the admin's setting."""
    return referral_cases.deadline_for_answer()


def answer_offer(referral_id, consultant, decision, reason=None):
    """The consultant accepted (``accept``) or handed the case back (``hand_back``); the
    answer counts for whoever completed the task (the one offered, or another consultant
    a manager gave it to).

    :returns: ``{"answer": "accepted" | "handed_back", "consultant": who holds it now}``
    """
    case_referral(referral_id)
    answer = "accepted" if decision == "accept" else "handed_back"
    by = step_author(current_unit())
    holder = referral_cases.answer_offer(referral_id, consultant, answer, reason=reason or None,
                                         by=by if by not in (None, "system") else None)
    if answer == "accepted":
        _tell_referrer(referral_id, "referral_accepted")
    return {"answer": answer, "consultant": holder or consultant}


def offer_timed_out(referral_id, consultant):
    """Nobody answered in time: the offer closes and the managers are told."""
    case_referral(referral_id)
    referral_cases.answer_offer(referral_id, consultant, "timed_out")
    for manager in _managers():
        _notify(manager, "referral_offer_timed_out", referral_id, link=STAFF_LINK.format(id=referral_id),
                params={"consultant": consultant})
    return True


def nobody_available(referral_id):
    """No consultant can take the case now: the managers are told (the case tries again later)."""
    case_referral(referral_id)
    for manager in _managers():
        _notify(manager, "referral_unassigned", referral_id, link=STAFF_LINK.format(id=referral_id))
    return True


def record_result(referral_id, values):
    """The consultant's result. :returns: whether a cross-sell follows"""
    case_referral(referral_id)
    return referral_cases.record_result(referral_id, values or {}, actor=step_author(current_unit()))


def start_cross_sell(referral_id, approved=False):
    case_referral(referral_id)
    referral_cases.start_cross_sell(referral_id, actor=step_author(current_unit()), approved=approved)
    _tell_referrer(referral_id, "cross_sell_started")
    return True


def request_cross_sell(referral_id):
    """Ask the referrer (bell, e-mail, portal). :returns: ``[remind_at, expires_at]`` (ISO-8601)"""
    case_referral(referral_id)
    remind_at, expires_at = referral_cases.request_cross_sell(referral_id, actor=step_author(current_unit()))
    _tell_referrer(referral_id, "cross_sell_requested", email=True)
    return [remind_at, expires_at]


def remind_cross_sell(referral_id):
    case_referral(referral_id)
    referral_cases.remind_cross_sell(referral_id)
    _tell_referrer(referral_id, "cross_sell_reminder", email=True)
    return True


def record_cross_sell_answer(referral_id, answer):
    """The message's payload ``{"approved": bool}``. :returns: whether it was approved"""
    case_referral(referral_id)
    approved = isinstance(answer, dict) and answer.get("approved") is True
    referral_cases.answer_cross_sell(referral_id, approved, actor=step_author(current_unit()))
    return approved


def expire_cross_sell(referral_id):
    case_referral(referral_id)
    referral_cases.expire_cross_sell(referral_id)
    _tell_referrer(referral_id, "cross_sell_expired")
    return True


def disburse_referral(referral_id):
    """Disbursed: the commission by the policy in force today, the referral closed."""
    case_referral(referral_id)
    referral_cases.record_disbursement(referral_id, actor=step_author(current_unit()))
    _tell_referrer(referral_id, "referral_disbursed")
    return True


def fail_referral(referral_id):
    case_referral(referral_id)
    referral_cases.close(referral_id, "failed", actor=step_author(current_unit()))
    _tell_referrer(referral_id, "referral_failed")
    return True


def _full_name(username):
    user = db.session.query(User).filter_by(username=username).one_or_none()
    return (user.full_name or username) if user is not None else username


# -- notifications ---------------------------------------------------------------------

def _managers():
    return [user.username for user in db.session.query(User).join(User.roles)
            .filter(Role.name == "manager", User.active.is_(True)).order_by(User.username)]


def _notify(username, kind, referral_id, *, link=None, params=None):
    row = referrals.by_id(referral_id)
    outbox.add("in_app", username, subject=f"{row.customer_name} {row.phone}", link=link, kind=kind,
               params={"referral": row.id, "name": row.customer_name, "phone": row.phone, **(params or {})})


def _tell_referrer(referral_id, kind, *, email=False):
    """The referrer's bell (and e-mail for requests that wait on their answer), in their language."""
    row = referrals.by_id(referral_id)
    link = PORTAL_LINK.format(id=row.id)
    _notify(row.referrer, kind, referral_id, link=link)
    user = db.session.query(User).filter_by(username=row.referrer).one_or_none()
    if email and user is not None and user.email:
        with force_locale(user.locale or "vi"):
            subject = referral_texts(kind, row.customer_name)
            body = _("Open your referrals to answer: %(link)s", link=link)
        outbox.add("email", user.email, subject=subject, body=body)


# The titles of the procedure's notifications by kind; the bell and the API show them in
# the reader's language (``NOTIFICATIONS``, declared with the domain). ``UNNAMED`` says the
# same without the customer's name, for a row that has none (never "Disbursed: ").
TITLES = {
    "referral_offered": _l("New referral for you: %(name)s"),
    "referral_accepted": _l("A consultant took your referral %(name)s"),
    "referral_offer_timed_out": _l("Nobody accepted the referral %(name)s in time"),
    "referral_unassigned": _l("No consultant available for the referral %(name)s"),
    "cross_sell_started": _l("Another product is offered to %(name)s"),
    "cross_sell_requested": _l("May we offer %(name)s another product?"),
    "cross_sell_reminder": _l("Reminder: may we offer %(name)s another product?"),
    "cross_sell_expired": _l("The cross-sell request for %(name)s expired"),
    "referral_disbursed": _l("Disbursed: %(name)s"),
    "referral_failed": _l("Closed without a loan: %(name)s"),
}
UNNAMED = {
    "referral_offered": _l("New referral for you"),
    "referral_accepted": _l("A consultant took your referral"),
    "referral_offer_timed_out": _l("Nobody accepted a referral in time"),
    "referral_unassigned": _l("No consultant available for a referral"),
    "cross_sell_started": _l("Another product is offered to your customer"),
    "cross_sell_requested": _l("May we offer your customer another product?"),
    "cross_sell_reminder": _l("Reminder: may we offer your customer another product?"),
    "cross_sell_expired": _l("A cross-sell request expired"),
    "referral_disbursed": _l("A referral was disbursed"),
    "referral_failed": _l("A referral closed without a loan"),
}


def referral_texts(kind, name):
    """The title of a referral notification in the current language (without the name
    when there is none)."""
    if not name:
        return str(UNNAMED.get(kind) or _("Referral"))
    title = TITLES.get(kind)
    return title % {"name": name} if title is not None else name


def notification_text(note):
    """``(title, body)`` of a referral notification: the titled name, and the phone (as the
    reader writes it, :func:`forms.phone.display`)."""
    params = note.params or {}
    phone = params.get("phone")
    return referral_texts(note.kind, params.get("name")), display(phone) if phone else note.body or ""


NOTIFICATIONS = dict.fromkeys(TITLES, notification_text)


HELPERS = {
    "open_referral": open_referral,
    "offer_referral": offer_referral,
    "lane_owners_for": lane_owners_for,
    "offer_deadline": offer_deadline,
    "offer_window": offer_window,
    "answer_offer": answer_offer,
    "offer_timed_out": offer_timed_out,
    "nobody_available": nobody_available,
    "record_result": record_result,
    "start_cross_sell": start_cross_sell,
    "request_cross_sell": request_cross_sell,
    "remind_cross_sell": remind_cross_sell,
    "record_cross_sell_answer": record_cross_sell_answer,
    "expire_cross_sell": expire_cross_sell,
    "disburse_referral": disburse_referral,
    "fail_referral": fail_referral,
}
