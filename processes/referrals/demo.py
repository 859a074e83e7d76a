"""Demo loan referrals (seed 000, issue 6): Vietnam's consumer-finance market as a
referrer, a consultant and an admin first see it.

Loaded by ``tasklane.demo.load`` after the leads, only when the ``loan_referral``
procedure is deployed and no finance company exists yet. The catalogue is entered as an
admin enters it (processes.referrals.admin: companies, products, commission policies, the
consultants' phones and companies). Every referral is submitted through
processes.referrals.helpers, its case started by delivering its outbox row as the worker would;
the consultants' answers and results are their completed tasks, the referrers'
cross-sell answers the BPMN message, payouts processes.referrals.payouts.mark_paid.

The referrals came in over the last 60 days. After each step the moment it happened in
the story is noted; once a referral has been driven, the times its records carry
(submission, offers, acceptance, close, tasks, the case, its bells, the commission's
day and payment) are moved back to those moments, so the star ranking has a history.
A commission follows the policy in force on its backdated day. The referral's history
(its audit stream, which the referrer and the staff read) is written at the story's
moments as it goes (engine.audit.story_time): sent, offered, accepted, worked, disbursed,
paid, each when it happened. The case's own audit trail keeps the moment it was written,
and timers stay as the engine set them: that is why the
referrals still waiting (on a consultant, on the referrer's cross-sell answer) reached
that point minutes ago in the story. E-mails stay in the outbox for the worker.
"""
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

import engine
from engine import audit, task_meta
from engine.db import db
from engine.models import HumanTask, Notification, Outbox, ProcessDefinition, ProcessInstance
from engine.places import place
from engine.types import utcnow
from processes import demo_people as people
from processes.referrals import admin as lending_admin
from processes.referrals import helpers as procedure
from processes.referrals import payouts as lending_payouts
from processes.referrals.models import DOMAIN, Commission, FinanceCompany, Offer, Referral
from processes.referrals.referrals import commission_policy
from workers import delivery

ADMIN = "admin"
MILLION = 1_000_000
CENT = Decimal("0.01")
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
READ_AFTER = timedelta(hours=2)  # people read a bell a while after it rang; the last day's are unread


def _local():
    """The zone the demo's referrals happen in: the referrals domain's place."""
    return place(DOMAIN).tz

# code: name, products {code: (name, amounts in million VND, terms in months, commission %)}
COMPANIES = {
    "fe_credit": ("FE Credit", {
        "cash_loan": ("Vay tiền mặt", (10, 70), (6, 36), "2.5"),
        "consumer_durable": ("Vay mua điện máy / xe máy", (5, 50), (6, 24), "3"),
        "credit_card": ("Thẻ tín dụng", (10, 50), (12, 36), "1.5"),
    }),
    "home_credit": ("Home Credit", {
        "consumer_durable": ("Vay mua điện máy / xe máy", (5, 60), (6, 36), "3.5"),
        "cash_loan": ("Vay tiền mặt", (10, 60), (6, 36), "3"),
    }),
    "hd_saison": ("HD Saison", {
        "consumer_durable": ("Vay mua điện máy / xe máy", (5, 50), (6, 36), "3"),
        "salary_loan": ("Vay theo lương", (15, 70), (12, 36), "4"),
    }),
    "mcredit": ("Mcredit", {
        "cash_loan": ("Vay tiền mặt", (10, 50), (6, 36), "2"),
        "salary_loan": ("Vay theo lương", (20, 70), (12, 36), None),  # no policy agreed yet
    }),
}
# The rate FE Credit paid on cash loans until the first of last month or the one before.
OLD_POLICY = ("fe_credit/cash_loan", "2")
CONSULTANTS = {"consultant1": ("+84901000001", ["fe_credit", "home_credit"]),
               "consultant2": ("+84901000002", ["fe_credit", "hd_saison", "mcredit"]),
               "consultant3": ("+84901000003", ["home_credit", "hd_saison", "mcredit"])}
