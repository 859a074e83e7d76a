"""A paused deadline on the pages (issue 15): the inbox, the task page and the case page say
"paused" instead of a due time, in Vietnamese, Russian and English, and the due time after."""
import re

import pytest

import engine
from engine.db import db
from engine.models import HumanTask
from tests.conftest import ROOT, seed
from tests.web.conftest import post

PARALLEL = (ROOT / "tests" / "bpmn" / "deadline_pause_parallel.bpmn").read_text(encoding="utf-8").replace(
    '<spiffworkflow:property name="dueInBusinessDays" value="2" />',
    '<spiffworkflow:property name="dueIn" value="&quot;PT4H&quot;" />').replace(
    '<spiffworkflow:property name="businessCalendar" value="RU" />', "")
PAUSED = {"vi": ("Tạm dừng thời hạn", "Tạm dừng từ"), "ru": ("Срок приостановлен", "Приостановлен с"),
          "en": ("Deadline paused", "Paused since")}


@pytest.fixture
def paused_case(app, users):
    """A case whose open analysis is paused by an open upload; returns ``(case id, analysis row)``."""
    seed("web-deadline-pause", lambda: engine.deploy(PARALLEL, actor="owner", name="p.bpmn"))
    case_id = engine.start("deadline_pause_parallel", actor="manager").id
    engine.send_message(case_id, "documents_requested", actor="manager")
    task = db.session.query(HumanTask).filter_by(instance_id=case_id, element_id="analysis").one()
    return case_id, task


def row_of(html, task_id):
    """The inbox row of one task."""
    return re.search(rf'data-task="{task_id}".*?(?=data-task="|\Z)', html, re.S).group(0)


@pytest.mark.parametrize("language", ["vi", "ru", "en"])
def test_the_pages_say_the_deadline_is_paused_in_the_readers_language(paused_case, sign_in, language):
    case_id, task = paused_case
    client = sign_in("manager")
    post(client, "/language", {"language": language})
    badge, since = PAUSED[language]
    row = row_of(client.get("/inbox?tab=all").get_data(as_text=True), task.id)
    assert 'data-deadline="paused"' in row and badge in row and "bi-clock" not in row
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert badge in page and since in page
    case = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-deadline="analysis" data-state="paused"' in case and badge in case


def test_after_the_request_the_pages_show_the_due_time_again(paused_case, sign_in):
    case_id, task = paused_case
    upload = db.session.query(HumanTask).filter_by(instance_id=case_id, element_id="upload_documents").one()
    engine.complete_task(upload.id, actor="partner1")
    client = sign_in("manager")
    post(client, "/language", {"language": "en"})
    row = row_of(client.get("/inbox?tab=all").get_data(as_text=True), task.id)
    assert 'data-deadline="paused"' not in row and "bi-clock" in row
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Deadline paused" not in page and "Due" in page
    case = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-deadline="analysis" data-state="running"' in case
    assert "Deadline paused" in case and "Deadline runs again" in case   # the timeline tells both
