"""The three journeys of a new user (issue 13), end to end in headless Chromium through
the pages, in Vietnamese, with what each person sees asserted at each step.

1. A new lead to an order: sales1 types a lead in, calls it from "My tasks", records a
   purchase with its order, and finds the lead ordered on /leads and on its page.
2. A referral from a phone to a disbursement: partner2 refers a loan customer from a
   phone, the consultant the offer goes to accepts and records the disbursement, and
   partner2 sees the referral disbursed with its commission.
3. A diagram edited and deployed, then audited: the owner renames a task in the modeler
   and deploys it, moves a running case to the new version, and the auditor finds the
   move in the case's timeline and who deployed version 2 on the process's versions page.

The Vietnamese texts are the msgstr of web/translations/vi/LC_MESSAGES/messages.po (and
of the form and diagram translations named at each step).
"""
import re

import pytest
from playwright.sync_api import expect

import engine
from accounts import service
from crm.models import Customer, Order
from engine.db import db
from engine.models import ProcessDefinition, ProcessInstance
from processes.leads.entry import create_lead
from processes.referrals import consultants
from processes.referrals.models import Commission, Referral
from tests.conftest import ROOT, wait_for
from tests.e2e.conftest import login, one_backend
from tests.referral_data import catalogue, deploy_procedure

pytestmark = [one_backend, pytest.mark.slow]

LEAD = {"name": "Nguyễn Thị Thanh Hương", "phone": "0912 345 678"}
BORROWER = "Võ Thị Kim Ngân"
RENAMED = {"name": "Call the lead at once", "vi": "Gọi ngay cho khách hàng mới"}
READY = "body[data-modeler-ready=true]"  # modeler.js has drawn the diagram and its panel


def reread():
    """Forget what this session read: the browser's requests changed rows since."""
    db.session.rollback()
    db.session.expire_all()


