"""The labels of the process owner's pages in Vietnamese, English and Russian (issue 13):
a process's or a task's name is not a person's name ("Họ tên"), version pickers pick
versions, not dates, and /forms says what it lists."""
import json
import re

import pytest

from accounts.models import User
from engine.db import db
from tests.web.test_processes import versioned  # noqa: F401 - fixture

LANGUAGES = {
    "vi": {"process": "Tên quy trình", "task": "Tên công việc", "from": "Từ phiên bản", "to": "Đến phiên bản",
           "forms": "Đây là các biểu mẫu mà công việc người dùng trong sơ đồ hiển thị."},
    "en": {"process": "Process name", "task": "Task name", "from": "From version", "to": "To version",
           "forms": "These are the forms that the user tasks of the diagrams show."},
    "ru": {"process": "Название процесса", "task": "Название задачи", "from": "С версии", "to": "По версию",
           "forms": "Это формы, которые показывают пользовательские задачи диаграмм."},
}
PERSON = {"vi": "Họ tên", "en": "Full name", "ru": "ФИО"}
DATES = {"vi": ("Từ ngày", "Đến ngày")}


@pytest.fixture
def owner_in(sign_in):
    def open_in(lang):
        db.session.query(User).filter_by(username="owner").one().locale = lang
        db.session.commit()
        return sign_in("owner")
    return open_in


def labels(html):
    return re.findall(r"<(?:label|th)[^>]*>([^<]*)</(?:label|th)>", html)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_the_process_list_names_a_process_name_as_such(owner_in, versioned, lang):  # noqa: F811
    found = labels(owner_in(lang).get("/processes").get_data(as_text=True))
    assert LANGUAGES[lang]["process"] in found
    assert PERSON[lang] not in found


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_the_version_pickers_pick_versions(owner_in, versioned, lang):  # noqa: F811
    found = labels(owner_in(lang).get("/processes/versioned").get_data(as_text=True))
    assert found.count(LANGUAGES[lang]["from"]) == 2 and found.count(LANGUAGES[lang]["to"]) == 2
    assert not set(DATES.get(lang, ())) & set(found)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_the_modeler_names_a_task_name_as_such(owner_in, versioned, lang):  # noqa: F811
    html = owner_in(lang).get("/processes/versioned/edit").get_data(as_text=True)
    config = json.loads(re.search(r'id="modeler-config">(.*?)</script>', html, re.S).group(1))
    assert config["labels"]["taskName"] == LANGUAGES[lang]["task"]
    assert PERSON[lang] not in config["labels"].values()


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_the_forms_page_says_what_it_lists(owner_in, users, lang):
    html = owner_in(lang).get("/forms").get_data(as_text=True)
    assert LANGUAGES[lang]["forms"] in html
    assert "The forms user tasks name" not in html
