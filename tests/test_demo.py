"""The demo data ``make run`` loads (tasklane/demo.py, tasklane/demo_people.py): about 200
Vietnamese leads entered through crm and driven through the lead-handling procedure."""
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
from tasklane import demo, demo_people
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
def test_loading_the_demo_into_a_fresh_database_gives_a_living_pipeline_and_loading_again_adds_nothing(app):
    service.ensure_demo_users("demo")
    for name in ("lead_handling", "prospect_pipeline"):
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
    counts = [db.session.scalar(select(func.count()).select_from(model))
              for model in (Customer, ProcessInstance, Interaction, Order)]
    assert demo.load() == 0
    assert [db.session.scalar(select(func.count()).select_from(model))
            for model in (Customer, ProcessInstance, Interaction, Order)] == counts


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
    pending = db.session.scalars(select(Timer).filter_by(state="pending")).all()
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
    # in the team queue, and in the reps' own tabs: their contacts' call-backs, some of today's leads
    assert sum(t.assignee is None for t in tasks) > len(tasks) / 2
    contacts = {c.instance_id: c.owner for c in db.session.scalars(select(Customer))}
    assert all(t.assignee == contacts[t.instance_id] for t in tasks if t.element_id == "call_contact")
    assert {t.assignee for t in tasks if t.element_id == "call_lead"} > {None}
    # the bells of calls made were read; those of contacts still waiting for their call are not
    unread = db.session.scalars(select(Notification).where(Notification.read_at.is_(None))).all()
    assert len(unread) == demo_people.FATES["contact_due"]


def check_five_vietnamese_sales_reps_and_a_manager():
    users = {u.username: u for u in db.session.scalars(select(User))}
    reps = sorted(name for name, user in users.items() if user.role_names == {"sales"})
    assert reps == REPS
    assert "manager" in users["manager"].role_names
    for name in [*REPS, "manager"]:
        assert users[name].locale == "vi" and users[name].is_demo
        assert len(users[name].full_name.split()) >= 3