def in_vietnamese(page):
    """Switch the page to Vietnamese with the header's language button (on a phone, in the
    menu behind the toggler): the signed-in user's profile language wins over the browser's
    (owner and auditor read English by default)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    with page.expect_navigation():
        page.click("form[action='/language'] button[lang=vi]")
    expect(page.locator("html")).to_have_attribute("lang", "vi")


@pytest.fixture
def lead_handling(app, demo_users):
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles=service.role_names())
    db.session.commit()


def test_a_lead_typed_in_by_a_rep_is_called_from_my_tasks_and_ends_as_an_order(
        lead_handling, new_page, live_server, screenshot):
    page = new_page(locale="vi")
    login(page, live_server, "sales1")
    in_vietnamese(page)

    # 1. The rep types the lead in; it is the rep's own (the owner field's default for sales).
    page.goto("/leads")
    expect(page.get_by_role("heading", name="Khách hàng tiềm năng", exact=True)).to_be_visible()
    page.get_by_role("link", name="Khách hàng tiềm năng mới").click()
    page.get_by_label("Họ tên").fill(LEAD["name"])
    page.get_by_label("Số điện thoại").fill(LEAD["phone"])
    expect(page.get_by_label("Người phụ trách")).to_have_value("sales1")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu khách hàng tiềm năng").click()
    expect(page.locator(".alert-success")).to_have_text(
        f"Đã lưu khách hàng tiềm năng {LEAD['name']}; hồ sơ đã được khởi tạo.")

    # 2. Its call task waits in the rep's own tab, "My tasks", assigned to the rep.
    page.goto("/inbox")
    expect(page.get_by_role("tab", name=re.compile("Việc của tôi"))).to_have_class(re.compile("active"))
    row = page.locator("[data-task]").filter(has_text=LEAD["name"])
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Gọi khách hàng mới (Gọi ngay bây giờ)")
    expect(row).to_contain_text("0912 345 678")
    expect(row).to_contain_text("Nguyễn Văn An")
    screenshot(page, "journey-lead-1-my-tasks-vi")

    # 3. Reached, bought on this call: the order, its amount typed as it is written in Vietnam.
    row.get_by_role("link", name="Gọi khách hàng mới (Gọi ngay bây giờ)").click()
    expect(page.get_by_role("heading", name="Gọi khách hàng mới (Gọi ngay bây giờ)")).to_be_visible()
    page.get_by_label("Tiếp xúc được với khách hàng").check()
    page.get_by_label("Khách hàng xác nhận mua ngay (chốt đơn)").check()
    page.get_by_label("Sản phẩm / liệu trình").fill("Liệu trình chăm sóc da 10 buổi")
    page.get_by_label("Số lượng").fill("2")
    page.get_by_label("Thành tiền (VNĐ)").fill("4.500.000")
    screenshot(page, "journey-lead-2-order-vi")
    with page.expect_navigation():
        page.get_by_role("button", name="Hoàn thành công việc").click()
    expect(page.locator(".alert-success")).to_be_visible()
    reread()
    customer = db.session.query(Customer).filter_by(name=LEAD["name"]).one()
    [order] = db.session.query(Order).filter_by(customer_id=customer.id).all()
    assert (order.product, order.quantity, order.amount, order.created_by) == (
        "Liệu trình chăm sóc da 10 buổi", 2, 4_500_000, "sales1")

    # 4. The lead reads as ordered on the list and on its page, with the call that sold it.
    page.goto("/leads")
    lead_row = page.locator("[data-lead]").filter(has_text=LEAD["name"])
    expect(lead_row).to_contain_text("Đã đặt hàng")
    expect(lead_row).to_contain_text("0912 345 678")
    lead_row.get_by_role("link", name=LEAD["name"]).click()
    expect(page.get_by_role("heading", name=LEAD["name"])).to_be_visible()
    expect(page.locator("main")).to_contain_text("Đã đặt hàng")
    calls = page.locator(".card").filter(has=page.get_by_role("heading", name="Cuộc gọi"))
    expect(calls).to_contain_text("Tiếp xúc được")
    orders = page.locator(".card").filter(has=page.get_by_role("heading", name="Đơn hàng"))
    expect(orders).to_contain_text("Liệu trình chăm sóc da 10 buổi")
    expect(orders.locator("[data-amount]")).to_have_text(re.compile(r"4\.500\.000\s?₫"))
    screenshot(page, "journey-lead-3-customer-vi")


@pytest.fixture
def shop(app, demo_users):
    """The lending catalogue (FE Credit's cash loan: 2.5 % commission) and the referral procedure."""
    products = catalogue(with_people=False)
    deploy_procedure()
    db.session.commit()
    return products


def the_referral():
    reread()
    return db.session.query(Referral).filter_by(customer_name=BORROWER).one_or_none()


def open_offer(page, title):
    """Open the borrower's task ``title`` from the consultant's "My tasks"."""
    page.goto("/inbox")
    row = page.locator("[data-task]").filter(has_text=BORROWER).filter(has_text=title)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def test_a_referral_sent_from_a_phone_is_disbursed_by_the_consultant_and_pays_a_commission(
        shop, worker, new_page, live_server, screenshot):
    worker()
    # The offer goes to FE Credit's best available consultant: the rule the product applies.
    offered_to = consultants.best_available(shop.fe_credit)
    assert offered_to in ("consultant1", "consultant2")   # FE Credit's two consultants

    # 1. partner2, on a phone, in Vietnamese, refers a customer who needs a cash loan.
    phone = new_page(locale="vi", mobile=True)
    login(phone, live_server, "partner2")
    in_vietnamese(phone)
    expect(phone).to_have_url(re.compile(r"/portal$"))
    phone.get_by_role("link", name="Giới thiệu khách hàng").first.click()
    expect(phone.get_by_role("heading", name="Giới thiệu khách hàng")).to_be_visible()
    phone.get_by_label("Họ và tên").fill(BORROWER)
    phone.get_by_role("textbox", name="Số điện thoại", exact=True).fill("0987 654 321")
    phone.get_by_label("Công ty tài chính").select_option(label="FE Credit")
    phone.get_by_label("Sản phẩm vay").select_option(label="Vay tiền mặt")
    phone.get_by_label("Trạng thái khách hàng").select_option("salaried")
    phone.get_by_label("Số tiền vay (VND)").fill("40.000.000")
    phone.get_by_label("Thời hạn vay (tháng)").fill("24")
    phone.get_by_text("Không, hỏi tôi trước").click()
    screenshot(phone, "journey-referral-1-new-vi")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Gửi giới thiệu").click()
    referral = the_referral()
    assert (referral.state, referral.amount, referral.term_months) == ("in_progress", 40_000_000, 24)
    expect(phone).to_have_url(re.compile(rf"/portal/referrals/{referral.id}$"))
    expect(phone.locator("main")).to_contain_text(BORROWER)

    # 2. The worker starts the case; the consultant the rules chose finds the offer and accepts it.
    wait_for(lambda: the_referral().instance_id is not None, timeout=30)
    desk = new_page(locale="vi")
    login(desk, live_server, offered_to)
    in_vietnamese(desk)
    open_offer(desk, "Nhận hồ sơ giới thiệu")
    desk.get_by_label("Nhận: tôi tư vấn khách hàng này").check()
    with desk.expect_navigation():
        desk.get_by_role("button", name="Hoàn thành công việc").click()
    expect(desk.locator(".alert-success")).to_be_visible()
    assert the_referral().consultant == offered_to

    # 3. The loan is disbursed: the consultant records the amount, typed as written in Vietnam.
    open_offer(desk, "Tư vấn hồ sơ và trả kết quả")
    desk.get_by_label("Kết quả: đã giải ngân").check()
    desk.get_by_label("Số tiền giải ngân (VNĐ)").fill("40.000.000")
    screenshot(desk, "journey-referral-2-disbursed-vi")
    with desk.expect_navigation():
        desk.get_by_role("button", name="Hoàn thành công việc").click()
    expect(desk.locator(".alert-success")).to_be_visible()
    wait_for(lambda: the_referral().state == "disbursed", timeout=10)
    commission = db.session.query(Commission).filter_by(referral_id=referral.id).one()
    assert commission.amount == 1_000_000   # 2.5 % of the 40 million disbursed

    # 4. partner2 sees it disbursed, and the commission earned, on the portal.
    phone.goto("/portal")
    card = phone.locator(f"[data-referral='{referral.id}']")
    expect(card).to_contain_text(BORROWER)
    expect(card.locator(".badge")).to_have_text("Đã giải ngân")
    expect(phone.locator("[data-count=disbursed]")).to_contain_text("1")
    expect(phone.locator("[data-earned]")).to_have_text(re.compile(r"^1[.\s]000[.\s]000\s?₫$"))
    phone.get_by_role("link", name="Hoa hồng").click()
    expect(phone.locator("main")).to_contain_text(BORROWER)
    expect(phone.locator("main")).to_contain_text(re.compile(r"1[.\s]000[.\s]000"))
    screenshot(phone, "journey-referral-3-commission-vi")


@pytest.fixture
def running_lead(lead_handling):
    """A lead case of version 1 of lead_handling, waiting at its call task."""
    result = create_lead({"name": "Lý Thị Phương", "phone": "0903 222 111", "owner": "sales2"},
                         actor="manager", source="website")
    db.session.commit()
    return result.instance.id


def test_a_task_renamed_in_the_modeler_is_deployed_a_case_moved_to_it_and_the_auditor_sees_both(
        running_lead, new_page, live_server, screenshot):
    errors = []
    owner = new_page(locale="vi")
    owner.on("pageerror", lambda error: errors.append(str(error)))
    login(owner, live_server, "owner")
    in_vietnamese(owner)

    # 1. The owner opens the process's diagram from its versions page.
    owner.goto("/processes/lead_handling")
    owner.get_by_role("link", name="Mở trong trình vẽ").click()
    owner.wait_for_selector(READY)
    expect(owner.locator("[data-version-badge]")).to_have_text("Phiên bản 1 đã triển khai")

    # 2. Renames the call task, and its name for Vietnamese readers, in the panel.
    owner.click("[data-element-id=call_lead]")
    for label, value in (("Tên công việc", RENAMED["name"]), ("Tên tiếng Việt", RENAMED["vi"])):
        control = owner.locator("#tasklane-panel").get_by_label(label, exact=True)
        control.fill(value)
        control.press("Tab")   # the panel writes a field into the diagram when it is left

    # 3. Deploy asks first, and shows what changes against version 1.
    owner.locator("[data-action=deploy]").click()
    dialog = owner.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Triển khai phiên bản mới?")).to_be_visible()
    expect(dialog).to_contain_text("Triển khai sẽ tạo phiên bản 2")
    expect(dialog.locator(".tl-diff-changed")).to_contain_text(RENAMED["name"])
    screenshot(owner, "journey-deploy-1-confirm-vi")
    dialog.get_by_role("button", name="Triển khai").click()
    expect(dialog).to_be_hidden()
    expect(owner.locator("[data-version-badge]")).to_have_text("Phiên bản 2 đã triển khai")
    reread()
    assert db.session.query(ProcessDefinition).filter_by(key="lead_handling").one().latest_version == 2

    # 4. The running case moves to version 2 from the versions page (dry run, then the move).
    owner.goto("/processes/lead_handling")
    owner.get_by_role("button", name="Kiểm tra hồ sơ nào chuyển được").click()
    expect(owner.get_by_role("heading", name="Chuyển hồ sơ đang chạy từ phiên bản 1 sang phiên bản 2")) \
        .to_be_visible()
    expect(owner.get_by_label(f"Chuyển hồ sơ {running_lead}")).to_be_checked()
    owner.get_by_role("button", name="Chuyển các hồ sơ đã chọn").click()
    expect(owner.get_by_role("heading", name="1 trên 1 hồ sơ đã chuyển sang phiên bản 2")).to_be_visible()
    reread()
    assert db.session.get(ProcessInstance, running_lead).version.version == 2
    assert errors == []

    # 5. The auditor finds the move in the case's timeline, and who deployed version 2.
    auditor = new_page(locale="vi")
    login(auditor, live_server, "auditor")
    in_vietnamese(auditor)
    auditor.goto(f"/cases/{running_lead}")
    expect(auditor.locator("main")).to_contain_text("phiên bản 2")
    # the moved case's open call task reads with the name deployed in version 2
    tasks = auditor.locator(".card").filter(has=auditor.get_by_role("heading", name="Công việc", exact=True))
    expect(tasks.get_by_role("link", name=RENAMED["vi"])).to_be_visible()
    timeline = auditor.locator("[data-kind]")
    expect(timeline.filter(has_text="Đã tạo hồ sơ")).to_contain_text("Trần Thị Thu Hằng")
    moved = timeline.filter(has_text="Hồ sơ đã chuyển sang phiên bản khác")
    expect(moved).to_contain_text("từ phiên bản 1 sang phiên bản 2")
    expect(moved).to_contain_text("Phan Thanh Sơn")
    screenshot(auditor, "journey-deploy-2-timeline-vi")
    auditor.goto("/processes/lead_handling")
    expect(auditor.get_by_role("heading", name="Các phiên bản")).to_be_visible()
    versions = auditor.get_by_role("row")
    expect(versions.filter(has_text="mới nhất")).to_contain_text("Phan Thanh Sơn")
    expect(versions.filter(has_text="mới nhất").get_by_role("cell").first).to_have_text("2 mới nhất")
    expect(auditor.get_by_role("columnheader", name="Người triển khai")).to_be_visible()
    screenshot(auditor, "journey-deploy-3-versions-vi")
