"""Search and OKPD2 codes in Chromium: the top-bar box suggests records by kind while the user
types (arrows, Enter and Esc work) and opens the results page, the search page
updates its results while the user types, a typo is corrected with a notice; a product name on
the need form brings code buttons that fill the code field; the classify page suggests codes
for pasted names and remembers the user's choice.

A brick works with a line of facing bricks is added for this module and removed afterwards with
the corrections the test made, so that the other browser tests see the demo they expect. The
server runs in this process: its classifier is a copy of the package classifier (built once per
test run, before the first page asks for it) instead of a build of its own."""

import copy
import re
from collections.abc import Iterator

import pytest
from matching.test_classification import package_classifier
from playwright.sync_api import Page, expect
from sqlalchemy import text

from promcluster.db import make_sessionmaker, transaction
from promcluster.matching import classification
from promcluster.registry import service as registry
from promcluster.registry.models import ProductLine

ADMIN = ("admin", "admin-password-1")
MANAGER = ("tyumen-manager", "tyumen-password-1")
PLANT = "ООО «Тобольский кирпичный завод (тест)»"
LINE = "Кирпич облицовочный пустотелый"
BRICK = "23.32.11.110"
NAMES = ("Щебень гранитный фракции 5-20 (тест)", "Хлеб пшеничный формовой (тест)")


@pytest.fixture(scope="module")
def brick_works(live_server) -> Iterator[int]:
    engine = live_server.engine
    with transaction(make_sessionmaker(engine)) as session:
        data = {"name": PLANT, "region_code": "72", "okved_main": "23.32"}
        plant = registry.create_enterprise(session, None, data).id
        session.add(
            ProductLine(enterprise_id=plant, okpd2_code=BRICK, direction="produces", name=LINE)
        )
    yield plant
    with transaction(make_sessionmaker(engine)) as session:
        registry.delete_enterprise(session, None, plant)
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM classification_corrections WHERE name IN (:a, :b)"),
            {"a": NAMES[0], "b": NAMES[1]},
        )


@pytest.fixture
def quick_classifier(monkeypatch) -> None:
    """The server builds its classifier from a copy of the package's (if not built yet)."""
    package_classifier()  # built here, not while a page waits for suggestions

    def build(entries):
        return copy.deepcopy(package_classifier())

    monkeypatch.setattr(classification, "Classifier", build)


@pytest.mark.browser
def test_top_bar_search_lists_the_record_and_corrects_a_typo(page: Page, brick_works):
    page.goto("/")
    box = page.locator("form.quick-search input[name=q]")
    box.fill("облицовочный кирпич")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Поиск")
    expect(page.locator("form.search-form input[name=q]")).to_have_value("облицовочный кирпич")
    hit = page.locator("li.search-hit", has_text=LINE)
    expect(hit).to_have_count(1)
    expect(hit).to_have_attribute("data-kind", "product")
    expect(hit.locator(".badge")).to_have_text("Продукция")
    expect(hit).to_contain_text(PLANT)
    expect(hit).to_contain_text(f"ОКПД2 {BRICK}")
    expect(page.locator(".search-corrected")).to_have_count(0)
    hit.get_by_role("link", name=LINE).click()
    page.wait_for_url(f"**/enterprises/{brick_works}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(PLANT)

    box = page.locator("form.quick-search input[name=q]")
    box.fill("облицовчный кирпич")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    notice = page.locator(".search-corrected")
    expect(notice).to_contain_text("Учтены исправления опечаток")
    expect(notice).to_contain_text("«облицовчный» → «облицовочный»")
    expect(page.locator("li.search-hit", has_text=LINE)).to_have_count(1)


@pytest.mark.browser
def test_top_bar_suggests_records_by_kind_and_the_keyboard_chooses_one(page: Page):
    page.goto("/regions")
    box = page.locator("form.quick-search input[name=q]")
    listbox = page.locator("#quick-search-list")
    expect(listbox).to_be_hidden()
    box.press_sequentially("газобл", delay=30)
    expect(listbox).to_be_visible(timeout=COLD)
    expect(box).to_have_attribute("aria-expanded", "true")
    shown = listbox.bounding_box()
    width = page.evaluate("window.innerWidth")
    assert shown and shown["x"] >= 0 and shown["x"] + shown["width"] <= width, shown
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    kinds = listbox.locator(".quick-search-kind")
    expect(kinds.filter(has_text="Инвестиционные проекты")).to_have_count(1)
    expect(kinds.filter(has_text="Цепочки")).to_have_count(1)
    project = listbox.get_by_role("option", name=re.compile("Производство газоблоков"))
    expect(project).to_have_count(1)
    expect(project.locator("mark")).to_have_text("газоблоков")
    expect(project.locator(".why")).to_have_text("совпало: название")
    chain = listbox.locator("[role=option][data-kind=chain]")
    expect(chain).to_contain_text("газоблоки")

    options = listbox.get_by_role("option")
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    first_id = options.first.get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "false")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.fill("")
    box.press_sequentially("Бешт", delay=30)
    cluster = listbox.get_by_role("option", name=re.compile("Кластер «Бештау»"))
    expect(cluster).to_have_count(1)
    expect(listbox.locator(".quick-search-kind").first).to_contain_text("Кластеры")
    box.press("ArrowDown")
    expect(cluster).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/clusters/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Бештау")


