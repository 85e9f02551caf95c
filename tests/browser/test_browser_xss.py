"""Stored XSS: payloads planted in every free-text and URL field of a demo database; every page
(anonymous and as administrator), its live parts and map popups are opened in Chromium, and no
payload becomes markup, no script runs and no link carries a ``javascript:`` address."""

import re
from collections.abc import Callable, Iterator

import pytest
from conftest import ADMIN, Contexts, LiveServer, prepare_database, serve
from playwright.sync_api import Page
from sqlalchemy import text

from promcluster.db import make_engine, make_sessionmaker, transaction
from promcluster.demo.synthetic import load_synthetic_demo

PAYLOAD = (
    "<img src=x data-xss onerror=alert(1)><script>alert(2)</script>"
    "\"'><svg data-xss onload=alert(3)></script>"
)
BAD_URL = "javascript:alert(document.domain)"
TEXT_FIELDS = {
    "enterprises": ("name", "full_name", "address", "email", "phone", "description"),
    "clusters": (
        "name",
        "status_note",
        "registry_number",
        "description",
        "strategy_period",
    ),
    "needs": ("customer_name", "product_name", "unit", "description"),
    "offers": ("product_name", "unit", "description"),
    "product_lines": ("name", "unit"),
    "supplies": ("unit",),
    "users": ("full_name",),
    "chains": ("name", "description"),
    "chain_stages": ("name", "note"),
    "stage_suppliers": ("note",),
    "investment_projects": ("name", "description"),
    "memberships": ("note",),
    "responses": ("message",),
    "notifications": ("text",),
    "sources": ("title", "publisher", "date_note"),
    "declared_figures": ("qualifier", "unit", "quote"),
    "compliance_marks": ("reference", "note"),
    "compliance_rules": ("title", "requirement", "note"),
    "import_runs": ("filename", "message"),
    "import_rejections": ("column", "value", "reason"),
    "search_documents": ("title", "detail"),
    "audit_log": ("actor",),
}
URL_FIELDS = {"enterprises": ("website",), "clusters": ("strategy_url",), "sources": ("url",)}
# Pages by path; {name} is filled from the planted database.
PAGES = (
    "/",
    "/clusters",
    "/clusters/{cluster}",
    "/clusters/{cluster}/edit",
    "/clusters/new",
    "/clusters/{cluster}/chains/new",
    "/clusters/{cluster}/projects/new",
    "/clusters/{cluster}/compliance",
    "/clusters/{cluster}/prospects",
    "/chains/{chain}",
    "/enterprises",
    "/enterprises/new",
    "/enterprises/{enterprise}",
    "/enterprises/{enterprise}/edit",
    "/regions",
    "/regions/72",
    "/map",
    "/ratings",
    "/niches",
    "/niches/72",
    "/discover",
    "/discover/72",
    "/discover/72/candidates/1",
    "/needs",
    "/needs/new",
    "/needs/{need}",
    "/offers",
    "/offers/new",
    "/offers/{offer}",
    "/notifications",
    "/imports",
    "/imports/{run}",
    "/compliance/rules",
    "/search?q=%3Cimg",
    "/classify",
    "/users",
    "/audit",
    "/api/docs",
)
PROBE = """() => ({
    injected: document.querySelectorAll('[data-xss]').length,
    scriptLinks: [...document.querySelectorAll('a[href], area[href]')]
        .filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
})"""

CLOSE_POPUPS = (
    "() => document.querySelectorAll('.leaflet-popup-close-button').forEach(b => b.click())"
)


