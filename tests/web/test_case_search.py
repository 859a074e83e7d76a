"""Searching cases: process, version, status, start dates, people involved, customer."""
import re
from datetime import timedelta

import engine
from engine.db import db
from engine.models import ProcessInstance
from engine.types import utcnow
from tests.conftest import deploy_file


def found(client, **query):
    response = client.get("/cases", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    return {int(n) for n in re.findall(r'href="/cases/(\d+)"', html)}


def test_cases_are_found_by_process_version_and_status(two_lanes, sign_in):
    first = two_lanes("Lê Văn Bình").instance_id
    deploy_file("parallel.bpmn")
    other = engine.start("parallel_review", actor="manager", data={}).id
    client = sign_in("auditor")
    assert found(client, process="two_lanes") == {first}
    assert found(client, process="parallel_review", version="1") == {other}
    assert found(client, process="two_lanes", version="2") == set()
    engine.cancel(other, actor="manager", reason="test")
    assert found(client, status="cancelled") == {other}
    assert found(client, status="running") == {first}
    db.session.get(ProcessInstance, first).error = "script failed"
    db.session.commit()
    assert found(client, incident="1") == {first}


def test_cases_are_found_by_start_date_in_the_readers_zone(two_lanes, sign_in):
    old = two_lanes("Đỗ Thị Cúc").instance_id
    new = two_lanes("Hồ Văn Dũng").instance_id
    row = db.session.get(ProcessInstance, old)
    row.started_at = utcnow() - timedelta(days=10)
    db.session.commit()
    client = sign_in("auditor")
    today = (utcnow() + timedelta(hours=7)).date()  # the auditor's zone is Asia/Ho_Chi_Minh
    assert found(client, **{"from": today.isoformat()}) == {new}
    assert found(client, to=(today - timedelta(days=5)).isoformat()) == {old}
    both = {"from": (today - timedelta(days=10)).isoformat(), "to": today.isoformat()}
    assert found(client, **both) == {old, new}


def test_cases_are_found_by_anyone_in_their_audit_trail_and_by_customer(two_lanes, sign_in):
    worked = two_lanes("Nguyễn Văn An", "+84901234567")
    untouched = two_lanes("Trương Thị Én", "+84907654321")
    engine.complete_task(worked.id, actor="sales1", data={"note": "ok"})
    client = sign_in("auditor")
    assert found(client, actor="sales1") == {worked.instance_id}
    assert found(client, actor="manager") == {worked.instance_id, untouched.instance_id}  # started them
    assert found(client, q="truong thi en") == {untouched.instance_id}
    assert found(client, q="0907 654 321") == {untouched.instance_id}


def test_bad_search_input_is_named_on_the_form_without_an_error_page(two_lanes, sign_in):
    two_lanes()
    client = sign_in("auditor")
    for query in ({"version": "abc"}, {"from": "2026-13-40"}, {"from": "2026-05-02", "to": "2026-05-01"},
                  {"status": "exploded"}):
        response = client.get("/cases", query_string=query)
        assert response.status_code == 422, query
        assert "is-invalid" in response.get_data(as_text=True)


def test_search_results_are_paged_and_the_next_page_keeps_the_filters(two_lanes, sign_in, monkeypatch):
    from web import cases

    monkeypatch.setattr(cases, "PER_PAGE", 2)
    ids = [two_lanes(f"Khách {n}").instance_id for n in range(3)]
    client = sign_in("auditor")
    html = client.get("/cases", query_string={"process": "two_lanes"}).get_data(as_text=True)
    assert "page=2" in html and "process=two_lanes" in html
    assert found(client, process="two_lanes", page=2) == {ids[0]}
