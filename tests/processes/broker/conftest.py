"""Fixtures of the broker tests: the ЭДО contract diagram; for the paperwork our requisites
filled in, a case to issue documents for, and a deal's context as the deal's helper passes it."""
import pytest

import engine
from engine.db import db
from processes.broker.paperwork import requisites
from tests.conftest import deploy_file

OURS = {**requisites.SAMPLE, "name": "Общество с ограниченной ответственностью «Кредитный Брокер»",
        "short_name": "ООО «Кредитный Брокер»"}


def deal(**changes):
    """A deal's context: the client, the loan and the fee (1 234 567,89 ₽)."""
    given = {
        "date": "2026-12-07",
        "client": {"name": "ООО «Ромашка»", "inn": "5001122339", "kpp": "500101001",
                   "address": "г. Химки, ул. Ленина, д. 10", "signatory": "Петров Пётр Петрович",
                   "signatory_title": "Генеральный директор"},
        "deal": {"id": 7, "loan_amount": 50_000_000, "term_months": 36, "product": "Оборотный кредит"},
        "contract": {"number": "Д-2026-0001", "date": "2026-11-20"},
        "amount": "1234567.89",
    }
    given.update(changes)
    return given


@pytest.fixture
def ours(app):
    """Our requisites, filled in by the team lead."""
    requisites.save(OURS, actor="lead")


@pytest.fixture
def case(app):
    """``start()``: a new case to attach documents to; returns its id."""
    deploy_file("two_lanes.bpmn")
    db.session.commit()

    def start():
        return engine.start("two_lanes", actor="manager", data={"name": "ООО «Ромашка»"}).id
    return start


@pytest.fixture
def edo_app(app):
    """The app (the broker domain registers the ЭДО operators) with the contract diagram, and
    a counterparty that answers only when a test says so."""
    app.config.update(TASKLANE_EDO_DEV_DELIVER_SECONDS=0.0, TASKLANE_EDO_DEV_SIGN_SECONDS=0.0)
    deploy_file("edo_contract.bpmn")
    return app
