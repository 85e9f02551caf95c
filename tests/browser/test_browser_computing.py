"""The «идёт расчёт…» page in Chromium (issue 23): with the pages computed in the background, as
``promcluster serve`` does after a restart, a region's niche and discovery pages first show the
computing notice and then, by themselves (``computing.js``, allowed by the Content-Security-Policy:
the monitor fails the test on any console error), the normal page."""

import re

import pytest
from playwright.sync_api import Page, expect

from promcluster.background import Computations

pytestmark = pytest.mark.browser
COMPUTED_MS = 180_000  # the first computation on a shared, busy machine


@pytest.fixture
def background(live_server):
    """The live server's pages computed in the background, none computed yet."""
    app = live_server.app
    kept = app.state.computations
    app.state.computations = Computations(background=True, wait_seconds=0)
    yield
    app.state.computations = kept


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/niches/72", "Что производить и кто купит"), ("/discover/72", "Тюменская область")],
)
def test_the_computing_page_turns_into_the_page_by_itself(page: Page, background, path, heading):
    page.goto(path)
    expect(page.get_by_role("status")).to_contain_text("Идёт расчёт…")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        re.compile(heading), timeout=COMPUTED_MS
    )
    expect(page.get_by_text("Идёт расчёт…")).to_have_count(0)
    assert page.url.endswith(path)
