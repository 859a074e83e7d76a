"""``GET /instances``: the case search of the cases page over the API, paged, by visibility."""
from datetime import UTC, datetime

import pytest

import engine
from accounts import service
from engine.db import db
from engine.models import ProcessInstance
from tests.api.conftest import LEAD, TWO_LANES, error_of


def ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


@pytest.fixture
def cases(users, two_lanes, lead):
    """Cases to search: ``lead`` (lead_handling, by manager), ``first`` and ``second`` of
    api_two_lanes v1, ``newer`` of v2 (started by partner1), ``broken`` (an incident,
    cancelled), each started on its own day of May 2026."""
    first = two_lanes().instance_id
    second = two_lanes(actor="sales1").instance_id
    engine.deploy(TWO_LANES.replace("Call, then approve", "Call, then approve (v2)"), actor="owner",
                  name="two_lanes.bpmn", roles=service.role_names())
    newer = two_lanes(actor="partner1").instance_id
    broken = two_lanes().instance_id
    engine.cancel(broken, actor="manager")
    found = {"lead": lead.instance_id, "first": first, "second": second, "newer": newer, "broken": broken}
    for day, instance_id in enumerate(found.values(), start=1):
        db.session.get(ProcessInstance, instance_id).started_at = datetime(2026, 5, day, 8, tzinfo=UTC)
    db.session.get(ProcessInstance, broken).error = "The script failed: name 'x' is not defined"
    db.session.commit()
    return found


def test_a_manager_lists_every_case_newest_first_with_its_process_and_state(api, cases):
    body = api("manager").get("/instances").get_json()
    assert [item["id"] for item in body["items"]] == sorted(cases.values(), reverse=True)
    assert (body["total"], body["page"], body["per_page"]) == (5, 1, 25)
    row = next(item for item in body["items"] if item["id"] == cases["newer"])
    assert row == {**row, "process": "api_two_lanes", "process_name": "Call, then approve (v2)", "version": 2,
                   "status": "running", "business_key": None, "started_by": "partner1", "ended_at": None,
                   "error": None}
    assert row["started_at"] == "2026-05-04T08:00:00+00:00"
    broken = next(item for item in body["items"] if item["id"] == cases["broken"])
    assert broken["status"] == "cancelled" and broken["ended_at"] and broken["error"].startswith("The script")


@pytest.mark.parametrize(("query", "expected"), [
    ("process=lead_handling", ["lead"]),
    ("process=api_two_lanes&version=1", ["second", "first"]),
    ("version=2", ["broken", "newer"]),
    ("status=cancelled", ["broken"]),
    ("status=running&process=api_two_lanes", ["newer", "second", "first"]),
    ("incident=true", ["broken"]),
    ("incident=false&process=api_two_lanes", ["newer", "second", "first"]),
    # started_after includes its moment, started_before leaves it out
    ("started_after=2026-05-02T08:00:00Z", ["broken", "newer", "second", "first"]),
    ("started_before=2026-05-02T08:00:00Z", ["lead"]),
    ("started_after=2026-05-02T00:00:00%2B07:00&started_before=2026-05-03T09:00:00", ["second", "first"]),
    (f"q={LEAD['name']}", ["lead"]),
    ("q=0912345678", ["lead"]),
    ("q=Nobody%20Here", []),
])
def test_each_filter_narrows_the_search(api, cases, query, expected):
    found = api("manager").get(f"/instances?{query}")
    assert ids(found) == [cases[name] for name in expected]
    assert found.get_json()["total"] == len(expected)


def test_pages_split_the_search_and_the_total_counts_every_match(api, cases):
    manager = api("manager")
    newest = sorted(cases.values(), reverse=True)
    assert ids(manager.get("/instances?per_page=2")) == newest[:2]
    page = manager.get("/instances?per_page=2&page=3").get_json()
    assert [item["id"] for item in page["items"]] == newest[4:] and page["total"] == 5
    assert ids(manager.get("/instances?per_page=2&page=9")) == []
    assert ids(manager.get("/instances?per_page=100")) == newest


@pytest.mark.parametrize(("query", "field"), [
    ("per_page=0", "per_page"), ("per_page=101", "per_page"), ("page=0", "page"),
    ("started_after=yesterday", "started_after"), ("started_before=2026-13-01T00:00:00Z", "started_before"),
    ("started_after=2026-05-03T00:00:00Z&started_before=2026-05-02T00:00:00Z", "started_before"),
    ("status=lost", "status"), ("version=x", "version"), ("version=0", "version"),
    ("incident=perhaps", "incident"), ("sort=id", "sort"),
])
def test_bad_parameters_are_422_naming_them(api, cases, query, field):
    error = error_of(api("manager").get(f"/instances?{query}"), 422)
    assert set(error["fields"]) == {field}


def test_a_bad_date_is_explained_in_the_readers_language(api, cases):
    error = error_of(api("sales1").get("/instances?started_after=hôm-qua"), 422)
    assert error["fields"]["started_after"] == "Nhập ngày giờ hợp lệ."


def test_partners_customers_and_reps_see_only_their_cases(api, cases):
    assert ids(api("partner1").get("/instances")) == [cases["newer"]]
    assert ids(api("partner1").get("/instances?process=lead_handling")) == []
    nothing = {"items": [], "total": 0, "page": 1, "per_page": 25}
    assert api("customer1").get("/instances").get_json() == nothing
    # sales1 started one case and may claim the open calls of the running ones
    assert ids(api("sales1").get("/instances?process=api_two_lanes")) == [cases["newer"], cases["second"],
                                                                          cases["first"]]
    assert set(ids(api("auditor").get("/instances"))) == set(cases.values())


def test_the_search_needs_a_token(api, cases):
    error_of(api(None).get("/instances"), 401)


def test_the_total_stops_counting_past_the_cap_as_the_task_list_does(api, cases, monkeypatch):
    from web.api import instances

    monkeypatch.setattr(instances, "COUNT_CAP", 3)
    body = api("manager").get("/instances?per_page=2").get_json()
    assert body["total"] == 4 and len(body["items"]) == 2  # 4: "more than 3"