# Where customers' citizen IDs (CCCD) were issued: Hà Nội, TP.HCM, Đà Nẵng, Hải Phòng, ...
PROVINCES = ["001", "079", "079", "048", "031", "092", "075", "074", "038", "040"]


@dataclass
class Story:
    """One referral: who sent which customer's wish when, and what happened to it.

    ``steps``: ``(after, action, *args)`` with action ``accept``, ``hand_back`` (reason),
    ``result`` (outcome, changes: amount/term/disbursed in million VND, note, cross_sell
    product), ``answer`` (the referrer's yes/no to a cross-sell), ``pay`` (the admin).
    """

    referrer: str
    product: str
    age: timedelta
    amount: int
    term: int
    steps: list = field(default_factory=list)
    consultant: str = None
    choice: str = "auto"
    consent: bool = False
    status: str = "salaried"


def _named(name, choice="phone"):
    return {"consultant": name, "choice": choice}


def _accept(after):
    return (after, "accept")


def _result(after, outcome, note=None, **changes):
    return (after, "result", outcome, {**changes, "note": note})


P1, P2 = "partner1", "partner2"  # a Russian-speaking and a Vietnamese referrer
STORIES = [
    Story(P2, "fe_credit/cash_loan", 58 * DAY, 30, 12, [
        _accept(3 * HOUR), _result(4 * DAY, "disbursed", "Giải ngân qua tài khoản Vietcombank"),
        (9 * DAY, "pay")], **_named("consultant1")),
    Story(P2, "mcredit/cash_loan", 52 * DAY, 20, 12, [
        _accept(HOUR), _result(2 * DAY, "rejected", "Nợ xấu nhóm 3 trên CIC")], status="self_employed"),
    Story(P1, "home_credit/consumer_durable", 47 * DAY, 18, 12, [
        _accept(5 * HOUR),
        _result(2 * DAY, "disbursed", "Mua xe Honda Vision, trả trước 30%", disbursed=17.5),
        (12 * DAY, "pay")], **_named("consultant1", "star")),
    Story(P1, "home_credit/cash_loan", 40 * DAY, 40, 24, [
        _accept(2 * HOUR),
        _result(3 * DAY, "not_eligible", "Chưa đủ điều kiện vay tiền mặt; hợp với vay theo lương",
                cross_sell="hd_saison/salary_loan"),
        (DAY, "answer", False)], **_named("consultant3")),
    Story(P2, "hd_saison/salary_loan", 36 * DAY, 50, 24, [
        _accept(HOUR), _result(6 * DAY, "disbursed", "Đã giải ngân, khách nhận lương qua HDBank")],
        **_named("consultant2")),
    Story(P1, "fe_credit/cash_loan", 30 * DAY, 25, 18, [
        _accept(4 * HOUR),
        _result(DAY, "not_eligible", "Thu nhập chưa đủ 4 triệu/tháng, chưa có sản phẩm phù hợp")],
        status="freelancer"),
    Story(P2, "home_credit/cash_loan", 26 * DAY, 35, 24, [
        _accept(2 * HOUR),
        _result(5 * DAY, "disbursed", "Khách giảm khoản vay còn 30 triệu", amount=30, term=18)],
        **_named("consultant3")),
    Story(P2, "fe_credit/cash_loan", 21 * DAY, 45, 24, [
        _accept(3 * HOUR),
        _result(2 * DAY, "not_eligible", "Chưa đủ lịch sử tín dụng; khách cần mua xe máy",
                cross_sell="home_credit/consumer_durable"),
        _result(3 * DAY, "disbursed", "Giải ngân vay mua xe Yamaha Janus", amount=28, term=12)],
        consent=True, **_named("consultant1")),
    Story(P2, "fe_credit/cash_loan", 15 * DAY, 20, 12, [_accept(HOUR), _result(3 * DAY, "disbursed")],
          **_named("consultant2")),
    Story(P1, "mcredit/cash_loan", 5 * DAY, 15, 12, [
        _accept(2 * HOUR), _result(5 * HOUR, "contacted", "Đã gọi, khách hẹn gửi sao kê lương"),
        _result(DAY, "submitted", "Đã nộp hồ sơ cho Mcredit, chờ thẩm định")], status="self_employed",
          **_named("consultant3")),
    Story(P2, "hd_saison/consumer_durable", 4 * DAY, 12, 12, [
        (HOUR, "hand_back", "Đang nghỉ phép đến thứ Hai"), _accept(40 * MINUTE)], **_named("consultant2")),
    # asked just now (the result clamps to the minute before now): partner2 may allow or refuse
    Story(P2, "hd_saison/consumer_durable", 2 * DAY, 25, 18, [
        _accept(HOUR),
        _result(3 * DAY, "not_eligible", "Không đủ điều kiện trả góp; có thể mở thẻ tín dụng",
                cross_sell="fe_credit/credit_card")], **_named("consultant2")),
    Story(P2, "home_credit/consumer_durable", 1.5 * DAY, 15, 12, [
        _accept(3 * HOUR), _result(2 * HOUR, "contacted", "Khách muốn mua tủ lạnh, hẹn ra cửa hàng")],
          status="retired"),
    # waiting for a consultant to accept (the offer times out two hours after it was made)
    Story(P2, "fe_credit/cash_loan", 9 * MINUTE, 40, 24, **_named("consultant1")),
    Story(P1, "home_credit/consumer_durable", 5 * MINUTE, 20, 12, **_named("consultant1", "star")),
    Story(P2, "mcredit/salary_loan", 2 * MINUTE, 60, 36, status="business_owner"),
]


