"""Issue 13, sales reps: who takes leads in turn, and a lead staying with the rep who works it.

Round robin hands leads to the sales team only (never a manager, admin, process owner or
auditor, even one who also holds ``sales``); an owned lead's tasks open assigned to its
owner; an unowned lead becomes the rep's who calls it; the call-back comes back to them,
and its bell rings for them with a link to the task.
"""
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from accounts import service
from crm.models import Customer
from crm.records import sales_reps
from engine import outbox
from engine.db import db
from engine.errors import ValidationError
from engine.models import Notification, Outbox, ProcessInstance
from processes.leads import entry as leads
from tests.engine.helpers import complete, data, fire_when_due, open_tasks, pending_timers
from workers import delivery

LAN = {"name": "Nguyễn Thị Lan", "phone": "0162 123 4567"}
REPS = ["sales1", "sales2", "sales3", "sales4", "sales5"]


@pytest.fixture
def team(deployed):
    """Five active reps (sales1..3 from ``sales``, sales4, sales5), an inactive one (gone),
    and people holding ``sales`` beside a role that never takes leads in turn."""
    for name in ("sales4", "sales5"):
        service.add_user(name, "secret-1", ["sales"])
    for name, role in (("manager", "manager"), ("admin", "admin"), ("owner", "process_owner"),
                       ("auditor", "auditor")):
        service.add_user(name, "secret-1", [role, "sales"])
    db.session.commit()


def soon(seconds=2):
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat()


def test_only_active_reps_without_an_overseeing_role_take_leads_in_turn(team):
    assert sales_reps() == REPS
    assert sales_reps("manager") == [] and sales_reps("gone") == [] and sales_reps("sales4") == ["sales4"]


def test_eight_leads_without_owner_are_spread_over_the_five_reps_only(team):
    owners = [leads.create_lead({**LAN, "phone": f"09012345{n:02d}"}, actor="manager", source="api",
                                assign="round_robin").customer.owner for n in range(8)]
    assert set(owners) == set(REPS) and sorted(Counter(owners).values()) == [1, 1, 2, 2, 2]
    assert owners == [*REPS, "sales1", "sales2", "sales3"]  # the fewest open lead tasks, then by name
    assert leads.open_lead_load() == {"sales1": 2, "sales2": 2, "sales3": 2, "sales4": 1, "sales5": 1}


def test_round_robin_without_an_active_rep_is_refused_and_nothing_is_stored(ctx):
    service.add_user("manager", "secret-1", ["manager", "sales"])
    service.add_user("gone", "secret-1", ["sales"]).active = False
    db.session.commit()
    with pytest.raises(ValidationError) as raised:
        leads.create_lead(LAN, actor="manager", source="api", assign="round_robin")
    assert raised.value.fields["owner"].startswith("No active sales rep can take the lead in turn")
    assert db.session.query(Customer).count() == 0 and db.session.query(ProcessInstance).count() == 0


def test_a_rep_entering_a_lead_owns_it_and_an_overseer_does_not(team):
    assert leads.entrant_owner("sales2") == "sales2"
    assert [leads.entrant_owner(name) for name in ("manager", "admin", "gone", None)] == [None] * 4


def test_an_owned_leads_call_task_opens_assigned_to_its_owner(team):
    result = leads.create_lead({**LAN, "owner": "sales2"}, actor="sales2", source="manual")
    task = open_tasks(result.instance.id)["call_lead"]
    assert task.assignee == "sales2" and task.candidate_role == "sales"


def test_an_unowned_lead_waits_in_the_queue_then_stays_with_the_rep_who_called_it(team):
    result = leads.create_lead(LAN, actor="manager", source="website")
    assert open_tasks(result.instance.id)["call_lead"].assignee is None
    complete(result.instance.id, "call_lead", {"outcome": "not_reached", "callback_at": soon()},
             actor="sales3")
    db.session.expire_all()
    assert db.session.get(Customer, result.customer.id).owner == "sales3"
    assert data(result.instance.id)["owner"] == "sales3"
    assert fire_when_due(pending_timers(result.instance.id)["wait_callback"]) == "fired"
    task = open_tasks(result.instance.id)["call_lead"]
    assert task.assignee == "sales3"  # the call-back comes back to the rep who set it
    [bell] = db.session.scalars(select(Outbox).filter_by(channel="in_app", kind="callback_due")).all()
    assert bell.recipient == "sales3"
    assert delivery.deliver(bell.id) == "sent"
    note = db.session.scalars(select(Notification).filter_by(kind="callback_due")).one()
    assert (note.username, note.link) == ("sales3", f"/tasks/{task.id}")


def test_a_manager_calling_an_unowned_lead_does_not_take_it_but_gets_the_call_back(team):
    result = leads.create_lead(LAN, actor="manager", source="website")
    complete(result.instance.id, "call_lead", {"outcome": "not_reached", "callback_at": soon()},
             actor="manager")
    db.session.expire_all()
    assert db.session.get(Customer, result.customer.id).owner is None
    assert fire_when_due(pending_timers(result.instance.id)["wait_callback"]) == "fired"
    assert open_tasks(result.instance.id)["call_lead"].assignee == "manager"


def test_a_contact_call_back_opens_assigned_to_the_owner(team):
    result = leads.create_lead({**LAN, "owner": "sales1"}, actor="sales1", source="manual")
    complete(result.instance.id, "call_lead", {"outcome": "reached", "closed_now": False}, actor="sales1")
    assert fire_when_due(pending_timers(result.instance.id)["wait_24h"]) == "fired"
    assert open_tasks(result.instance.id)["call_contact"].assignee == "sales1"
    db.session.expire_all()
    assert db.session.get(Customer, result.customer.id).kind == "contact"


def test_a_bell_meant_for_the_open_task_of_a_case_without_one_links_to_the_case(team):
    result = leads.create_lead({**LAN, "owner": "sales1"}, actor="sales1", source="manual")
    complete(result.instance.id, "call_lead", {"outcome": "no_need"}, actor="sales1")
    assert open_tasks(result.instance.id) == {}
    row = Outbox(channel="in_app", recipient="sales1", link=outbox.OPEN_TASK, instance_id=result.instance.id)
    assert outbox.resolve_link(row) == f"/cases/{result.instance.id}"
    assert outbox.resolve_link(Outbox(channel="in_app", recipient="sales1", link="/leads")) == "/leads"
