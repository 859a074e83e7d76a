"""The demo data ``make run`` loads (tasklane/demo.py over each domain's demo, processes/demo_people.py): 200
Vietnamese leads entered through crm and driven through the lead-handling procedure, and
(processes/referrals/demo.py) loan referrals driven through the loan-referral procedure."""
import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

import engine
from accounts import service
from accounts.models import User
from crm.models import SOURCES, STATUSES, Customer, Interaction, Order
from engine.db import db
from engine.models import AuditEvent, HumanTask, Notification, ProcessInstance, Timer
from engine.types import utcnow
from processes import demo_people
from processes.referrals import demo as demo_referrals
from tasklane import demo
from tests.conftest import ROOT

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
REPS = [f"sales{n}" for n in range(1, 6)]
# The 2018 renumbering (docs/crm.md), written out here rather than read from crm.phones.
OLD_TO_NEW = {"0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037",
              "0168": "038", "0169": "039", "0120": "070", "0121": "079", "0122": "077", "0126": "076",
              "0128": "078", "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082"}


def digits(phone):
    return "".join(c for c in phone if c.isdigit())


def test_the_same_seed_gives_the_same_leads_and_another_seed_others():
    first, again = demo_people.plan(today=date(2026, 3, 1)), demo_people.plan(today=date(2026, 3, 1))
    assert [(lead.data, lead.source, lead.fate, lead.age) for lead in first] == \
        [(lead.data, lead.source, lead.fate, lead.age) for lead in again]
    other = demo_people.plan(seed=demo_people.SEED + 1, today=date(2026, 3, 1))
    assert [lead.data["name"] for lead in other] != [lead.data["name"] for lead in first]


def test_names_are_vietnamese_of_the_persons_gender():
    rng = random.Random(1)
    for _ in range(300):
        person = demo_people.person(rng)
        family, middle, given = person["name"].split()
        assert family in demo_people.FAMILY_NAMES
        assert middle in demo_people.MIDDLE_NAMES[person["gender"]] and middle != given
        assert given in demo_people.GIVEN_NAMES[person["gender"]]
    assert not set(demo_people.MIDDLE_NAMES["male"]) & {"Thị"}
    assert not set(demo_people.MIDDLE_NAMES["female"]) & {"Văn"}


def test_the_plan_has_old_eleven_digit_numbers_and_phones_given_twice():
    leads = demo_people.plan()
    assert len([lead for lead in leads if len(digits(lead.data["phone"])) == 11]) == demo_people.OLD_PHONES
    phones = Counter(digits(lead.data["phone"]) for lead in leads)
    assert sum(count - 1 for count in phones.values()) == demo_people.DUPLICATES


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)   # `make run` loads it on SQLite
def test_loading_the_demo_into_a_fresh_database_gives_a_living_pipeline_and_loading_again_adds_nothing(app):
    service.ensure_demo_users("demo")
    for name in ("lead_handling", "prospect_pipeline", "loan_referral"):
        engine.deploy((ROOT / "bpmn" / f"{name}.bpmn").read_bytes(), actor="owner", name=f"{name}.bpmn",
                      roles=service.role_names())
    before = utcnow()
    assert demo.load() == 200
    after = utcnow()
    check_prospects_spread_over_the_stages(before)
    check_200_leads_in_every_status_from_several_sources_and_all_reps()
    check_old_numbers_in_todays_form_and_duplicates_reported_not_merged()
    check_calls_between_intake_and_now_and_call_backs_ahead(before, after)
    check_new_leads_from_today_and_contacts_due_a_call_back(before)
    check_five_vietnamese_sales_reps_and_a_manager()
    check_referral_catalogue_and_consultants()
    check_referrals_in_every_state_through_the_procedure(before)
    check_commissions_by_the_policy_of_their_day_pending_and_paid()
    from processes.referrals.models import (
        Commission,
        CommissionPolicy,
        FinanceCompany,
        LoanProduct,
        Offer,
        Referral,
    )
    models = (Customer, ProcessInstance, Interaction, Order, FinanceCompany, LoanProduct, CommissionPolicy,
              Referral, Offer, Commission, Notification)
    counts = [db.session.scalar(select(func.count()).select_from(model)) for model in models]
    assert demo.load() == 0
    assert demo_referrals.load() == 0  # on its own too: a finance company exists
    assert [db.session.scalar(select(func.count()).select_from(model)) for model in models] == counts