def load(seed=people.SEED):
    """Enter the catalogue and drive the demo referrals, unless a finance company exists
    or the loan_referral procedure is not deployed.

    :returns: how many referrals were submitted (0 when nothing was done)
    :raises TasklaneError: a referral or a step was refused (the diagram or crm changed)
    """
    if db.session.scalar(select(FinanceCompany.id).limit(1)) is not None:
        return 0
    if db.session.scalar(select(ProcessDefinition.id).filter_by(key=procedure.PROCESS)) is None:
        return 0
    now = utcnow()
    products = _catalogue(now.astimezone(_local()).date())
    rng, phones = random.Random(seed), set()
    for story in sorted(STORIES, key=lambda s: s.age, reverse=True):
        _drive(story, _customer(rng, now.astimezone(_local()).date(), phones), products, now)
    return len(STORIES)


def _catalogue(today):
    """The companies, products and policies, the consultants' phones and companies, as an
    admin enters them. :returns: ``{"company/product": product id}``"""
    since = date(today.year - 1, 1, 1)
    changed = (today - timedelta(days=20)).replace(day=1)
    products, companies = {}, {}
    for code, (name, offers) in COMPANIES.items():
        companies[code] = lending_admin.save_company({"code": code, "name": name}, actor=ADMIN).id
        for key, (title, (low, high), (shortest, longest), rate) in offers.items():
            values = {"code": key, "name": title, "min_amount": str(low * MILLION),
                      "max_amount": str(high * MILLION), "min_term_months": str(shortest),
                      "max_term_months": str(longest)}
            product = lending_admin.save_product(values, actor=ADMIN, company_id=companies[code])
            products[f"{code}/{key}"] = product.id
            start = since
            if f"{code}/{key}" == OLD_POLICY[0]:
                lending_admin.add_policy(product.id, {"rate_percent": OLD_POLICY[1],
                                                      "valid_from": since.isoformat(),
                                                      "valid_to": (changed - DAY).isoformat()}, actor=ADMIN)
                start = changed
            if rate is not None:
                lending_admin.add_policy(product.id, {"rate_percent": rate, "valid_from": start.isoformat()},
                                         actor=ADMIN)
    for username, (phone, codes) in CONSULTANTS.items():
        lending_admin.save_consultant(username, {"phone": phone, "companies": [companies[c] for c in codes]},
                                      actor=ADMIN)
    return products