def plant(url: str) -> dict[str, int]:
    """Payloads in every listed field (prefixed, so unique names stay unique); the ids of the
    records the pages are opened for."""
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            load_synthetic_demo(session)
        with engine.begin() as connection:
            run = connection.execute(
                text(
                    "INSERT INTO import_runs (kind, filename, actor, status, progress, rows_read,"
                    " created, updated, unchanged, rejected, columns, ignored_columns,"
                    " cancel_requested) VALUES ('enterprises', 'x.csv', 'admin', 'done', 1, 1,"
                    " 0, 0, 0, 1, '{}', '[]', false) RETURNING id"
                )
            ).scalar_one()
            connection.execute(
                text(
                    'INSERT INTO import_rejections (run_id, row, "column", value, reason) '
                    "VALUES (:run, 2, 'ИНН', 'x', 'x')"
                ),
                {"run": run},
            )
            for table, columns in TEXT_FIELDS.items():
                for column in columns:
                    connection.execute(
                        text(
                            f'UPDATE {table} SET "{column}" = '
                            f'CASE WHEN "{column}" IS NULL THEN :p ELSE :p || "{column}" END'
                        ),
                        {"p": PAYLOAD},
                    )
            for table, columns in URL_FIELDS.items():
                for column in columns:
                    connection.execute(text(f'UPDATE {table} SET "{column}" = :u'), {"u": BAD_URL})

            def first(query: str) -> int:
                return connection.execute(text(query)).scalar_one()

            return {
                "cluster": first("SELECT min(cluster_id) FROM chains"),
                "chain": first("SELECT min(id) FROM chains"),
                "enterprise": first("SELECT min(enterprise_id) FROM memberships"),
                "need": first("SELECT min(id) FROM needs"),
                "offer": first("SELECT coalesce(min(id), 0) FROM offers"),
                "run": run,
            }
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict]]:
    """A server of its own over a demo database full of payloads."""
    url = f"sqlite:///{tmp_path_factory.mktemp('xss-db') / 'promcluster.db'}"
    prepare_database(url)
    ids = plant(url)
    with serve(url) as server:
        yield server, ids


def probe_with_popups(page: Page) -> list[dict]:
    """The page probed as it is, then with each of its first map popups open."""
    results = [page.evaluate(PROBE)]
    markers = page.locator(".leaflet-marker-icon, path.leaflet-interactive")
    for number in range(min(markers.count(), 5)):
        page.evaluate(CLOSE_POPUPS)
        markers.nth(number).dispatch_event("click")
        results.append(page.evaluate(PROBE))
    return results


def visit_all(page: Page, ids: dict[str, int]) -> list[str]:
    """Open every page, its live parts and some map popups; what went wrong, one line each."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(f"{d.message} on {page.url}"), d.dismiss()))
    found: list[str] = []
    niche = None
    for template in PAGES:
        path = template.format(**ids)
        if "{offer}" in template and not ids["offer"]:
            continue
        page.goto(path)
        page.wait_for_load_state("networkidle")
        found += [f"{path}: {result}" for result in probe_with_popups(page) if any(result.values())]
        if path == "/niches/72":
            niche = page.locator("a[href^='/niches/72/']").first.get_attribute("href")
    if niche:
        page.goto(niche)
        page.wait_for_load_state("networkidle")
        if any((result := page.evaluate(PROBE)).values()):
            found.append(f"{niche}: {result}")
    box = page.locator("input[type=search]").first
    if box.count():
        page.goto("/")
        box = page.locator("input[type=search]").first
        box.fill("<img")
        page.wait_for_load_state("networkidle")
        if any((result := page.evaluate(PROBE)).values()):
            found.append(f"live search: {result}")
    return found + [f"a dialog opened: {d}" for d in dialogs]


@pytest.mark.browser
def test_no_planted_script_runs_for_a_visitor(contexts: Contexts, planted) -> None:
    server, ids = planted
    page = contexts.browser.new_context(base_url=server.url, locale="ru-RU").new_page()
    try:
        assert visit_all(page, ids) == []
    finally:
        page.context.close()


@pytest.mark.browser
def test_no_planted_script_runs_for_an_administrator(
    contexts: Contexts, planted, log_in: Callable[[Page, str, str], None]
) -> None:
    server, ids = planted
    page = contexts.browser.new_context(base_url=server.url, locale="ru-RU").new_page()
    try:
        page.goto("/")
        log_in(page, *ADMIN)
        assert re.search(r"Администратор", page.locator(".account .who").inner_text())
        assert visit_all(page, ids) == []
    finally:
        page.context.close()
