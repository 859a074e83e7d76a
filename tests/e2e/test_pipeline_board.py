"""The pipeline board in a real browser: drag a card, the dialog refuses a move without a
note (the same check as the prospect page), then moves it; the prospect page in vi/en/ru."""
import pytest

import engine
from accounts import service
from crm.models import Customer, Stage
from engine.db import db
from processes.leads import entry as leads
from processes.pipeline import prospects as pipeline
from tests.conftest import ROOT
from tests.e2e.conftest import CHROMIUM_ARGS, DESKTOP, chromium_path, login, one_backend

pytestmark = one_backend


@pytest.fixture
def prospects(app, demo_users):
    for name in ("lead_handling", "prospect_pipeline"):
        engine.deploy((ROOT / "bpmn" / f"{name}.bpmn").read_bytes(), actor="owner", name=f"{name}.bpmn",
                      roles=service.role_names())
    made = []
    for name, phone in (("Nguyễn Gia Khương", "0903456789"), ("Trần Thị Mai", "0912345678")):
        customer = leads.create_lead({"name": name, "phone": phone, "owner": "sales1"}, actor="manager",
                                     source="referral").customer
        pipeline.enter(customer.id, actor="sales1")
        made.append(customer.id)
    pipeline.move(made[1], "first_meeting", actor="sales1", json={"note": "Hẹn gặp thứ Bảy"})
    db.session.commit()
    return made


def stage_of(customer_id):
    db.session.expire_all()
    return db.session.get(Stage, db.session.get(Customer, customer_id).stage_id).key


def test_a_card_dragged_to_another_stage_needs_a_note_then_moves(prospects, new_page, live_server,
                                                                 screenshot):
    page = new_page(locale="vi")
    login(page, live_server, "sales1")
    page.goto("/pipeline")
    card = page.locator(f"[data-customer='{prospects[0]}']")
    card.drag_to(page.locator("[data-stage=first_meeting]"))
    page.locator("#move-dialog.show").wait_for()
    page.click("#move-dialog button[type=submit]")
    page.locator("#move-dialog textarea[name=note].is-invalid").wait_for()
    assert stage_of(prospects[0]) == "first_call"
    screenshot(page, "pipeline-board-note-required-vi")

    page.fill("#move-dialog textarea[name=note]", "Khách hẹn gặp tại văn phòng")
    page.click("#move-dialog button[type=submit]")
    page.locator("[data-moved]").wait_for()
    assert page.locator(f"[data-stage=first_meeting] [data-customer='{prospects[0]}']").count() == 1
    assert page.locator("[data-stage=first_meeting] [data-count]").inner_text() == "2"
    assert stage_of(prospects[0]) == "first_meeting"
    screenshot(page, "pipeline-board-vi")


@pytest.mark.parametrize("locale", ["vi", "en", "ru"])
def test_the_prospect_page_in_each_language(prospects, new_page, live_server, screenshot, locale):
    page = new_page(locale=locale)
    login(page, live_server, "manager")
    page.click(f"form[action='/language'] button[lang={locale}]")
    page.goto(f"/pipeline/{prospects[1]}")
    history = page.locator("[data-history]").inner_text()
    assert "Hẹn gặp thứ Bảy" in history
    screenshot(page, f"pipeline-prospect-{locale}")
    page.goto("/pipeline")
    screenshot(page, f"pipeline-board-{locale}-manager")


BOARD_GEOMETRY = """() => {
  const board = document.querySelector('[data-board]');
  const columns = [...board.querySelectorAll('[data-stage]')];
  const last = columns[columns.length - 1].getBoundingClientRect();
  const box = board.getBoundingClientRect();
  return {scrolls: board.scrollWidth > board.clientWidth, lastRight: last.right, boardRight: box.right,
          boardBottom: box.bottom, scrollbar: board.offsetHeight - board.clientHeight,
          viewport: document.documentElement.clientWidth, pageScrolls: document.documentElement.scrollWidth
            > document.documentElement.clientWidth, columns: columns.length};
}"""


@pytest.fixture
def with_scrollbars(browser, live_server):
    """A 1280x800 page of a Chromium that draws scrollbars (Playwright hides them by default
    in headless mode, which would hide the one thing to check)."""
    shown = browser.browser_type.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS,
                                        ignore_default_args=["--hide-scrollbars"])
    context = shown.new_context(base_url=live_server, locale="ru", **DESKTOP)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
    shown.close()


@pytest.mark.parametrize("extra_stages", [0, 4])
def test_every_column_of_the_board_is_reachable_at_1280_px(prospects, with_scrollbars, live_server,
                                                            screenshot, extra_stages):
    """The shipped stages fit a 1280 px window; more stages than fit scroll inside the board,
    whose scrollbar shows within the window, and scrolling brings the last column into view."""
    from processes.pipeline import stages

    for n in range(extra_stages):
        stages.save({"key": f"extra_{n}", "name_vi": f"Bước thêm {n}", "name_en": f"Extra {n}",
                     "name_ru": f"Доп. {n}", "kind": "open", "position": str(5 + n)})
    db.session.commit()
    page = with_scrollbars
    login(page, live_server, "manager")
    page.goto("/pipeline")
    geometry = page.evaluate(BOARD_GEOMETRY)
    assert geometry["columns"] == 6 + extra_stages and not geometry["pageScrolls"]
    if extra_stages:
        assert geometry["scrolls"] and geometry["scrollbar"] > 0     # a visible scrollbar, not an overlay
        page.locator("[data-board] [data-stage]").last.scroll_into_view_if_needed()
        geometry = page.evaluate(BOARD_GEOMETRY)
        assert geometry["boardBottom"] <= 800   # the scrollbar is on screen, not below the fold
    else:
        assert not geometry["scrolls"]
    assert geometry["lastRight"] <= min(geometry["boardRight"], geometry["viewport"]) + 0.5
    screenshot(page, f"pipeline-board-1280-{6 + extra_stages}-columns")
