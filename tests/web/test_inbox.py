"""The inbox: tabs per role, counts, search, filters, paging; claim, release, assign."""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from engine.db import db
from engine.models import AuditEvent, HumanTask, Outbox
from tests.web.conftest import post


def task_ids(html):
    return re.findall(r'data-task="([^"]+)"', html)


def count(html, tab):
    return int(re.search(rf'data-count="{tab}">(\d+)<', html).group(1))


def test_a_sales_rep_sees_the_sales_queue_but_not_the_managers(two_lanes, sign_in):
    call = two_lanes()
    client = sign_in("sales1")
    html = client.get("/inbox?tab=queue").get_data(as_text=True)
    assert task_ids(html) == [call.id]
    assert count(html, "queue") == 1 and count(html, "mine") == 0
    assert 'data-count="all"' not in html  # only managers have the all tab
    assert "Nguyễn Văn An" in html and "0901 234 567" in html   # the number as a Vietnamese reader writes it
    # the task's team by its role's name in the reader's language, not the raw role key
    assert '<i class="bi bi-people"></i> sales' not in html and '<i class="bi bi-people"></i> ' in html


def test_claiming_moves_the_task_to_my_tasks_and_is_audited(two_lanes, sign_in):
    call = two_lanes()
    client = sign_in("sales1")
    assert post(client, f"/tasks/{call.id}/claim").status_code == 302
    html = client.get("/inbox").get_data(as_text=True)
    assert task_ids(html) == [call.id] and count(html, "mine") == 1 and count(html, "queue") == 0
    event = db.session.query(AuditEvent).filter_by(task_id=call.id, kind="task_claimed").one()
    assert event.actor == "sales1" and event.data_after == {"assignee": "sales1"}


def test_a_task_someone_holds_cannot_be_claimed_by_another_rep_and_the_page_names_them(two_lanes, sign_in):
    call = two_lanes()
    post(sign_in("sales1"), f"/tasks/{call.id}/claim")
    other = sign_in("sales2")
    response = post(other, f"/tasks/{call.id}/claim")   # as the API answers: 409 naming the holder
    assert response.status_code == 409 and "sales1" in response.get_data(as_text=True)
    assert other.get(f"/tasks/{call.id}").status_code == 403
    db.session.expire_all()
    assert db.session.get(HumanTask, call.id).assignee == "sales1"


def test_a_rep_cannot_claim_a_task_of_another_team(two_lanes, sign_in, app):
    import engine

    call = two_lanes()
    engine.complete_task(call.id, actor="sales1")
    report = db.session.query(HumanTask).filter_by(instance_id=call.instance_id, state="open").one()
    engine.complete_task(report.id, actor="sales1")
    approve = db.session.query(HumanTask).filter_by(instance_id=call.instance_id, state="open").one()
    assert approve.candidate_role == "manager"
    assert post(sign_in("sales2"), f"/tasks/{approve.id}/claim").status_code == 403
    assert task_ids(sign_in("manager").get("/inbox?tab=queue").get_data(as_text=True)) == [approve.id]