def _customer(rng, today, taken):
    """A Vietnamese customer: name, a mobile no other demo referral has, an ID card or none."""
    who = people.person(rng)
    phone = people.mobile(rng)
    while phone.replace(" ", "") in taken:
        phone = people.mobile(rng)
    taken.add(phone.replace(" ", ""))
    return {"customer_name": who["name"], "phone": phone,
            "national_id": _national_id(rng, who["gender"], today)}


def _national_id(rng, gender, today):
    """A 12-digit citizen ID (province, century and gender, year of birth), an old 9-digit
    ID card, or nothing (it is optional)."""
    draw = rng.random()
    if draw < 0.15:
        return None
    if draw < 0.3:
        return f"{rng.randrange(10 ** 9):09d}"
    born = today.year - rng.randint(22, 55)
    century = (0 if born < 2000 else 2) + (gender == "female")
    return f"{rng.choice(PROVINCES)}{century}{born % 100:02d}{rng.randrange(10 ** 6):06d}"


class Moments:
    """When each record of one referral's case came about in the story."""

    def __init__(self, referral_id, case_id):
        self.referral_id, self.case_id = referral_id, case_id
        self.opened, self.done, self.offered, self.answered, self.rang = {}, {}, {}, {}, {}
        self.closed = self.paid = self.last = None

    def note(self, moment):
        """What exists now and did not before happened at ``moment``."""
        db.session.expire_all()
        for task in db.session.scalars(select(HumanTask).filter_by(instance_id=self.case_id)):
            self.opened.setdefault(task.id, moment)
            if task.state == "completed":
                self.done.setdefault(task.id, moment)
        for offer in db.session.scalars(select(Offer).filter_by(referral_id=self.referral_id)):
            self.offered.setdefault(offer.id, moment)
            if offer.answer is not None:
                self.answered.setdefault(offer.id, moment)
        bells = select(Outbox.id).filter_by(instance_id=self.case_id, channel="in_app")
        for row_id in db.session.scalars(bells):
            self.rang.setdefault(row_id, moment)
        if self.closed is None and db.session.get(Referral, self.referral_id).state != "in_progress":
            self.closed = moment
        commission = _commission(self.referral_id)
        if self.paid is None and commission is not None and commission.state == "paid":
            self.paid = moment
        self.last = moment


def _commission(referral_id):
    return db.session.scalars(select(Commission).filter_by(referral_id=referral_id)).one_or_none()


def _drive(story, customer, products, now):
    """Submit the story's referral, start its case, take its steps, then backdate it."""
    form = {**customer, "product_id": products[story.product], "customer_status": story.status,
            "amount": str(story.amount * MILLION), "term_months": story.term,
            "consultant_choice": story.choice, "cross_sell_consent": story.consent}
    if story.consultant:
        form["consultant_phone"] = CONSULTANTS[story.consultant][0]
    created = _office(now - story.age, now)
    with audit.story_time(created):
        referral_id = procedure.submit_referral(form, actor=story.referrer).id
        pending = select(Outbox).filter_by(channel="start", state="pending")
        [start] = [row for row in db.session.scalars(pending)
                   if (row.params or {}).get("data") == {"referral_id": referral_id}]
        start_id = start.id
        if delivery.deliver(start_id) != "sent":
            raise RuntimeError(f"demo: the case of referral {referral_id} did not start")
    case_id = db.session.scalars(select(ProcessInstance.id).filter_by(
        business_key=f"referral:{referral_id}")).one()
    moments = Moments(referral_id, case_id)
    moments.note(created)
    moment = created
    for after, action, *args in story.steps:
        moment = max(moment + MINUTE, _office(moment + after, now))
        with audit.story_time(moment):
            _act(story, referral_id, case_id, products, action, args)
        moments.note(moment)
    start = db.session.get(Outbox, start_id)
    start.created_at = start.sent_at = created
    _backdate(moments, created)
    _ring(moments, now)