COLD = 30_000  # the first search of a server loads its spelling vocabulary (9 s on a busy machine)
PAYLOAD = '<img src="/static/favicon.svg" onload="window.planted=1">Кластер-приманка'


@pytest.fixture
def planted_cluster(live_server) -> Iterator[int]:
    """A cluster whose name is markup, removed afterwards."""
    with transaction(make_sessionmaker(live_server.engine)) as session:
        cluster = registry.create_cluster(session, None, {"name": PAYLOAD, "region_codes": ["72"]})
    yield cluster.id
    with transaction(make_sessionmaker(live_server.engine)) as session:
        registry.delete_cluster(session, None, cluster.id)


@pytest.mark.browser
def test_a_suggested_title_is_text_never_markup(page: Page, planted_cluster):
    page.goto("/")
    box = page.locator("form.quick-search input[name=q]")
    box.press_sequentially("приманк", delay=30)
    option = page.locator("#quick-search-list [role=option][data-kind=cluster]")
    expect(option).to_have_count(1, timeout=COLD)
    expect(option.locator(".title")).to_have_text(PAYLOAD)
    expect(page.locator("#quick-search-list img")).to_have_count(0)
    assert page.evaluate("window.planted") is None


@pytest.mark.browser
def test_enter_without_a_chosen_suggestion_opens_the_search_page(page: Page):
    page.goto("/")
    box = page.locator("form.quick-search input[name=q]")
    box.press_sequentially("янтарный кластер", delay=20)
    expect(page.locator("#quick-search-list [role=option]").first).to_be_visible(timeout=COLD)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    section = page.locator("section.search-section").first
    expect(section).to_have_attribute("data-kind", "cluster")
    hit = section.locator("li.search-hit").first
    expect(hit).to_contain_text("Янтарный промышленный кластер Калининградской области")
    expect(hit.locator("mark")).to_have_text(["Янтарный", "кластер"])
    expect(hit.locator(".search-why")).to_have_text("совпало: название")
    expect(page.locator(".search-kinds a[data-kind=cluster]")).to_contain_text("Кластеры")


@pytest.mark.browser
def test_search_page_updates_results_while_typing(page: Page, brick_works):
    page.goto("/search")
    expect(page.locator("li.search-hit")).to_have_count(0)
    box = page.locator("form.search-form input[name=q]")
    box.press_sequentially("кирп", delay=30)
    hit = page.locator("li.search-hit", has_text=LINE)
    expect(hit).to_have_count(1)
    expect(hit.locator(".badge")).to_have_text("Продукция")
    assert page.url.endswith("/search")  # no page load, no pushed URL

    box.fill("")
    box.press_sequentially("абракадабр", delay=20)
    expect(page.locator(".search-empty")).to_contain_text("Ничего не найдено")
    expect(page.locator(".search-corrected")).to_have_count(0)  # a word being typed is not fixed


