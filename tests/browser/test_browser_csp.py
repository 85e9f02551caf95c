"""The Content-Security-Policy in Chromium: the main pages (anonymous and as administrator) work
with scripts from files only — no policy violation, no console error — and the actions that used
to be inline handlers (confirm before deleting a stage, «back» on an error page) still work."""

import re

import pytest
from conftest import ADMIN, MANAGER, TYUMEN
from playwright.sync_api import Page, expect

SLOW_MS = 60_000
# Registered before any page script: every violation of the policy is kept on window.
COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile
                    + ":" + e.lineNumber);
});
"""
PUBLIC = (
    "/",
    "/clusters",
    "/clusters/{cluster}",
    "/chains/{chain}",
    "/enterprises",
    "/enterprises/{enterprise}",
    "/regions",
    "/regions/72",
    "/map",
    "/ratings",
    "/niches",
    "/niches/72",
    "/discover",
    "/discover/72",
    "/needs",
    "/offers",
    "/search?q=бетон",
    "/login",
    "/api/docs",
    "/clusters/999999",
)
SIGNED_IN = (
    "/clusters/{cluster}/edit",
    "/clusters/{cluster}/compliance",
    "/clusters/{cluster}/prospects",
    "/enterprises/{enterprise}/edit",
    "/imports",
    "/notifications",
)
# What shows that the page's scripts ran (a map drawn, Swagger UI built, a fragment loaded).
READY = {
    "/map": "#map.map-ready",
    "/regions/72": "#region-map.map-ready",
    "/clusters/{cluster}": "#members-map.map-ready",
    "/enterprises/{enterprise}": "#enterprise-map.map-ready",
    "/ratings": "#ratings-map.map-ready",
    "/api/docs": ".swagger-ui .opblock",
}


def ids(live_server) -> dict[str, int]:
    cluster = live_server.cluster_id(TYUMEN)
    return {
        "cluster": cluster,
        "chain": live_server.scalar("SELECT min(id) FROM chains WHERE cluster_id = :c", c=cluster),
        "enterprise": live_server.scalar(
            "SELECT min(enterprise_id) FROM memberships WHERE cluster_id = :c", c=cluster
        ),
    }


def visit(page: Page, paths, names: dict[str, int]) -> dict[str, list[str]]:
    """Open each page, wait for its scripts, return the policy violations seen per page."""
    found = {}
    for template in paths:
        path = template.format(**names)
        page.goto(path, timeout=SLOW_MS)  # the machine may be busy: a generous bound
        page.wait_for_load_state("networkidle", timeout=SLOW_MS)
        if template in READY:
            page.locator(READY[template]).first.wait_for(timeout=SLOW_MS)
        found[path] = page.evaluate("window.__csp")
    return {path: seen for path, seen in found.items() if seen}


@pytest.mark.browser
def test_main_pages_run_under_the_policy_without_violations(contexts, live_server, monitor, log_in):
    monitor.allow_console(r"status of 404")  # the deliberately missing cluster
    context = contexts.new()
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    names = ids(live_server)

    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert visit(page, PUBLIC, names) == {}
    page.goto("/")
    log_in(page, *ADMIN)
    assert visit(page, SIGNED_IN, names) == {}
    assert monitor.problems() == []

    # The policy is enforced: an inline script injected into the page does not run.
    ran = page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__inlineRan = true'; document.body.append(s);
                   return window.__inlineRan === true; }"""
    )
    assert ran is False
    monitor.allow_console(r"Executing inline script violates")
    page.wait_for_function("window.__csp.length > 0")


@pytest.mark.browser
def test_stage_deletion_asks_first_without_an_inline_handler(
    page: Page, live_server, synthetic_demo, log_in
):
    cluster = live_server.cluster_id(TYUMEN)
    chain = live_server.scalar(
        "SELECT min(chain_id) FROM chain_stages WHERE chain_id IN "
        "(SELECT id FROM chains WHERE cluster_id = :c)",
        c=cluster,
    )
    stages = "SELECT count(*) FROM chain_stages WHERE chain_id = :c"
    before = live_server.scalar(stages, c=chain)
    page.goto(f"/chains/{chain}")
    log_in(page, *MANAGER)
    asked = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="удалить этап").first.click()
    expect(page.get_by_role("button", name="удалить этап").first).to_be_visible()
    assert len(asked) == 1 and re.match(r"Удалить этап \d", asked[0]), asked
    assert live_server.scalar(stages, c=chain) == before


@pytest.mark.browser
def test_back_link_of_an_error_page_returns_to_the_previous_page(page: Page, monitor):
    monitor.allow_console(r"status of 404")
    page.goto("/clusters")
    page.goto("/clusters/999999")
    page.get_by_role("link", name="← Вернуться").click()
    page.wait_for_url(re.compile(r"/clusters$"))
