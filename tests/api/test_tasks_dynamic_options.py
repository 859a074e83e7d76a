"""Completing through the API a task whose form takes its choices from the task data."""
import pytest

import engine
from accounts import service
from engine.db import db
from engine.models import HumanTask
from tests.api.conftest import error_of, open_tasks
from tests.conftest import BPMN
from tests.forms.dynamic import DATA, use_form


@pytest.fixture
def offer(users, tmp_path, monkeypatch):
    """The open ``offer`` task of a case of tests/bpmn/dynamic_options.bpmn started with :data:`DATA`."""
    use_form(tmp_path, monkeypatch)
    engine.deploy((BPMN / "dynamic_options.bpmn").read_bytes(), actor="owner", name="dynamic_options.bpmn",
                  roles=service.role_names())
    instance = engine.start("dynamic_options", actor="manager", data=DATA)
    return open_tasks(instance.id)["offer"]


def test_a_value_that_is_not_offered_is_refused_with_422(api, offer):
    response = api("sales2").post(f"/tasks/{offer.id}/complete",
                                  json={"data": {"cross_sell_product_id": "car-loan", "term_months": 6}})
    error = error_of(response, 422)
    assert error["fields"] == {"cross_sell_product_id": "Choose one of the listed options."}
    db.session.expire_all()
    assert db.session.get(HumanTask, offer.id).state == "open"


def test_an_offered_value_completes_the_task(api, offer):
    response = api("sales2").post(f"/tasks/{offer.id}/complete",
                                  json={"data": {"cross_sell_product_id": "card-gold", "channels": ["zalo"]}})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["task"]["state"] == "completed"
    assert engine.case_data(offer.instance_id)["cross_sell_product_id"] == "card-gold"


def test_reading_the_task_gives_its_form_with_the_choices_of_its_data(api, offer):
    body = api("sales2").get(f"/tasks/{offer.id}").get_json()
    properties = body["form"]["schema"]["properties"]
    assert properties["cross_sell_product_id"]["anyOf"] == [
        {"const": "card-gold", "title": "Gold card"}, {"const": "loan-home", "title": "Home loan"}]
    assert properties["term_months"]["oneOf"] == [{"const": 6, "title": "6"}, {"const": 12, "title": "12"}]
    assert properties["channels"]["items"]["anyOf"] == [{"const": "phone", "title": "phone"},
                                                        {"const": "zalo", "title": "zalo"}]
    assert properties["cross_sell_product_id"]["x-options-from-task-data"] == "product_options"
    assert body["form"]["ui_schema"] == {}
    # the variables behind the choices are not form values; ``channels`` is both a field and the
    # variable of its choices, so the form shows it filled in, as the task page does
    assert body["data"] == {"channels": ["phone", "zalo"]}


def test_a_completed_task_shows_what_was_entered_and_the_choices_offered_then(api, offer):
    entered = {"cross_sell_product_id": "loan-home", "term_months": 12}
    assert api("sales2").post(f"/tasks/{offer.id}/complete", json={"data": entered}).status_code == 200
    body = api("sales2").get(f"/tasks/{offer.id}").get_json()
    assert body["state"] == "completed" and body["data"] == entered
    assert len(body["form"]["schema"]["properties"]["cross_sell_product_id"]["anyOf"]) == 2


def test_the_form_is_hidden_from_who_may_not_see_the_task(api, offer):
    for username in ("partner1", "customer1"):
        error = error_of(api(username).get(f"/tasks/{offer.id}"), 403)
        assert "form" not in error
