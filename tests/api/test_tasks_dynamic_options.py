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