# What one load must give (one load takes seconds: the checks share it).


def check_prospects_spread_over_the_stages(before):
    """Every contact entered the pipeline (no start left waiting); prospects sit in several
    stages, some were converted, and their moves lie between their first call and now."""
    from crm.models import Stage, StageChange
    from engine.models import Outbox

    assert db.session.scalar(select(func.count()).select_from(Outbox).filter_by(channel="start",
                                                                                state="pending")) == 0
    in_stages = Counter(db.session.scalars(select(Stage.key).join(Customer, Customer.stage_id == Stage.id)))
    assert len(in_stages) >= 4 and in_stages["first_call"] > 0
    converted = select(func.count()).select_from(Customer).where(Customer.converted_at.isnot(None))
    assert db.session.scalar(converted) > 0
    for change, customer in db.session.execute(select(StageChange, Customer).join(Customer)):
        assert customer.first_contact_at <= change.at <= utcnow()


def check_200_leads_in_every_status_from_several_sources_and_all_reps():
    customers = db.session.scalars(select(Customer)).all()
    assert len(customers) == 200
    assert set(Counter(c.status for c in customers)) == set(STATUSES)
    sources = Counter(c.source for c in customers)
    assert set(sources) <= set(SOURCES) and len(sources) >= 6
    owners = Counter(c.owner for c in customers)
    assert set(owners) == {*REPS, None} and owners[None] == demo_people.UNASSIGNED
    assert {c.classification for c in customers} == {"urgent", "potential", "not_potential", None}
    # every lead has its lead-handling case, started through crm
    cases = {i.id: i for i in db.session.scalars(select(ProcessInstance))}
    assert all(cases[c.instance_id].definition_key == "lead_handling" for c in customers)
    orders = db.session.scalars(select(Order)).all()
    # an ordered customer has an order (a signed prospect may also have its deposit's)
    assert len({o.customer_id for o in orders}) == Counter(c.status for c in customers)["ordered"]
    assert all(o.amount >= 1_000_000 and o.currency == "VND" for o in orders)
    calls = Counter(i.author for i in db.session.scalars(select(Interaction)))
    assert set(calls) == set(REPS)


def check_old_numbers_in_todays_form_and_duplicates_reported_not_merged():
    old = [lead for lead in demo_people.plan() if len(digits(lead.data["phone"])) == 11]
    stored = set(db.session.scalars(select(Customer.phone)))
    for lead in old:
        raw = digits(lead.data["phone"])
        assert "+84" + OLD_TO_NEW[raw[:4]][1:] + raw[4:] in stored
    assert not any(phone.startswith("+841") for phone in stored)
    by_phone = defaultdict(list)
    for customer in db.session.scalars(select(Customer).order_by(Customer.id)):
        by_phone[customer.phone].append(customer.id)
    shared = {phone: ids for phone, ids in by_phone.items() if len(ids) > 1}
    assert len(shared) == demo_people.DUPLICATES
    for first, *later in shared.values():
        for customer_id in later:
            event = db.session.scalars(select(AuditEvent).filter_by(
                stream=f"customer:{customer_id}", kind="customer_created")).one()
            assert first in event.details["duplicates"]