@pytest.mark.browser
def test_a_kind_unticked_while_typing_keeps_the_word_a_beginning(page: Page, brick_works):
    """The kind boxes refresh the results live too, for the same half-typed query."""
    page.goto("/search")
    page.locator("form.search-form input[name=q]").press_sequentially("кирп", delay=30)
    expect(page.locator("li.search-hit", has_text=LINE)).to_have_count(1)
    page.get_by_label("Продукция").uncheck()
    expect(page.locator("li.search-hit", has_text=LINE)).to_have_count(0)
    expect(page.locator("li.search-hit", has_text=PLANT)).to_have_attribute(
        "data-kind", "enterprise"
    )
    expect(page.locator(".search-corrected")).to_have_count(0)


@pytest.mark.browser
@pytest.mark.usefixtures("quick_classifier")
def test_need_form_suggests_codes_and_a_click_fills_the_code(page: Page, log_in):
    page.goto("/needs")
    log_in(page, *MANAGER)
    page.goto("/needs/new")
    code = page.locator('input[name="okpd2_code__text"]')
    expect(code).to_have_value("")
    expect(page.locator("#okpd2-suggestions .suggestion")).to_have_count(0)
    page.locator('input[name="product_name"]').press_sequentially("Щебень гранитный", delay=20)
    buttons = page.locator("#okpd2-suggestions .suggestion")
    # The first suggestion copies the classifier and teaches it the database's coded names:
    # seconds on a loaded machine (a CI run with other work beside it missed 5 s once).
    expect(buttons).to_have_count(5, timeout=20_000)
    first = buttons.first
    chosen = first.get_attribute("data-code")
    assert chosen and chosen.startswith("08.12."), chosen
    expect(first).to_contain_text(chosen)
    second = buttons.nth(1)
    second.click()
    expect(code).to_have_value(second.get_attribute("data-code"))
    expect(second).to_have_class(re.compile(r"\bchosen\b"))
    first.click()
    expect(code).to_have_value(chosen)
    expect(first).to_have_class(re.compile(r"\bchosen\b"))
    expect(page.locator("#okpd2-suggestions .suggestion.chosen")).to_have_count(1)
    assert page.url.endswith("/needs/new")  # nothing was submitted


@pytest.mark.browser
@pytest.mark.usefixtures("quick_classifier", "brick_works")
def test_classify_page_suggests_codes_and_remembers_a_choice(page: Page, live_server, log_in):
    page.goto("/classify")
    log_in(page, *ADMIN)
    page.get_by_label("Наименования").fill("\n".join(NAMES))
    with page.expect_navigation():
        page.get_by_role("button", name="Подобрать коды").click()
    rows = page.locator("table.classify-results tbody tr")
    expect(rows).to_have_count(2)
    gravel, bread = rows.nth(0), rows.nth(1)
    expect(gravel.locator("td").first).to_have_text(NAMES[0])
    expect(bread.locator("td").first).to_have_text(NAMES[1])
    expect(gravel.locator("ol.suggestions li")).to_have_count(5)
    expect(gravel.locator("ol.suggestions li .code").first).to_have_text(re.compile(r"^08\.12\."))
    expect(bread.locator("ol.suggestions li .code").first).to_have_text(re.compile(r"^10\.71\."))

    # the user keeps the second suggestion for the gravel
    second = gravel.locator("ol.suggestions li .code").nth(1).inner_text()
    first = gravel.locator("ol.suggestions li .code").first.inner_text()
    gravel.locator('input[name="okpd2_code"]').fill(second)
    gravel.get_by_role("button", name="Запомнить").click()
    expect(gravel.locator(".saved")).to_have_text(f"запомнено: {second}")
    stored = live_server.sql(
        "SELECT okpd2_code, suggested_code FROM classification_corrections WHERE name = :n",
        n=NAMES[0],
    )
    assert stored == [(second, first)]

    # a code that does not exist is refused in place
    bread.locator('input[name="okpd2_code"]').fill("99.99.99")
    bread.get_by_role("button", name="Запомнить").click()
    expect(bread.locator(".field-error")).to_contain_text("99.99.99")
    assert live_server.sql(
        "SELECT count(*) FROM classification_corrections WHERE name = :n", n=NAMES[1]
    ) == [(0,)]

    # suggesting again puts the remembered code first
    with page.expect_navigation():
        page.get_by_role("button", name="Подобрать коды").click()
    first_again = page.locator("table.classify-results tbody tr").first
    expect(first_again.locator("ol.suggestions li .code").first).to_have_text(second)
