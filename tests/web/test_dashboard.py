"""The process dashboard page: who may open it, what it shows in the reader's language, bad input."""
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale, gettext

import engine
from engine.db import db
from engine.models import HumanTask, ProcessInstance
from engine.types import utcnow
from tests.conftest import deploy_file

UTC = timezone.utc
# Monday 10 March 2025, 09:00 in Ho Chi Minh City (UTC+7); the period is that week and the next.
MONDAY = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
PERIOD = "process=two_lanes&period=custom&from=2025-03-10&to=2025-03-23"


def vi(message, **variables):
    with force_locale("vi"):
        return gettext(message, **variables)


def open_task(instance_id):
    return db.session.query(HumanTask).filter_by(instance_id=instance_id, state="open").one()


@pytest.fixture
def cases(app, users):
    """Three cases of two_lanes: one per week of the period (the first completed in 2 days,
    its call answered in 30 minutes, the second's in 90), and one started now whose call is overdue."""
    deploy_file("two_lanes.bpmn")
    deploy_file("wait.bpmn")
    started = []
    for start, wait in ((MONDAY, 30), (datetime(2025, 3, 16, 17, 30, tzinfo=UTC), 90)):
        instance = engine.start("two_lanes", actor="manager", data={"name": "Lan", "phone": "+84901234567"})
        call = open_task(instance.id)
        engine.complete_task(call.id, actor="sales1", data={})
        call = db.session.get(HumanTask, call.id)
        call.created_at, call.completed_at = start, start + timedelta(minutes=wait)
        open_task(instance.id).created_at = start + timedelta(minutes=wait)
        row = db.session.get(ProcessInstance, instance.id)
        row.started_at = start
        started.append(row)
        db.session.commit()   # the next start commits only its own case
    started[0].status, started[0].ended_at = "completed", MONDAY + timedelta(days=2)
    db.session.commit()
    late = engine.start("two_lanes", actor="manager", data={"name": "Vũ Ngọc Mai", "phone": "+84977333444"})
    task = open_task(late.id)
    task.created_at, task.due_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1, minutes=1)
    db.session.commit()
    return task


def week(html, monday):
    """``(started, completed, cancelled, running)`` of the table row of the week from ``monday``."""
    row = re.search(rf'data-week="{monday}">(.*?)</tr>', html, re.S).group(1)
    return tuple(re.search(rf"data-{name}>(\d+)<", row).group(1)
                 for name in ("started", "completed", "cancelled", "running"))


def chart_data(html):
    return json.loads(re.search(r'<script type="application/json" id="tl-dashboard-data">(.*?)</script>',
                                html, re.S).group(1))


def test_only_process_owners_managers_admins_and_auditors_may_open_the_dashboard(sign_in):
    for username in ("sales1", "partner1", "customer1"):
        assert sign_in(username).get("/dashboard").status_code == 403
    for username in ("owner", "manager", "admin", "auditor"):
        assert sign_in(username).get("/dashboard").status_code == 200


def test_without_a_deployed_process_the_page_says_so(sign_in):
    html = sign_in("manager").get("/dashboard").get_data(as_text=True)
    assert "data-no-process" in html and "tl-dashboard-data" not in html


