"""The /reports charts in Chromium at 1280x800: every bar of the sources and funnel charts
is named on its axis; Chart.js would otherwise skip labels it finds crowded (issue 13)."""
from datetime import timedelta

import pytest

from crm.models import SOURCES, Customer
from engine.db import db
from engine.types import utcnow
from tests.e2e.conftest import login, one_backend

pytestmark = one_backend
AXIS_LABELS = """(id) => {
  const chart = Chart.getChart(document.getElementById(id));
  const axis = chart.options.indexAxis === 'y' ? chart.scales.y : chart.scales.x;
  return {shown: axis.ticks.map(t => chart.data.labels[t.value]), labels: chart.data.labels};
}"""


@pytest.fixture
def every_source(app, demo_users):
    """A lead of each source, created an hour ago."""
    for n, source in enumerate(SOURCES):
        db.session.add(Customer(name=f"Khách {n}", phone=f"+8490123450{n}", source=source, owner="sales1",
                                status="new", kind="lead", created_at=utcnow() - timedelta(hours=1),
                                created_by="manager"))
    db.session.commit()


@pytest.mark.parametrize("locale", ["vi", "ru"])
def test_every_source_and_funnel_stage_is_named_on_its_chart(every_source, new_page, live_server, screenshot,
                                                              locale):
    page = new_page(locale=locale)
    login(page, live_server, "manager")
    page.click(f"form[action='/language'] button[lang={locale}]")
    page.goto("/reports?period=7d")
    for canvas in ("tl-chart-sources", "tl-chart-funnel"):
        page.wait_for_function(f"() => window.Chart && Chart.getChart(document.getElementById('{canvas}'))")
        axis = page.evaluate(AXIS_LABELS, canvas)
        assert axis["shown"] == axis["labels"], canvas
    assert len(page.evaluate(AXIS_LABELS, "tl-chart-sources")["labels"]) == len(SOURCES)
    screenshot(page, f"reports-sources-{locale}")
