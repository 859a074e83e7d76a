"""What staff read about loan referrals (processes.referrals.staff): a consultant reads the referrals
they hold and those offered to them, managers every one; the filters and the pages."""
from datetime import datetime, timezone

import pytest
from werkzeug.datastructures import MultiDict

from engine.db import db
from engine.errors import NotFoundError, ValidationError
from processes.referrals import referrals
from processes.referrals import staff as referral_staff
from processes.referrals.models import Offer
from tests.conftest import ONE_BACKEND
from tests.referral_data import catalogue, referral_form

# Query rules, not the database's: one backend (PostgreSQL when there is one), as page tests.
pytestmark = pytest.mark.parametrize("database_url", ONE_BACKEND, indirect=True)

MANAGER = referral_staff.Reader("boss", sees_all=True)
CONSULTANT1 = referral_staff.Reader("consultant1", sees_all=False)


@pytest.fixture
def shop(ctx):
    return catalogue()


def referral(product_id, phone, *, consultant=None, state="in_progress", created=None, **changes):
    row = referrals.submit(referral_form(product_id, phone=phone, **changes), actor="partner1")
    row.consultant, row.state = consultant, state
    if created:
        row.created_at = created
    db.session.commit()
    return row


def offer(row, consultant, answer=None):
    db.session.add(Offer(referral_id=row.id, consultant=consultant, answer=answer))
    db.session.commit()


def ids(page):
    return [row.id for row in page.rows]


def filters(**args):
    return referral_staff.filters_from(MultiDict(args), reader=MANAGER, zone="Asia/Ho_Chi_Minh")


def test_a_consultant_reads_only_the_referrals_they_hold_and_those_offered_to_them(shop):
    held = referral(shop.cash_loan, "0912000001", consultant="consultant1")
    offered = referral(shop.cash_loan, "0912000002")
    offer(offered, "consultant1")
    handed_back = referral(shop.cash_loan, "0912000003", consultant="consultant2")
    offer(handed_back, "consultant1", answer="handed_back")
    others = referral(shop.consumer_loan, "0912000004", consultant="consultant2")
    offer(others, "consultant2", answer="accepted")
    mine = referral_staff.find(CONSULTANT1, referral_staff.Filters())
    assert sorted(ids(mine)) == [held.id, offered.id]
    assert referral_staff.counts(CONSULTANT1, referral_staff.Filters()) == {"in_progress": 2}
    assert referral_staff.one(CONSULTANT1, offered.id) == offered
    for row in (handed_back, others):
        with pytest.raises(NotFoundError):
            referral_staff.one(CONSULTANT1, row.id)
    assert sorted(ids(referral_staff.find(MANAGER, referral_staff.Filters()))) == sorted(
        [held.id, offered.id, handed_back.id, others.id])
    assert referral_staff.open_offers([offered.id, handed_back.id]) == {offered.id: "consultant1"}


def test_a_missing_referral_is_not_found_even_for_a_manager(shop):
    for ident in (999, "abc", None):
        with pytest.raises(NotFoundError):
            referral_staff.one(MANAGER, ident)


def test_the_list_narrows_by_state_company_and_consultant(shop):
    cash = referral(shop.cash_loan, "0912000001", consultant="consultant1")
    home = referral(shop.consumer_loan, "0912000002", consultant="consultant2", state="disbursed")
    waiting = referral(shop.consumer_loan, "0912000003")
    assert ids(referral_staff.find(MANAGER, filters(state="disbursed"))) == [home.id]
    at_home = referral_staff.find(MANAGER, filters(company=str(shop.home_credit)))
    assert sorted(ids(at_home)) == [home.id, waiting.id]
    assert ids(referral_staff.find(MANAGER, filters(consultant="consultant1"))) == [cash.id]
    assert ids(referral_staff.find(MANAGER, filters(consultant=referral_staff.NOBODY))) == [waiting.id]
    assert referral_staff.counts(MANAGER, filters(company=str(shop.home_credit), state="failed")) == {
        "disbursed": 1, "in_progress": 1}


def test_a_consultant_cannot_widen_their_list_with_the_consultant_filter(shop):
    referral(shop.cash_loan, "0912000001", consultant="consultant2")
    asked = MultiDict({"consultant": "consultant2"})
    found = referral_staff.filters_from(asked, reader=CONSULTANT1, zone="UTC")
    assert found.consultant is None and referral_staff.find(CONSULTANT1, found).rows == []


@pytest.mark.parametrize("needle", [
    "Trần", "trần thị", "0912 345 679", "+84912345679", "345 679", "0162 345 6789", "84 912 345 679",
    "0912.345.679", "0912 345", "+84 162 345 6789"])
def test_the_search_finds_the_customer_by_name_or_by_phone_however_it_is_written(shop, needle):
    mai = referral(shop.cash_loan, "0912 345 679", customer_name="Trần Thị Mai")
    old = referral(shop.cash_loan, "0323456789", customer_name="Lê Văn Cũ")   # 0162 345 6789 today
    referral(shop.cash_loan, "0987 654 321")
    expected = [old.id] if "162" in needle else [mai.id]
    assert ids(referral_staff.find(MANAGER, filters(q=needle))) == expected


def test_the_created_days_are_the_readers_local_days_both_included(shop):
    def at(hour_utc, day):
        return datetime(2026, 3, day, hour_utc, tzinfo=timezone.utc)
    # 17:30 UTC on the 1st is 00:30 on the 2nd in Vietnam
    early = referral(shop.cash_loan, "0912000001", created=at(17, 1).replace(minute=30))
    late = referral(shop.cash_loan, "0912000002", created=at(16, 3))   # 23:00 on the 3rd in Vietnam
    referral(shop.cash_loan, "0912000003", created=at(17, 3))          # 00:00 on the 4th
    referral(shop.cash_loan, "0912000004", created=at(16, 1))          # 23:00 on the 1st
    assert ids(referral_staff.find(MANAGER, filters(**{"from": "2026-03-02", "to": "2026-03-03"}))) == [
        late.id, early.id]


def test_the_list_pages_newest_first(shop):
    made = [referral(shop.cash_loan, f"091200010{n}").id for n in range(5)]
    pages = [referral_staff.find(MANAGER, referral_staff.Filters(), page=n, per_page=2) for n in (1, 2, 3)]
    assert [ids(page) for page in pages] == [made[:2:-1], made[2:0:-1], [made[0]]]
    assert [page.more for page in pages] == [True, True, False]


@pytest.mark.parametrize("args, field", [
    ({"state": "lost"}, "state"),
    ({"company": "999"}, "company"),
    ({"company": "FE"}, "company"),
    ({"consultant": "nobody-here"}, "consultant"),
    ({"from": "2026-02-30"}, "from"),
    ({"to": "tomorrow"}, "to"),
    ({"from": "2026-03-05", "to": "2026-03-01"}, "to"),
    ({"q": "x" * 101}, "q"),
])
def test_a_bad_filter_is_refused_by_its_name(shop, args, field):
    with pytest.raises(ValidationError) as refused:
        filters(**args)
    assert list(refused.value.fields) == [field]