def test_the_dashboard_shows_every_figure_of_the_process_in_the_readers_language(cases, sign_in):
    response = sign_in("manager").get(f"/dashboard?{PERIOD}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="vi">' in html
    assert vi("Process dashboard") in html and vi("Waiting time per task") in html
    # The second case started on Sunday in UTC but Monday the 17th in Ho Chi Minh City.
    assert week(html, "2025-03-10") == ("1", "1", "0", "0")
    assert week(html, "2025-03-17") == ("1", "0", "0", "1")
    assert "data-cycle-median>" + vi("%(days)d d %(hours)d h", days=2, hours=0) + "<" in html
    call = re.search(r'data-element="call">(.*?)</tr>', html, re.S).group(1)
    assert "data-count>2<" in call
    assert "data-median>" + vi("%(hours)d h %(minutes)02d min", hours=1, minutes=0) + "<" in call
    assert "data-p90>" + vi("%(hours)d h %(minutes)02d min", hours=1, minutes=30) + "<" in call
    assert 'data-overdue-count="1"' in html
    overdue = re.search(rf'data-task="{cases.id}">(.*?)</tr>', html, re.S).group(1)
    assert f'href="/tasks/{cases.id}"' in overdue and f'href="/cases/{cases.instance_id}"' in overdue
    assert "Vũ Ngọc Mai" in overdue
    assert "data-late>" + vi("%(hours)d h %(minutes)02d min", hours=1, minutes=1) + "<" in overdue
    charts = chart_data(html)
    assert [(w["started"], w["completed"], w["running"]) for w in charts["weeks"]] == [(1, 1, 0), (1, 0, 1)]
    assert [(w["median"], w["p90"]) for w in charts["waits"]] == [(1.0, 1.5)]
    assert "dashboard.js" in html and "<script>" not in html


def test_the_first_deployed_process_is_shown_unless_another_is_asked_for(cases, sign_in):
    client = sign_in("manager")
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<option value="two_lanes" selected>' in html
    other = client.get("/dashboard?process=wait_then_call&version=1").get_data(as_text=True)
    assert '<option value="wait_then_call" selected>' in other and 'data-overdue-count="0"' in other


def test_one_version_of_the_process_can_be_chosen(cases, sign_in):
    html = sign_in("manager").get(f"/dashboard?{PERIOD}&version=1").get_data(as_text=True)
    assert '<option value="1" selected>' in html and 'data-overdue-count="1"' in html


@pytest.mark.parametrize(("query", "field", "message"), [
    ("process=nope", "process", "Choose one of the listed processes."),
    ("process=two_lanes&version=7", "version", "Choose one of the listed versions."),
    ("process=two_lanes&version=one", "version", "Choose one of the listed versions."),
    ("period=custom&from=2025-03-23&to=2025-03-10", "to", "The end date is before the start date."),
    ("period=custom&from=yesterday&to=2025-03-10", "from", "Enter a valid date, such as 2026-11-22."),
    ("period=custom&to=2025-03-10", "from", "Enter a date."),
    ("period=custom&from=2024-01-01&to=2025-03-10", "to", "Choose at most %(num)d days."),
    ("period=fortnight", "period", "Choose one of the listed periods."),
])
def test_bad_input_is_refused_with_a_clear_message_not_a_server_error(cases, sign_in, query, field, message):
    page = sign_in("manager").get(f"/dashboard?{query}")
    html = page.get_data(as_text=True).replace("&#39;", "'")
    expected = vi(message, num=366) if "%(num)d" in message else vi(message)
    assert page.status_code == 422
    assert f'id="dashboard-{field}-error">{expected}<' in html
    assert vi("Check the process and the period.") in html


@pytest.mark.parametrize("lang, zone, words", [
    ("vi", "Asia/Ho_Chi_Minh", "thời gian theo giờ Việt Nam."),
    ("en", "Asia/Ho_Chi_Minh", "times in Vietnam time."),
    ("ru", "Asia/Ho_Chi_Minh", "время указано по часовому поясу «Вьетнам»."),
    ("ru", "Europe/Moscow", "время указано по часовому поясу «Россия (Москва)»."),
    ("vi", "UTC", "thời gian theo giờ Phối hợp Quốc tế."),
    ("en", "Etc/UTC", "times in Coordinated Universal Time."),
])
def test_the_period_sentence_names_the_time_zone_in_words_of_the_readers_language(
        cases, sign_in, lang, zone, words):
    from accounts.models import User

    manager = db.session.query(User).filter_by(username="manager").one()
    manager.locale, manager.timezone = lang, zone
    db.session.commit()
    html = sign_in("manager").get(f"/dashboard?{PERIOD}").get_data(as_text=True)
    sentence = re.search(r"data-period>(.*?)</p>", html, re.S).group(1)
    assert sentence.endswith(words)
    assert zone not in sentence and "летнее" not in sentence