def check_calls_between_intake_and_now_and_call_backs_ahead(before, after):
    now = utcnow()
    start = before - timedelta(days=31)
    for customer in db.session.scalars(select(Customer)):
        calls = [i.at for i in db.session.scalars(select(Interaction).filter_by(customer_id=customer.id)
                                                  .order_by(Interaction.id))]
        assert start < customer.created_at < before
        assert calls == sorted(calls) and all(customer.created_at < at < before for at in calls)
        assert customer.first_contact_at == (calls[0] if calls else None)
        assert (customer.status == "new") == (not calls)
    spread = {c.created_at.astimezone(VIETNAM).date() for c in db.session.scalars(select(Customer))}
    assert len(spread) >= 20
    referral_cases = select(ProcessInstance.id).filter_by(definition_key="loan_referral")
    pending = db.session.scalars(select(Timer).filter_by(state="pending").where(
        Timer.instance_id.not_in(referral_cases))).all()
    assert {t.element_id for t in pending} == {"wait_callback", "wait_24h", "wait_next_call"}
    assert all(t.due_at > now for t in pending)
    assert any(t.due_at < after + timedelta(hours=5) for t in pending)  # the inbox moves


def check_new_leads_from_today_and_contacts_due_a_call_back(before):
    today = before.astimezone(VIETNAM).date()
    fresh = [c for c in db.session.scalars(select(Customer).filter_by(status="new"))
             if c.first_contact_at is None and c.created_at.astimezone(VIETNAM).date() == today]
    assert len(fresh) >= 1
    open_calls = select(HumanTask).filter_by(state="open", definition_key="lead_handling")
    tasks = db.session.scalars(open_calls).all()
    assert Counter(t.element_id for t in tasks) == {"call_lead": demo_people.FATES["new"],
                                                    "call_contact": demo_people.FATES["contact_due"]}
    # in the reps' own tabs the tasks of the leads they own (issue 13), in the team queue the
    # calls of the unowned ones
    owners = {c.instance_id: c.owner for c in db.session.scalars(select(Customer))}
    assert all(t.assignee == owners[t.instance_id] for t in tasks if owners[t.instance_id])
    assert {t.assignee for t in tasks if t.element_id == "call_lead"} > {None}
    assert any(t.assignee is None for t in tasks)
    # the bells of calls made were read; those of contacts still waiting for their call are not
    from engine.models import Outbox
    referral_bells = select(Outbox.id).join(ProcessInstance, ProcessInstance.id == Outbox.instance_id).where(
        ProcessInstance.definition_key == "loan_referral")
    unread = db.session.scalars(select(Notification).where(Notification.read_at.is_(None),
                                                           Notification.outbox_id.not_in(referral_bells))).all()
    assert len(unread) == demo_people.FATES["contact_due"]


def check_five_vietnamese_sales_reps_and_a_manager():
    users = {u.username: u for u in db.session.scalars(select(User))}
    reps = sorted(name for name, user in users.items() if user.role_names == {"sales"})
    assert reps == REPS
    assert "manager" in users["manager"].role_names
    for name in [*REPS, "manager"]:
        assert users[name].locale == "vi" and users[name].is_demo
        assert len(users[name].full_name.split()) >= 3


def test_every_demo_referral_fits_its_product_and_names_known_products_and_consultants():
    for story in demo_referrals.STORIES:
        company, product = story.product.split("/")
        _, (low, high), (shortest, longest), _ = demo_referrals.COMPANIES[company][1][product]
        assert low <= story.amount <= high and shortest <= story.term <= longest
        assert story.consultant in (None, *demo_referrals.CONSULTANTS)
        for step in story.steps:
            if step[1] == "result" and step[3].get("cross_sell"):
                other_company, other = step[3]["cross_sell"].split("/")
                assert other in demo_referrals.COMPANIES[other_company][1]
    served = {code for _, codes in demo_referrals.CONSULTANTS.values() for code in codes}
    assert served == set(demo_referrals.COMPANIES)


# What the referral part of the load must give.


