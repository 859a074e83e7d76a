"""A task page whose form takes its choices from the task data (``options_from_task_data_var:``)."""
import pytest

import engine
from engine.db import db
from engine.models import AuditEvent, HumanTask
from tests.conftest import BPMN, deploy_file
from tests.forms.dynamic import DATA, use_form
from tests.web.conftest import post


@pytest.fixture
def offer(app, users, tmp_path, monkeypatch):
    """``start(data)``: a case of tests/bpmn/dynamic_options.bpmn; returns its open ``offer`` task."""
    use_form(tmp_path, monkeypatch)
    deploy_file("dynamic_options.bpmn")
    db.session.commit()

    def start(data=DATA):
        instance = engine.start("dynamic_options", actor="manager", data=data)
        return db.session.query(HumanTask).filter_by(instance_id=instance.id, state="open").one()
    return start


def rep(sign_in):
    """sales1, reading English (the demo profile says Vietnamese)."""
    client = sign_in("sales1")
    post(client, "/language", {"language": "en"})
    return client


def test_the_deploy_check_accepts_a_form_with_choices_from_the_task_data(offer):
    assert engine.validate((BPMN / "dynamic_options.bpmn").read_bytes(), name="dynamic_options.bpmn") == []


def test_the_page_offers_the_choices_held_in_the_task_data(offer, sign_in):
    html = sign_in("sales1").get(f"/tasks/{offer().id}").get_data(as_text=True)
    assert '<option value="card-gold">Gold card</option>' in html
    assert '<option value="loan-home">Home loan</option>' in html
    assert '<option value="12">12</option>' in html


def test_a_value_that_is_not_offered_is_refused_with_422_and_nothing_is_stored(offer, sign_in):
    task = offer()
    response = post(rep(sign_in), f"/tasks/{task.id}", {"cross_sell_product_id": "car-loan"})
    assert response.status_code == 422
    assert "Choose one of the listed options." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).state == "open"


def test_an_offered_value_completes_the_task(offer, sign_in):
    task = offer()
    response = post(sign_in("sales1"), f"/tasks/{task.id}",
                    {"cross_sell_product_id": "loan-home", "term_months": "6"})
    assert response.status_code == 302
    event = db.session.query(AuditEvent).filter_by(task_id=task.id, kind="task_completed").one()
    assert event.data_after == {"cross_sell_product_id": "loan-home", "term_months": 6}


def test_the_completed_task_still_shows_the_chosen_option(offer, sign_in):
    task = offer()
    client = sign_in("sales1")
    post(client, f"/tasks/{task.id}", {"cross_sell_product_id": "loan-home"})
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert '<option value="loan-home" selected>Home loan</option>' in html


def test_a_case_without_the_variable_shows_no_choices_and_refuses_any_value(offer, sign_in):
    task = offer({"terms": [6]})
    client = rep(sign_in)
    assert 'value="card-gold"' not in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    response = post(client, f"/tasks/{task.id}", {"cross_sell_product_id": "card-gold"})
    assert response.status_code == 422
    assert "This field has no choices to pick from" in response.get_data(as_text=True)
