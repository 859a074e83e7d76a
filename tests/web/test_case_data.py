"""The case page's data (issue 13): each key by its form's or its domain's title in the
reader's language, values in the reader's formats, the process's bookkeeping off the page
(folded under "Technical data" for process owners, admins and auditors)."""

import re
from html import unescape

import pytest

import engine
from accounts.models import User
from engine.db import db
from engine.models import HumanTask, ProcessInstance

ROW = re.compile(r'<tr data-key="([^"]+)"><th[^>]*>(.*?)</th><td>(.*?)</td></tr>', re.S)
EXPECTED = {
    "vi": {
        "outcome": ("Kết quả cuộc gọi", "Tiếp xúc được với khách hàng"),
        "amount": ("Thành tiền (VNĐ)", "4.500.000\xa0₫"),
        "closed_now": (None, "Có"),
        "source": ("Nguồn", "Website"),
        "contact_callback_after": ("Gọi lại khách đã liên hệ sau", "24 giờ"),
        "name": ("Tên khách hàng", "Trần Thị Mai"),
    },
    "en": {
        "outcome": ("Call outcome", "Reached the customer"),
        "amount": ("Amount (VND)", "₫4,500,000"),
        "closed_now": (None, "Yes"),
        "source": ("Source", "Website"),
        "contact_callback_after": ("Call a contact back after", "24 hours"),
        "name": ("Customer name", "Trần Thị Mai"),
    },
    "ru": {
        "outcome": ("Результат звонка", "Дозвонились до клиента"),
        "amount": ("Сумма (VND)", "4\xa0500\xa0000\xa0₫"),
        "closed_now": (None, "Да"),
        "source": ("Источник", "Сайт"),
        "contact_callback_after": ("Перезвонить контакту через", "24 часа"),
        "name": ("Имя клиента", "Trần Thị Mai"),
    },
}
BOOKKEEPING = ("lane_owners", "last_caller", "customer_id", "PT24H", "4500000")


def _rows(html):
    table = html.split('id="case-data"', 1)[1].split("</table>", 1)[0]
    return {
        key: (unescape(title).strip(), unescape(re.sub(r"<[^>]+>", "", value)).strip())
        for key, title, value in ROW.findall(table)
    }


def _bought(lead):
    engine.complete_task(
        lead.id,
        actor="sales1",
        data={"outcome": "reached", "closed_now": True, "product": "Gói A", "quantity": 1, "amount": 4500000},
    )
    return lead.instance_id


@pytest.mark.parametrize("locale", ["vi", "en", "ru"])
def test_a_lead_case_shows_its_data_by_title_and_format_in_the_readers_language(lead, sign_in, locale):
    instance_id = _bought(lead)
    db.session.query(User).filter_by(username="manager").one().locale = locale
    db.session.commit()
    html = sign_in("manager").get(f"/cases/{instance_id}").get_data(as_text=True)
    rows = _rows(html)
    for key, (title, text) in EXPECTED[locale].items():
        assert (title or rows[key][0], text) == rows[key], key
    data_card = html.split('id="case-data"', 1)[1].split("</table>", 1)[0]
    assert not [raw for raw in BOOKKEEPING if raw in data_card]
    assert 'id="technical-data"' not in html
    # the phone as the reader writes it, the owner by their name (the lead fixture's sales1)
    phone = "0912 345 678" if locale != "ru" else "+84 912 345 678"
    assert rows["phone"][1] == phone and rows["owner"][1] == "Nguyễn Văn An"


def test_a_timeline_change_reads_by_title_and_its_values_by_format(lead, sign_in):
    instance_id = _bought(lead)
    db.session.query(User).filter_by(username="manager").one().locale = "vi"
    db.session.commit()
    html = sign_in("manager").get(f"/cases/{instance_id}").get_data(as_text=True)
    timeline = html.split('class="tl-timeline', 1)[1].split("</ol>", 1)[0]
    assert "Thành tiền (VNĐ)" in timeline and "4.500.000\xa0₫" in timeline
    assert "Tiếp xúc được với khách hàng" in timeline
    assert not [raw for raw in (*BOOKKEEPING, ">outcome<", ">reached<") if raw in timeline]


def test_the_date_times_of_the_data_are_in_the_readers_zone(lead, sign_in):
    engine.complete_task(
        lead.id, actor="sales1", data={"outcome": "not_reached", "callback_at": "2026-11-22T08:30:00+00:00"}
    )
    user = db.session.query(User).filter_by(username="manager").one()
    user.locale, user.timezone = "en", "Europe/Moscow"
    db.session.commit()
    rows = _rows(sign_in("manager").get(f"/cases/{lead.instance_id}").get_data(as_text=True))
    assert rows["callback_at"] == ("Call back at", "Nov 22, 2026 11:30\u202fAM")


@pytest.mark.parametrize(
    "username, sees",
    [("owner", True), ("auditor", True), ("admin", True), ("manager", False), ("sales1", False)],
)
def test_only_people_who_look_inside_processes_get_the_technical_data(lead, sign_in, username, sees):
    instance_id = _bought(lead)
    html = sign_in(username).get(f"/cases/{instance_id}").get_data(as_text=True)
    assert ('id="technical-data"' in html) is sees
    assert ("<code>lane_owners</code>" in html) is sees
    if sees:
        assert "<details" in html.split('id="technical-data"', 1)[0][-60:]  # folded


def test_an_unassigned_task_names_its_team_by_the_roles_name(app, lead, sign_in):
    instance = engine.start(
        "lead_handling",
        actor="manager",
        data={"name": "Lê Văn Tâm", "phone": "+84912000111", "source": "website"},
    )
    task = db.session.query(HumanTask).filter_by(instance_id=instance.id, state="open").one()
    assert task.assignee is None and task.candidate_role == "sales"
    db.session.query(User).filter_by(username="manager").one().locale = "vi"
    db.session.commit()
    client = sign_in("manager")
    assert "Chưa giao, nhóm: Kinh doanh" in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    case = client.get(f"/cases/{instance.id}").get_data(as_text=True)
    tasks = case.split('<h2 class="h6">', 2)[2].split("</ul>", 1)[0]  # the case's task list
    assert "Kinh doanh" in tasks and ">sales<" not in tasks


def test_the_labels_come_from_the_forms_every_task_of_the_version_names(lead):
    version_id = db.session.get(ProcessInstance, lead.instance_id).version_id
    assert engine.version_forms(version_id) == [
        ("lead-call-outcome", "lead-call-outcome-uischema"),
        ("contact-call", "contact-call-uischema"),
    ]


def test_a_case_reads_its_data_by_the_forms_deployed_with_its_version(users, sign_in):
    """A spiff-arena model's own forms title its data, choices by their titles (not shipped forms)."""
    from accounts import service
    from tests import spiff_arena

    spiff_arena.deploy(roles=service.role_names())
    case = engine.start(spiff_arena.KEY, actor="manager")
    task = db.session.query(HumanTask).filter_by(instance_id=case.id, state="open").one()
    engine.complete_task(task.id, actor="sales1", data=spiff_arena.EXPENSE)
    db.session.query(User).filter_by(username="manager").one().locale = "vi"
    db.session.commit()
    rows = _rows(sign_in("manager").get(f"/cases/{case.id}").get_data(as_text=True))
    assert rows["category"] == ("Loại", "Đi lại") and rows["amount"] == ("Số tiền", "250.000\xa0₫")
    assert rows["spent_on"][0] == "Ngày trên hoá đơn"
