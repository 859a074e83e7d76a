"""The case diagram: completed elements, the flows taken, what waits now; an element's events."""
from datetime import timedelta

import engine
from engine.types import utcnow
from tests.conftest import deploy_file
from tests.engine.helpers import complete, fire_when_due, pending_timers

LEAD_FLOWS = {"f_received", "f_prepared", "f_called", "f_call_recorded", "f_not_reached", "f_no_need",
              "f_reached", "f_callback_due", "f_call_again", "f_lead_closed", "f_bought_now", "f_not_yet",
              "f_order", "f_converted", "f_day_passed", "f_reminded", "f_contact_called",
              "f_contact_call_recorded", "f_contact_bought", "f_contact_lost", "f_contact_closed",
              "f_call_contact_again", "f_next_call_due"}


def finish_lead_not_reached_then_bought(lead):
    engine.complete_task(lead.id, actor="sales1", data={
        "outcome": "not_reached", "callback_at": (utcnow() + timedelta(minutes=5)).isoformat()})
    fire_when_due(pending_timers(lead.instance_id)["wait_callback"])
    complete(lead.instance_id, "call_lead", {"outcome": "reached", "closed_now": True, "product": "Gói A",
                                             "quantity": 1, "amount": 1500000})
    return lead.instance_id


def test_a_finished_lead_case_shows_exactly_the_flows_it_took(lead, sign_in):
    instance_id = finish_lead_not_reached_then_bought(lead)
    response = sign_in("auditor").get(f"/cases/{instance_id}/diagram.json")
    assert response.status_code == 200
    state = response.get_json()
    taken = {"f_received", "f_prepared", "f_called", "f_call_recorded", "f_not_reached", "f_callback_due",
             "f_call_again", "f_reached", "f_bought_now", "f_order"}
    assert set(state["taken_flows"]) == taken
    assert not set(state["taken_flows"]) & (LEAD_FLOWS - taken)
    done = {"lead_received", "call_lead", "wait_callback", "create_order", "order_created"}
    assert done <= set(state["completed"])
    assert not {"close_lead", "convert_to_contact", "wait_24h"} & set(state["completed"])
    assert state["waiting"] == [] and "<bpmn:definitions" in state["xml"]


def test_a_running_case_shows_the_ready_task_and_the_flow_into_it_as_waiting(lead, sign_in):
    engine.complete_task(lead.id, actor="sales1", data={
        "outcome": "not_reached", "callback_at": (utcnow() + timedelta(hours=2)).isoformat()})
    state = sign_in("manager").get(f"/cases/{lead.instance_id}/diagram.json").get_json()
    assert state["waiting"] == ["wait_callback"]
    assert "f_not_reached" in state["taken_flows"] and "f_callback_due" not in state["taken_flows"]
    assert "wait_callback" not in state["completed"]


def test_parallel_branches_wait_at_the_join_and_the_other_task(app, users, sign_in):
    deploy_file("parallel.bpmn")
    instance = engine.start("parallel_review", actor="manager", data={})
    complete(instance.id, "prepare", {"documents": 3})
    state = sign_in("auditor").get(f"/cases/{instance.id}/diagram.json").get_json()
    assert set(state["waiting"]) == {"approve", "join"}
    assert set(state["taken_flows"]) == {"f1", "f2", "f3", "f4"}
    complete(instance.id, "approve", {"limit": 10}, actor="manager")
    state = sign_in("auditor").get(f"/cases/{instance.id}/diagram.json").get_json()
    assert set(state["taken_flows"]) == {f"f{n}" for n in range(1, 8)} and state["waiting"] == []


def test_a_case_with_a_subprocess_marks_the_inner_elements_too(app, users, sign_in):
    deploy_file("subprocess.bpmn")
    instance = engine.start("with_subprocess", actor="manager", data={})
    state = sign_in("auditor").get(f"/cases/{instance.id}/diagram.json").get_json()
    assert "upload" in state["waiting"] and "collect" in state["waiting"]
    assert {"f1", "s1"} <= set(state["taken_flows"])
    complete(instance.id, "upload", {"passport": "B12345678"})
    state = sign_in("auditor").get(f"/cases/{instance.id}/diagram.json").get_json()
    assert {"f1", "s1", "s2", "s3", "f2"} <= set(state["taken_flows"]) and state["waiting"] == ["sign"]


def test_clicking_an_element_lists_who_did_what_and_the_data_it_changed(lead, sign_in):
    instance_id = finish_lead_not_reached_then_bought(lead)
    html = sign_in("auditor").get(f"/cases/{instance_id}/elements/call_lead/events").get_data(as_text=True)
    assert html.count('data-kind="task_completed"') == 2 and "Nguyễn Văn An" in html
    assert "Not reached: call back later" in html and "not_reached" not in html and "Gói A" in html
    empty = sign_in("auditor").get(f"/cases/{instance_id}/elements/close_lead/events").get_data(as_text=True)
    assert "task_completed" not in empty and "Close the lead" in empty


def test_a_partner_may_not_see_the_diagram_or_events_of_a_sales_case(lead, sign_in):
    client = sign_in("partner1")
    assert client.get(f"/cases/{lead.instance_id}/diagram.json").status_code == 403
    assert client.get(f"/cases/{lead.instance_id}/elements/call_lead/events").status_code == 403


def test_the_case_page_carries_the_diagram_and_its_legend(lead, sign_in):
    html = sign_in("auditor").get(f"/cases/{lead.instance_id}").get_data(as_text=True)
    assert 'id="case-diagram"' in html and "case_diagram.js" in html
    assert "bpmn-viewer.production.min.js" in html
    assert "Path taken" in html and "Waiting now" in html


def test_an_exclusive_gateway_sends_one_token_so_a_later_arrival_comes_from_elsewhere():
    from web.case_diagram import Graph, replay

    diagram = Graph(tags={"P": "parallelGateway", "G": "exclusiveGateway", "A": "task", "B": "task",
                          "C": "task"},
                    flows={"p1": ("P", "A"), "p2": ("P", "G"), "g1": ("G", "B"), "g2": ("G", "C"),
                           "a1": ("A", "C")})
    assert replay(diagram, ["P", "A", "G", "B", "C"]) == {"p1", "p2", "g1", "a1"}
