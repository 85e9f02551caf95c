"""A real firm from the FNS SME register in a real browser: its card names the register, the
state date, the category and the date of inclusion, and places it on the map. Screenshot for
docs/OPEN_DATA.md (over docs/screenshots only with ``PROMCLUSTER_DOCS_SCREENSHOTS=1``)."""

from collections.abc import Iterator

import pytest
from conftest import DOCS_SCREENSHOTS, LiveServer
from playwright.sync_api import Page, expect
from sqlalchemy import text

from promcluster.auth.audit import Actor
from promcluster.db import make_sessionmaker
from promcluster.demo.loader import open_data_samples
from promcluster.imports.service import run_import

FNS = "SELECT id FROM enterprises WHERE data_source = 'fns-sme'"


@pytest.fixture(scope="module")
def fns_register(live_server: LiveServer) -> Iterator[None]:
    """The shipped real register sample (what ``load demo`` adds) for one module, removed
    afterwards unless it was already there."""
    present = live_server.sql(FNS + " LIMIT 1")
    if not present:
        (kind, path), *_ = open_data_samples()
        run_import(make_sessionmaker(live_server.engine), kind, path, actor=Actor("tests"))
    yield
    if not present:
        with live_server.engine.begin() as connection:
            connection.execute(text(f"DELETE FROM search_documents WHERE enterprise_id IN ({FNS})"))
            connection.execute(text(f"DELETE FROM enterprises WHERE id IN ({FNS})"))


@pytest.mark.browser
def test_a_real_firms_card_names_the_register(page: Page, live_server, fns_register):
    firm = live_server.scalar("SELECT id FROM enterprises WHERE inn = '8901037297'")
    page.goto(f"/enterprises/{firm}")
    expect(page.locator("h1")).to_have_text('ООО "УРАЛ ПОЛЯРНЫЙ"')
    register = page.locator("#register")
    expect(register).to_contain_text("Единый реестр субъектов МСП (набор 7707329152-rsmp)")
    expect(register).to_contain_text("сведения на 10.02.2019")
    expect(register).to_contain_text("микропредприятие, включено 10.12.2018")
    expect(page.locator("main")).not_to_contain_text("Синтетическая запись")
    expect(page.locator("main")).to_contain_text("41.20")  # main activity from the register
    page.locator("#enterprise-map .leaflet-marker-icon, #enterprise-map path").first.wait_for()
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOTS / "enterprise-fns.png"), full_page=True)