def test_htmx_claim_answers_with_the_list_fragment_only(two_lanes, sign_in):
    call = two_lanes()
    client = sign_in("sales1")
    response = post(client, f"/tasks/{call.id}/claim", {"tab": "mine"}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and task_ids(html) == [call.id]


def test_releasing_puts_the_task_back_in_the_queue(two_lanes, sign_in):
    call = two_lanes()
    client = sign_in("sales1")
    post(client, f"/tasks/{call.id}/claim")
    post(client, f"/tasks/{call.id}/unclaim")
    assert task_ids(client.get("/inbox?tab=queue").get_data(as_text=True)) == [call.id]


def test_a_manager_assigns_a_task_and_the_rep_gets_a_bell(two_lanes, sign_in):
    call = two_lanes()
    manager = sign_in("manager")
    assert post(manager, f"/tasks/{call.id}/assign", {"username": "sales3"}).status_code == 302
    assert task_ids(sign_in("sales3").get("/inbox").get_data(as_text=True)) == [call.id]
    note = db.session.query(Outbox).filter_by(recipient="sales3", kind="task_assigned").one()
    assert note.channel == "in_app" and note.link == f"/tasks/{call.id}"


def test_only_managers_assign_and_only_to_someone_of_the_team(two_lanes, sign_in):
    call = two_lanes()
    assert post(sign_in("sales1"), f"/tasks/{call.id}/assign", {"username": "sales1"}).status_code == 403
    response = post(sign_in("manager"), f"/tasks/{call.id}/assign", {"username": "partner1"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(HumanTask, call.id).assignee is None


def _assign_choices(html, task_id):
    form = re.search(rf'action="/tasks/{task_id}/assign".*?</form>', html, re.S).group(0)
    return set(re.findall(r'<option value="([^"]+)"', form))


def _filter_choices(html):
    select = re.search(r'id="inbox-assignee".*?</select>', html, re.S).group(0)
    return set(re.findall(r'<option value="([^"-][^"]*)"', select))


def test_assigning_offers_only_people_who_may_take_the_task(two_lanes, sign_in):
    call = two_lanes()
    html = sign_in("manager").get("/inbox?tab=all").get_data(as_text=True)
    # the sales lane: the sales reps, and the managers and admins who take any task
    assert _assign_choices(html, call.id) == {"sales1", "sales2", "sales3", "sales4", "sales5",
                                             "manager", "admin"}
    # nobody who could never hold a task: auditor, referrers, consultants of another lane, customers
    holders = _filter_choices(html)
    assert {"auditor", "partner1", "partner2", "customer1"}.isdisjoint(holders)
    assert {"sales1", "manager", "owner", "consultant1"} <= holders
    for offered in _assign_choices(html, call.id):   # each one offered is accepted
        assert post(sign_in("manager"), f"/tasks/{call.id}/assign", {"username": offered}).status_code == 302


def test_search_finds_a_customer_by_name_without_accents_or_by_local_phone(two_lanes, sign_in):
    an = two_lanes("Nguyễn Văn An", "+84901234567")
    binh = two_lanes("Lê Thị Bình", "+84987654321")
    client = sign_in("sales1")
    assert task_ids(client.get("/inbox?tab=queue&q=nguyen van").get_data(as_text=True)) == [an.id]
    assert task_ids(client.get("/inbox?tab=queue&q=0987 654").get_data(as_text=True)) == [binh.id]
    assert task_ids(client.get("/inbox?tab=queue&q=Bình").get_data(as_text=True)) == [binh.id]
    assert task_ids(client.get("/inbox?tab=queue&q=nobody").get_data(as_text=True)) == []


def test_overdue_filter_and_highlight(two_lanes, sign_in):
    late, fresh = two_lanes("Late"), two_lanes("Fresh")
    row = db.session.get(HumanTask, late.id)
    row.due_at = row.created_at - timedelta(hours=2)
    db.session.commit()
    html = sign_in("sales1").get("/inbox?tab=queue&due=overdue").get_data(as_text=True)
    assert task_ids(html) == [late.id] and "overdue" in html
    # "Today" is the rep's day in Hồ Chí Minh City: due in an hour may already be tomorrow
    # there, so the fresh task is moved to the last minute of the rep's today.
    local = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    row = db.session.get(HumanTask, fresh.id)
    row.due_at = local.replace(hour=23, minute=59, second=0, microsecond=0).astimezone(timezone.utc)
    db.session.commit()
    today = task_ids(sign_in("sales2").get("/inbox?tab=queue&due=today").get_data(as_text=True))
    assert fresh.id in today


def test_inbox_pages_through_many_tasks(two_lanes, sign_in):
    for n in range(27):
        two_lanes(f"Customer {n}")
    client = sign_in("sales1")
    first = task_ids(client.get("/inbox?tab=queue").get_data(as_text=True))
    second = task_ids(client.get("/inbox?tab=queue&page=2").get_data(as_text=True))
    assert len(first) == 25 and len(second) == 2 and not set(first) & set(second)


def test_a_manager_filters_all_tasks_by_assignee(two_lanes, sign_in):
    one, two = two_lanes("One"), two_lanes("Two")
    post(sign_in("sales1"), f"/tasks/{one.id}/claim")
    manager = sign_in("manager")
    assert task_ids(manager.get("/inbox?tab=all&assignee=sales1").get_data(as_text=True)) == [one.id]
    assert task_ids(manager.get("/inbox?tab=all&assignee=-").get_data(as_text=True)) == [two.id]


def test_the_inbox_needs_a_signed_in_user(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
