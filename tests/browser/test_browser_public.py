"""What a visitor who is not logged in sees: home, the cluster list, cluster profiles,
an enterprise card and the API documentation."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

TYUMEN = "Строительно-индустриальный кластер Тюменской области"
LENINGRAD = "Кластер химической промышленности Ленинградской области"
KALININGRAD = "Янтарный промышленный кластер Калининградской области"
KRASNODAR_REGISTRY = {
    "Межрегиональный мебельный кластер «Е1»",
    "Алюминиевый кластер",
    "Кластер производителей упаковки и напитков",
    "Кластер «Бештау»",
}
LENINGRAD_ENTERPRISES = [
    "НПО «Полифас — Экспорт»",
    "«Рускомполимер»",
    "«Технопарк Мариенбург»",
    "«НПК Палитра»",
    "«Гласс Систем»",
]


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.mark.browser
def test_home_shows_platform_figures_and_leads_to_clusters_and_map(page: Page, live_server):
    clusters = live_server.scalar("SELECT count(*) FROM clusters")
    registry = live_server.scalar("SELECT count(*) FROM clusters WHERE status = 'federal_registry'")
    regions = live_server.scalar("SELECT count(DISTINCT region_code) FROM cluster_regions")
    tyumen = live_server.cluster_id(TYUMEN)

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Промышленные кластеры регионов")
    figures = page.get_by_role("region", name="Показатели платформы")
    expect(figures.locator('[data-kpi="clusters"]')).to_have_text(str(clusters))
    expect(figures.locator('[data-kpi="clusters"] + span')).to_have_text("кластеров")
    expect(figures.locator('[data-kpi="federal"]')).to_have_text(str(registry))
    expect(figures.locator('[data-kpi="regions"]')).to_have_text(str(regions))
    expect(page.locator("main table.list tbody tr")).to_have_count(clusters)

    page.get_by_role("link", name="Все кластеры с фильтрами и поиском").click()
    page.wait_for_url("**/clusters")
    expect(page.get_by_role("heading", level=1)).to_have_text("Кластеры")
    expect(page.locator("#results")).to_contain_text(f"Найдено: {clusters}")

    page.go_back()
    page.get_by_role("link", name="Карта кластеров и предприятий").click()
    page.wait_for_url("**/map")
    expect(page.get_by_role("heading", level=1)).to_have_text("Карта кластеров и предприятий")
    expect(page.locator("#map")).to_have_attribute("data-markers", re.compile(r"^[1-9]\d*$"))

    page.go_back()
    page.locator("main").get_by_role("link", name=TYUMEN, exact=True).click()
    page.wait_for_url(f"**/clusters/{tyumen}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TYUMEN)


@pytest.mark.browser
def test_cluster_list_filters_by_status_and_searches_by_text(page: Page, contexts, live_server):
    total = live_server.scalar("SELECT count(*) FROM clusters")
    registry = {
        name
        for (name,) in live_server.sql(
            "SELECT name FROM clusters WHERE status = 'federal_registry'"
        )
    }
    assert registry == {KALININGRAD, *KRASNODAR_REGISTRY}

    page.goto("/clusters")
    results = page.locator("#results")
    names = results.locator("tbody tr td:first-child a")
    expect(results).to_contain_text(f"Найдено: {total}")
    expect(names).to_have_count(total)
    page.evaluate("window.sameDocument = true")  # lost if the browser loads a new page

    # Choosing a status swaps the results in place (htmx) and puts the filter in the address.
    page.get_by_label("Статус").select_option(label="в реестре Минпромторга России")
    page.wait_for_url(lambda url: _query(url).get("status") == ["federal_registry"])
    expect(results).to_contain_text(f"Найдено: {len(registry)}")
    expect(names).to_have_count(len(registry))
    assert set(names.all_inner_texts()) == registry
    expect(results.locator("tbody .badge")).to_have_text(
        ["в реестре Минпромторга России"] * len(registry)
    )
    assert page.evaluate("window.sameDocument") is True, "the filter reloaded the whole page"

    # Typing in the search box narrows the list as you type.
    page.get_by_label("Статус").select_option(label="любой")
    expect(names).to_have_count(total)
    search = page.get_by_label("Поиск", exact=True)
    search.press_sequentially("янтар", delay=20)
    # Playwright types Cyrillic with insertText (no keyup event, unlike a real keyboard), so a
    # final real key stands in for the keyup that the page listens to.
    search.press("End")
    page.wait_for_url(lambda url: _query(url).get("q") == ["янтар"])
    expect(names).to_have_text([KALININGRAD])
    expect(results).to_contain_text("Найдено: 1")
    assert page.evaluate("window.sameDocument") is True, "the search reloaded the whole page"

    # The same form works as a plain GET without JavaScript.
    plain = contexts.new(java_script_enabled=False).new_page()
    plain.goto("/clusters")
    plain.get_by_label("Поиск", exact=True).fill("янтар")
    plain.get_by_role("button", name="Найти").click()
    plain.wait_for_url(lambda url: _query(url).get("q") == ["янтар"])
    expect(plain.locator("#results")).to_contain_text("Найдено: 1")
    expect(plain.locator("#results tbody tr td:first-child a")).to_have_text([KALININGRAD])
    plain.goto("/clusters?status=federal_registry")
    expect(plain.locator("#results tbody tr td:first-child a")).to_have_count(len(registry))


@pytest.mark.browser
def test_tyumen_profile_shows_declared_figures_chains_and_member_map(page: Page, live_server):
    tyumen = live_server.cluster_id(TYUMEN)
    chains = live_server.sql(
        "SELECT c.id, count(p.id) FROM chains c LEFT JOIN investment_projects p "
        "ON p.chain_id = c.id WHERE c.cluster_id = :id GROUP BY c.id ORDER BY c.position",
        id=tyumen,
    )
    assert [n for _, n in chains] == [4, 5]

    page.goto(f"/clusters/{tyumen}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TYUMEN)

    declared = page.locator(
        "section.card", has=page.get_by_role("heading", name="Заявленные показатели")
    )
    figures = declared.locator("ul.declared > li")
    expect(figures).to_have_count(3)
    for value, indicator in (
        ("21", "участников"),
        ("60", "организаций в стадии вступления"),
        ("около 240", "потенциальных участников в проработке"),
    ):
        figure = figures.filter(
            has=page.locator(".indicator", has_text=re.compile(f"^{indicator}$"))
        )
        expect(figure.locator(".value")).to_have_text(value)
        source = figure.locator("summary")
        expect(source).to_be_visible()
        expect(source).to_contain_text("источник: ProTobolsk")
    members = figures.first
    members.locator("summary").click()
    expect(members.locator("blockquote")).to_be_visible()
    expect(members.locator("blockquote")).to_contain_text("присоединилась 21 компания")
    expect(members).to_contain_text(
        "В тюменском строительно-индустриальном кластере уже 21 компания"
    )

    articles = page.locator("#chains article.chain")
    expect(articles).to_have_count(2)
    for article, projects, amount in (
        (articles.nth(0), 4, "3,6 млрд ₽"),
        (articles.nth(1), 5, "около 808,5 млн ₽"),
    ):
        expect(article.locator("[data-chain-projects]")).to_have_text(str(projects))
        expect(article.locator("table.list tbody tr")).to_have_count(projects)
        expect(article.locator("ul.declared .value")).to_contain_text([str(projects), amount])
        expect(article.locator("ul.declared summary").first).to_contain_text("ProTobolsk")

    members_map = page.locator("#members-map.map-ready")
    markers = members_map.locator(".leaflet-overlay-pane .pc-marker")
    expect(markers.first).to_be_visible()
    assert markers.count() >= 1


@pytest.mark.browser
def test_leningrad_profile_lists_named_enterprises_and_opens_a_card(page: Page, live_server):
    leningrad = live_server.cluster_id(LENINGRAD)
    members = live_server.scalar(
        "SELECT count(*) FROM memberships WHERE cluster_id = :id AND status = 'member'",
        id=leningrad,
    )
    everyone = live_server.scalar(
        "SELECT count(*) FROM memberships WHERE cluster_id = :id", id=leningrad
    )
    card = live_server.scalar(
        "SELECT id FROM enterprises WHERE name = :name", name="«Рускомполимер»"
    )

    page.goto(f"/clusters/{leningrad}")
    expect(page.get_by_role("heading", level=1)).to_have_text(LENINGRAD)
    section = page.locator("#members")
    expect(page.locator('[data-count="member"]')).to_have_text(str(members))
    expect(section.get_by_role("heading", name=f"Участник — {members}")).to_be_visible()
    for name in LENINGRAD_ENTERPRISES:
        expect(
            section.locator("ul.members").get_by_role("link", name=name, exact=True)
        ).to_be_visible()
    # One point per membership on the members' map, drawn without tiles.
    expect(section.locator(".leaflet-overlay-pane .pc-marker")).to_have_count(everyone)

    section.get_by_role("link", name="«Рускомполимер»", exact=True).click()
    page.wait_for_url(f"**/enterprises/{card}")
    expect(page.get_by_role("heading", level=1)).to_have_text("«Рускомполимер»")
    participation = page.locator(
        "section.card", has=page.get_by_role("heading", name="Участие в кластерах")
    )
    expect(participation.get_by_role("link", name=LENINGRAD)).to_be_visible()
    expect(participation).to_contain_text("участник")
    expect(page.locator("dd[data-field=inn]")).to_have_text("не указан в источниках")
    expect(page.locator("#enterprise-map .leaflet-overlay-pane .pc-marker")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("Местоположение: приблизительно: центр региона")


@pytest.mark.browser
def test_api_docs_render_swagger_ui_from_local_files(page: Page, live_server):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto("/api/docs")
    ui = page.locator(".swagger-ui")
    expect(ui.locator(".info .title")).to_contain_text("promcluster API")
    path = ui.locator('.opblock-summary-path[data-path="/api/v1/clusters"]')
    expect(path.first).to_be_visible()
    expect(path.first).to_contain_text("/api/v1/clusters")
    assert f"{live_server.url}/static/vendor/swagger-ui/swagger-ui-bundle.js" in requested
    assert f"{live_server.url}/api/openapi.json" in requested
