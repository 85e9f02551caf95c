"""OKPD2 code buttons show where each code sits (issue 23): under a product name typed in the
need form, each suggested code carries its parent groups, the whole path as its tooltip."""

import copy

import pytest
from conftest import MANAGER
from matching.test_classification import package_classifier
from playwright.sync_api import Page, expect

from promcluster.matching import classification


@pytest.fixture
def quick_classifier(monkeypatch) -> None:
    """The server builds its classifier from a copy of the package's (if not built yet)."""
    package_classifier()  # built here, not while a page waits for suggestions
    monkeypatch.setattr(
        classification, "Classifier", lambda entries: copy.deepcopy(package_classifier())
    )


@pytest.mark.browser
@pytest.mark.usefixtures("quick_classifier")
def test_each_code_button_shows_its_parent_groups(page: Page, log_in):
    page.goto("/needs")
    log_in(page, *MANAGER)
    page.goto("/needs/new")
    page.locator('input[name="product_name"]').press_sequentially("Труба ПНД 110 мм", delay=20)
    buttons = page.locator("#okpd2-suggestions .suggestion")
    expect(buttons).to_have_count(5, timeout=20_000)
    first = buttons.first
    code = first.get_attribute("data-code")
    assert code and code.startswith("22.21."), code
    path = first.locator(".okpd2-path")
    expect(path).to_be_visible()
    expect(path).to_contain_text("Изделия резиновые и пластмассовые")
    expect(path).to_contain_text("›")
    title = first.get_attribute("title") or ""
    assert title.startswith("22 Изделия резиновые и пластмассовые › "), title
    assert f"› {code} " in title, title