def check_referral_catalogue_and_consultants():
    """Four finance companies with one to three products each, commission rates from 1.5 to
    4 %, one product with an ended policy and the one after it, one without any; the three
    consultants with their own phones, every company served."""
    from processes.referrals import consultants
    from processes.referrals.models import CommissionPolicy, ConsultantCompany, FinanceCompany, LoanProduct

    companies = {c.code: c for c in db.session.scalars(select(FinanceCompany))}
    assert set(companies) == {"fe_credit", "home_credit", "hd_saison", "mcredit"}
    products = db.session.scalars(select(LoanProduct)).all()
    assert all(1 <= Counter(p.company_id for p in products)[c.id] <= 3 for c in companies.values())
    assert {p.name for p in products} == {"Vay tiền mặt", "Vay mua điện máy / xe máy", "Thẻ tín dụng",
                                          "Vay theo lương"}
    assert all(p.min_amount >= 1_000_000 and p.max_amount <= 100_000_000 for p in products)
    policies = db.session.scalars(select(CommissionPolicy)).all()
    assert all(1.5 <= p.rate_percent <= 4 for p in policies)
    by_product = Counter(p.product_id for p in policies)
    assert sum(1 for p in products if by_product[p.id] == 0) == 1
    today = utcnow().astimezone(VIETNAM).date()
    [changed] = [product_id for product_id, count in by_product.items() if count == 2]
    old, new = sorted((p for p in policies if p.product_id == changed), key=lambda p: p.valid_from)
    assert old.valid_to < today and new.valid_to is None
    assert new.valid_from == old.valid_to + timedelta(days=1)
    names = [f"consultant{n}" for n in range(1, 4)]
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(names)))}
    phones = [users[name].phone for name in names]
    assert len(set(phones)) == 3 and all(phone.startswith("+849") for phone in phones)
    links = db.session.scalars(select(ConsultantCompany)).all()
    assert {link.company_id for link in links} == {c.id for c in companies.values()}
    assert max(Counter(link.username for link in links).values()) >= 2  # some serve several
    assert all(consultants.ranking(c.id) for c in companies.values())


def check_referrals_in_every_state_through_the_procedure(before):
    from processes.referrals import views as referral_views
    from processes.referrals.models import Offer, Referral

    referrals = db.session.scalars(select(Referral).order_by(Referral.id)).all()
    assert 14 <= len(referrals) <= 18
    assert Counter(r.referrer for r in referrals).keys() == {"partner1", "partner2"}
    cases = {i.id: i for i in db.session.scalars(select(ProcessInstance).filter_by(
        definition_key="loan_referral"))}
    open_tasks = {t.instance_id: t for t in db.session.scalars(select(HumanTask).filter_by(
        definition_key="loan_referral", state="open"))}
    assert {r.instance_id for r in referrals} == set(cases)
    waiting = [r for r in referrals if r.state == "in_progress" and r.consultant is None]
    assert 2 <= len(waiting) <= 3
    assert all(open_tasks[r.instance_id].element_id == "accept_referral" for r in waiting)
    assert Counter(open_tasks[r.instance_id].assignee for r in waiting)["consultant1"] >= 1
    worked = [r for r in referrals
              if r.state == "in_progress" and r.consultant and r.cross_sell_state is None]
    assert 3 <= len(worked) <= 4
    assert all(open_tasks[r.instance_id].element_id == "work_referral" for r in worked)
    assert db.session.scalar(select(func.count()).select_from(Offer).filter_by(answer="handed_back")) >= 1
    disbursed = [r for r in referrals if r.state == "disbursed"]
    assert 4 <= len(disbursed) <= 6 and all(cases[r.instance_id].status == "completed" for r in disbursed)
    failed = Counter((r.result, r.cross_sell_state) for r in referrals if r.state == "failed")
    assert failed[("rejected", None)] >= 1 and failed[("not_eligible", None)] >= 1
    assert failed[("not_eligible", "refused")] == 1
    assert [r.state for r in referrals if r.cross_sell_state == "started"] == ["disbursed"]
    [asked] = referral_views.open_requests("partner2")
    assert open_tasks.get(asked.instance_id) is None and cases[asked.instance_id].status != "completed"
    check_referral_times_tell_a_60_day_story(referrals, before)
    check_referral_histories_tell_each_event_when_it_happened(referrals, before)