def _office(moment, now):
    """``moment`` moved into the working day (8:00 to 21:00 in Vietnam) unless that would
    pass the minute before now; never after it."""
    local = moment.astimezone(_local())
    if local.hour < 8:
        local = local.replace(hour=8 + local.hour % 3)
    elif local.hour >= 21:
        local = (local + DAY).replace(hour=8 + local.hour % 3)
    latest = now - MINUTE
    return local if local <= latest else min(moment, latest)


def _act(story, referral_id, case_id, products, action, args):
    """One step of the story, by whoever takes it in the procedure."""
    if action in ("accept", "hand_back"):
        answer = {"decision": "accept"} if action == "accept" else {"decision": action, "reason": args[0]}
        _complete(case_id, "accept_referral", answer)
    elif action == "result":
        outcome, changes = args
        values = {"result": outcome, "amount": changes.get("amount", story.amount) * MILLION,
                  "term_months": changes.get("term", story.term)}
        if outcome == "disbursed":
            values["disbursed_amount"] = int(changes["disbursed"] * MILLION) if "disbursed" in changes \
                else values["amount"]
        if "cross_sell" in changes:
            values["cross_sell_product_id"] = str(products[changes["cross_sell"]])
        if changes.get("note"):
            values["note"] = changes["note"]
        _complete(case_id, "work_referral", values)
    elif action == "answer":
        procedure.answer_cross_sell(referral_id, args[0], actor=story.referrer)
    else:
        lending_payouts.mark_paid(_commission(referral_id).id, actor=ADMIN)


def _complete(case_id, element_id, data):
    """Complete the case's open ``element_id`` task as the consultant it is assigned to."""
    task = db.session.scalars(select(HumanTask).filter_by(instance_id=case_id, element_id=element_id,
                                                          state="open")).one()
    engine.complete_task(task.id, actor=task.assignee, data=data)


def _backdate(moments, created):
    """Move what the procedure wrote for one referral to the story's moments."""
    referral = db.session.get(Referral, moments.referral_id)
    referral.created_at = created
    for offer in db.session.scalars(select(Offer).filter_by(referral_id=referral.id)):
        offer.offered_at = moments.offered[offer.id]
        offer.answered_at = moments.answered.get(offer.id)
        if offer.answer == "accepted":
            referral.accepted_at = offer.answered_at
    referral.closed_at = moments.closed
    commission = _commission(referral.id)
    if commission is not None:
        _earned(commission, moments.closed.astimezone(_local()).date(), moments.paid)
    case = db.session.get(ProcessInstance, moments.case_id)
    case.started_at, case.updated_at = created, moments.last
    if case.ended_at is not None:
        case.ended_at = moments.last
    for task in db.session.scalars(select(HumanTask).filter_by(instance_id=moments.case_id)):
        opened = moments.opened[task.id]
        if task.due_at is not None:
            task.due_at = opened + (task.due_at - task.created_at)
        task.created_at = opened
        task.claimed_at = task.claimed_at and opened
        task.completed_at = moments.done.get(task.id, task.completed_at)
        task.sort_key = task_meta.sort_key(task.priority, task.due_at, task.created_at)
    db.session.commit()


def _earned(commission, day, paid):
    """The commission as the policy in force on ``day`` (its disbursement) makes it."""
    policy = commission_policy(commission.product_id, day)
    commission.earned_on = day
    if policy is not None:
        commission.policy_id, commission.rate_percent = policy.id, policy.rate_percent
        commission.amount = (commission.base_amount * policy.rate_percent / 100).quantize(CENT)
    if commission.paid_at is not None:
        commission.paid_at = paid


def _ring(moments, now):
    """Deliver the case's bells as the worker would, at the story's moments: read some
    time after they rang, unless they rang within the last day."""
    for row_id, rang in sorted(moments.rang.items()):
        delivery.deliver(row_id)
        row = db.session.get(Outbox, row_id)
        row.created_at = row.sent_at = rang
        bell = db.session.scalars(select(Notification).filter_by(outbox_id=row_id)).one()
        bell.created_at = rang
        bell.read_at = rang + READ_AFTER if rang < now - DAY else None
    db.session.commit()
