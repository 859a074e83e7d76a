"""A lead stored as +84362345678 (entered as 0166 234 5678) is found however its number is
written, in every search box that may be given a phone and in the search APIs; pages show
the number as the reader writes it, the API as E.164 (issue 13, docs/crm.md)."""
import re

import pytest

import engine
from accounts import service, tokens
from accounts.models import User
from crm.models import Customer
from engine.db import db
from engine.models import HumanTask
from processes.leads import entry as leads
from processes.pipeline import prospects as pipeline
from tests.conftest import ROOT

WRITTEN = ["01662345678", "0166 234 5678", "+84 166 234 5678", "0362345678", "84362345678",
           "036.234.5678", "2345678"]
BAD = ["Nguyễn'; DROP TABLE--", "a" * 500, "0" * 500, "%_\\", "+", "😀 0912"]


@pytest.fixture
def people(app, users):
    """The lead (old number), another lead, a Russian one: each with its lead case and in the pipeline."""
    for name in ("lead_handling", "prospect_pipeline"):
        engine.deploy((ROOT / "bpmn" / f"{name}.bpmn").read_bytes(), actor="owner", name=f"{name}.bpmn",
                      roles=service.role_names())
    db.session.commit()
    made = {}
    for key, name, phone in (("lead", "Trần Thị Mai", "0166 234 5678"),
                             ("other", "Lê Văn Tám", "0912 000 111"),
                             ("russian", "Иван Петров", "8 912 345-67-89")):
        customer = leads.create_lead({"name": name, "phone": phone, "owner": "sales1"}, actor="manager",
                                     source="referral").customer
        pipeline.enter(customer.id, actor="manager")
        made[key] = customer.id
    db.session.commit()
    return {key: db.session.get(Customer, customer_id) for key, customer_id in made.items()}


def token(username):
    _row, issued = tokens.issue(db.session.query(User).filter_by(username=username).one())
    db.session.commit()
    return {"Authorization": f"Bearer {issued}"}


def page(client, path, **query):
    response = client.get(path, query_string=query or None)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def cases_of(customer):
    return {customer.instance_id, customer.pipeline_instance_id}


def tasks_of(customer):
    return {t.id for t in db.session.query(HumanTask).filter(
        HumanTask.instance_id.in_(cases_of(customer)), HumanTask.state == "open")}


def found_by_every_search(client, api_client, people, text):
    """``{search: whether it finds the lead and not the other}`` for one search text."""
    lead, other = people["lead"], people["other"]
    inbox = set(re.findall(r'data-task="([^"]+)"', page(client, "/inbox", tab="all", q=text)))
    cases = {int(n) for n in re.findall(r'href="/cases/(\d+)"', page(client, "/cases", q=text))}
    api_tasks = api_client.get("/api/v1/tasks", query_string={"tab": "all", "q": text, "per_page": 100},
                               headers=token("manager")).get_json()
    api_prospects = api_client.get("/api/v1/prospects", query_string={"q": text},
                                   headers=token("manager")).get_json()

    def alone(found, mine, theirs):
        return bool(found & mine) and not found & theirs

    def named(html):
        return lead.name in html and other.name not in html

    return {
        "inbox": alone(inbox, {str(t) for t in tasks_of(lead)}, {str(t) for t in tasks_of(other)}),
        "cases": alone(cases, cases_of(lead), cases_of(other)),
        "leads": named(page(client, "/leads", q=text)),
        "pipeline board": named(page(client, "/pipeline", q=text)),
        "pipeline list": named(page(client, "/pipeline/list", q=text)),
        "api tasks": alone({t["id"] for t in api_tasks["items"]}, tasks_of(lead), tasks_of(other)),
        "api prospects": alone({p["id"] for p in api_prospects["items"]}, {lead.id}, {other.id}),
    }


@pytest.mark.parametrize("text", WRITTEN)
def test_the_lead_is_found_in_every_search_however_its_number_is_written(people, sign_in, app, text):
    assert people["lead"].phone == "+84362345678"
    found = found_by_every_search(sign_in("manager"), app.test_client(), people, text)
    assert found == dict.fromkeys(found, True)


def test_a_number_that_is_nobodys_finds_nobody(people, sign_in, app):
    found = found_by_every_search(sign_in("manager"), app.test_client(), people, "0362 345 679")
    assert not any(found.values()), found


def test_the_russian_lead_is_found_by_its_number_written_in_russian_or_internationally(people, sign_in):
    client = sign_in("manager")
    for text in ("8 912 345-67-89", "+7 912 345 67 89", "912 345 67"):
        html = page(client, "/leads", q=text)
        assert people["russian"].name in html and people["lead"].name not in html, text


@pytest.mark.parametrize("text", BAD)
def test_bad_search_text_never_fails_a_page(people, sign_in, text):
    client = sign_in("manager")
    for path in ("/inbox", "/cases", "/leads", "/pipeline", "/pipeline/list", "/referrals"):
        response = client.get(path, query_string={"q": text})
        assert response.status_code in (200, 422), (path, response.status_code)
        assert people["lead"].name not in response.get_data(as_text=True), path


@pytest.mark.parametrize("text", BAD)
def test_bad_search_text_never_fails_the_api(people, app, text):
    for path in ("/api/v1/tasks", "/api/v1/prospects"):
        response = app.test_client().get(path, query_string={"q": text}, headers=token("manager"))
        assert response.status_code in (200, 422), (path, response.status_code)
        if response.status_code == 200:
            assert response.get_json()["items"] == [], path
        else:
            assert "q" in response.get_json()["error"]["fields"]


def test_pages_show_the_number_as_a_vietnamese_reader_writes_it_and_link_the_e164(people, sign_in):
    client = sign_in("manager")   # reads Vietnamese
    lead, russian = people["lead"], people["russian"]
    for path in ("/leads", "/pipeline", "/pipeline/list", "/inbox?tab=all", "/cases"):
        html = page(client, path)
        assert "0362 345 678" in html and "+7 912 345-67-89" in html, path
        assert "+84362345678" not in html.replace('tel:+84362345678', ""), path
    prospect = page(client, f"/pipeline/{lead.id}")
    assert '<a href="tel:+84362345678">' in prospect and "0362 345 678</a>" in prospect
    [task] = [t for t in tasks_of(lead) if db.session.get(HumanTask, t).instance_id == lead.instance_id]
    shown = page(client, f"/tasks/{task}")
    assert 'href="tel:+84362345678"' in shown and "0362 345 678</a>" in shown
    assert "+7 912 345-67-89</a>" in page(client, f"/pipeline/{russian.id}")


def test_a_russian_reader_sees_a_russian_number_as_russians_write_it(people, sign_in):
    db.session.query(User).filter_by(username="manager").one().locale = "ru"
    db.session.commit()
    html = page(sign_in("manager"), "/pipeline/list")
    assert "8 (912) 345-67-89" in html and "+84 362 345 678" in html


def test_the_api_gives_numbers_as_e164(people, app):
    client = app.test_client()
    prospects = client.get("/api/v1/prospects", headers=token("manager")).get_json()["items"]
    assert {p["phone"] for p in prospects} == {"+84362345678", "+84912000111", "+79123456789"}
    tasks = client.get("/api/v1/tasks", query_string={"tab": "all", "per_page": 100},
                       headers=token("manager")).get_json()["items"]
    assert {t["subject_phone"] for t in tasks} == {"+84362345678", "+84912000111", "+79123456789"}