def check_referral_times_tell_a_60_day_story(referrals, before):
    """Submitted over the last 60 days, each valid for its product; accepted after that and
    within the ranking's 90 days; disbursed ones a few days after their acceptance."""
    from processes.referrals.models import Offer

    now = utcnow()
    assert len({r.created_at.astimezone(VIETNAM).date() for r in referrals}) >= 10
    for r in referrals:
        assert before - timedelta(days=61) < r.created_at < now
        assert r.product.min_amount <= r.amount <= r.product.max_amount
        assert r.product.min_term_months <= r.term_months <= r.product.max_term_months
        if r.accepted_at is not None:
            assert r.created_at < r.accepted_at < now and now - r.accepted_at < timedelta(days=90)
        if r.state == "disbursed":
            assert timedelta(days=1) < r.closed_at - r.accepted_at < timedelta(days=10)
        offers = db.session.scalars(select(Offer).filter_by(referral_id=r.id).order_by(Offer.id)).all()
        assert offers and offers[0].offered_at >= r.created_at
    phones = [r.phone for r in referrals if r.state == "in_progress"]
    assert len(set(phones)) == len(phones)


def check_referral_histories_tell_each_event_when_it_happened(referrals, before):
    """The history the referrer reads: sent when the referral was created, accepted when it
    was, closed when it was; in order, none after now, and not all at the load (issue 13).
    The chain of each history still verifies."""
    from engine import audit
    from processes.referrals import views as referral_views

    now = utcnow()
    for r in referrals:
        events = referral_views.history(r)
        times = [e.at for e in events]
        assert times == sorted(times) and times[-1] < now, r.id
        at = {e.kind: e.at for e in reversed(events)}   # the first event of each kind
        assert events[0].kind == "referral_submitted" and events[0].at == r.created_at
        if r.accepted_at is not None:
            assert at["referral_accepted"] == r.accepted_at
        if r.closed_at is not None:
            assert at["referral_closed"] == r.closed_at
        if r.state == "disbursed":
            assert at["referral_closed"] - at["referral_submitted"] > timedelta(days=1)
        assert r.created_at > before - timedelta(days=61)
        assert audit.verify(f"referral:{r.id}") == []
    old = [r for r in referrals if r.created_at < before - timedelta(days=2)]
    assert old and all(referral_views.history(r)[0].at < before - timedelta(days=2) for r in old)


def check_commissions_by_the_policy_of_their_day_pending_and_paid():
    from processes.referrals.models import Commission, Referral
    from processes.referrals.referrals import commission_policy

    commissions = db.session.scalars(select(Commission)).all()
    assert {c.referral_id for c in commissions} == set(db.session.scalars(select(Referral.id).filter_by(
        state="disbursed")))
    for c in commissions:
        referral = db.session.get(Referral, c.referral_id)
        assert c.earned_on == referral.closed_at.astimezone(VIETNAM).date()
        assert commission_policy(c.product_id, c.earned_on).id == c.policy_id
        assert c.amount == (c.base_amount * c.rate_percent / 100).quantize(c.amount)
    states = Counter(c.state for c in commissions)
    assert states["paid"] == 2 and states["pending"] >= 3
    assert all(c.paid_by == "admin" and c.paid_at > db.session.get(Referral, c.referral_id).closed_at
               for c in commissions if c.state == "paid")
    # the product whose policy changed earned by both rates
    rates = defaultdict(set)
    for c in commissions:
        rates[c.product_id].add(c.rate_percent)
    assert max(len(r) for r in rates.values()) == 2
