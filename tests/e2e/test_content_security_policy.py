"""Every kind of page works under the Content-Security-Policy (web/security.py): htmx,
bpmn-js (case diagram and modeler), Chart.js (reports and dashboard), the form editor,
the pipeline board and the portal, and the browser reports no violation of it."""
from playwright.sync_api import expect

from tests.e2e.conftest import login, one_backend
from tests.e2e.test_case_diagram import finished_lead  # noqa: F401 - a fixture

pytestmark = one_backend
# Listens before any script of the page runs; the browser also logs what it refused.
WATCH = """window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber));"""


def watched(new_page, problems):
    page = new_page()
    page.add_init_script(WATCH)
    page.on("console", lambda message: "Content Security Policy" in message.text
            and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page


def check(page, problems):
    problems.extend(f"{page.url}: {v}" for v in page.evaluate("window.__cspViolations || []"))


def staff_pages(page, problems, case_id, screenshot):
    policy = page.goto("/inbox").headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    with page.expect_response(lambda response: "tab=done" in response.url):
        page.click("[data-inbox-tab=done]")  # htmx swaps the list; tasklane.js keeps the tab field in step
    expect(page.locator("#inbox-tab")).to_have_value("done")
    check(page, problems)
    page.goto(f"/cases/{case_id}")
    expect(page.locator("#case-diagram g.djs-element").first).to_be_attached()
    check(page, problems)
    page.goto("/processes/lead_handling/edit")
    expect(page.locator("body[data-modeler-ready=true]")).to_be_attached()
    expect(page.locator(".bio-properties-panel").first).to_be_attached()
    check(page, problems)
    page.goto("/forms/lead-call-outcome/edit")
    expect(page.locator("#preview-vi [name=outcome]").first).to_be_attached()
    check(page, problems)
    for path, canvas in (("/reports", "#tl-chart-funnel"), ("/dashboard", "#tl-chart-weekly")):
        page.goto(path)
        page.wait_for_function(f"() => window.Chart && Chart.getChart(document.querySelector('{canvas}'))")
        check(page, problems)
    for path, name in (("/pipeline", None), ("/profile", "profile-password"),
                       ("/admin/users", "admin-users")):
        page.goto(path)
        check(page, problems)
        if name:
            screenshot(page, name)


def test_the_pages_work_under_the_policy_and_the_browser_reports_no_violation(
        finished_lead, new_page, live_server, screenshot):  # noqa: F811 - the fixture imported above
    problems = []
    page = watched(new_page, problems)
    page.goto("/login")
    check(page, problems)
    login(page, live_server, "admin")
    staff_pages(page, problems, finished_lead, screenshot)
    portal = watched(new_page, problems)
    login(portal, live_server, "partner1")
    expect(portal.locator(".pt-tabbar")).to_be_visible()
    check(portal, problems)
    portal.goto("/portal/referrals/new")
    check(portal, problems)
    assert problems == [], "\n".join(problem[:240] for problem in problems)
