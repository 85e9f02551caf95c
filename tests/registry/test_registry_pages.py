"""HTML pages over HTTP: what a visitor sees on the home, cluster, enterprise, region and map
pages; API documentation served without any CDN."""

import html
import json
import re

import pytest
from factories import TEST_TILES
from sqlalchemy import insert, select

from promcluster.registry import queries
from promcluster.registry.models import Cluster, Enterprise, EnterpriseFigure, Source

URL = re.compile(r"https?://[^\s\"'<>]+")


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def cluster_id(db, fragment: str) -> int:
    with db.sessions() as session:
        return session.scalar(select(Cluster.id).where(Cluster.name.contains(fragment)))


def linked_clusters(text: str) -> set[str]:
    """Names of the clusters linked from a page."""
    return {html.unescape(n) for n in re.findall(r'<a href="/clusters/\d+">([^<]+)</a>', text)}


def results(text: str) -> str:
    return text[text.index('<div id="results">') :]


def section(text: str, start: str, end: str) -> str:
    """The part of ``text`` from ``start`` up to the next ``end``."""
    begin = text.index(start)
    stop = text.find(end, begin + len(start))
    return text[begin : stop if stop != -1 else len(text)]


# Home and lists


def test_home_page_shows_figures_clusters_and_national_figures(client, demo):
    text = page(client, "/")
    counts = demo.counts()
    assert f'data-kpi="clusters">{counts["clusters"]}<' in text
    with demo.sessions() as session:
        names = set(session.scalars(select(Cluster.name)))
        federal = len(
            session.scalars(select(Cluster).where(Cluster.status == "federal_registry")).all()
        )
    assert f'data-kpi="federal">{federal}<' in text
    assert linked_clusters(text) == names
    assert "промышленных кластеров в стране" in text  # declared nationally, with its source
    assert "53" in section(text, "По стране", "</ul>")


def test_home_and_region_pages_show_the_known_investment(client, db):
    cluster = db.add_cluster(region_codes=["72"])
    db.add_project(cluster, amount=2_500_000)
    db.add_project(cluster, amount=1_000_000)
    home = page(client, "/")
    assert "по записям проектов — 3,5 млн ₽" in home
    region = page(client, "/regions/72")
    assert re.search(r'<span class="num">3,5 млн ₽</span><span>известная сумма проектов', region)
    profile = page(client, f"/clusters/{cluster}")
    assert "<strong>3,5 млн ₽</strong>" in profile


def test_cluster_list_filters(client, demo):
    everything = page(client, "/clusters")
    assert f"Найдено: {demo.counts()['clusters']}" in everything
    amber = results(page(client, "/clusters?q=ЯНТАРН"))
    assert linked_clusters(amber) == {"Янтарный промышленный кластер Калининградской области"}
    kuban = results(page(client, "/clusters?region=23"))
    assert len(linked_clusters(kuban)) == 5 and "Найдено: 5" in kuban
    federal = results(page(client, "/clusters?status=federal_registry"))
    assert "Янтарный промышленный кластер Калининградской области" in linked_clusters(federal)
    assert "Найдено: 5" in federal
    chem = results(page(client, "/clusters?specialisation=20"))
    assert "Кластер химической промышленности Ленинградской области" in linked_clusters(chem)
    assert "Янтарный промышленный кластер Калининградской области" not in linked_clusters(chem)
    nothing = results(page(client, "/clusters?q=несуществующий&region=&status="))
    assert linked_clusters(nothing) == set() and "Ничего не найдено" in nothing
    # the chosen filters stay selected in the form
    assert '<option value="23" selected>' in page(client, "/clusters?region=23")


def test_cluster_list_pages_through_many_clusters(client, db):
    for i in range(53):
        db.add_cluster(name=f"Кластер {i:03d}")
    first = results(page(client, "/clusters"))
    second = results(page(client, "/clusters?page=2"))
    assert "Найдено: 53" in first
    assert len(linked_clusters(first)) == 50 and len(linked_clusters(second)) == 3
    assert linked_clusters(first).isdisjoint(linked_clusters(second))
    link = re.search(r'<a href="([^"]+)">2</a>', first).group(1)
    assert linked_clusters(results(page(client, html.unescape(link)))) == linked_clusters(second)


def test_page_links_keep_a_search_with_special_characters(client, db):
    for i in range(52):
        db.add_cluster(name=f"Кластер «Серп & Молот» {i:03d}")
    for i in range(10):
        db.add_cluster(name=f"Другой кластер {i}")
    first = results(page(client, "/clusters?q=%26+Молот"))
    assert "Найдено: 52" in first
    link = html.unescape(re.search(r'<a href="([^"]+)">2</a>', first).group(1))
    second = results(page(client, link))
    assert "Найдено: 52" in second
    assert len(linked_clusters(second)) == 2


def test_a_long_enterprise_list_has_a_short_pager_and_russian_counts(client, db):
    """Thousands of enterprises: the pager shows the first, the last and the pages around the
    current one (not one link per page), and counts carry Russian thousands separators."""
    rows = [{"name": f"Предприятие №{n}", "region_code": "72"} for n in range(1, 1235)]
    with db.engine.begin() as connection:
        connection.execute(insert(Enterprise), rows)
    text = page(client, "/enterprises?page=10")
    pager = re.search(r'<nav class="pager".*?</nav>', text, re.S).group(0)
    numbers = re.findall(r">([\d\u202f]+)</(?:a|strong)>", pager)
    assert [int(n) for n in numbers] == [1, 8, 9, 10, 11, 12, 25]
    assert pager.count("…") == 2 and 'rel="prev"' in pager and 'rel="next"' in pager
    assert "страница 10 из 25" in pager
    assert "Найдено: 1\u202f234" in text
    last = page(client, "/enterprises?page=25")
    assert 'rel="next"' not in last and "страница 25 из 25" in last


def test_enterprises_are_listed_with_numbers_read_as_numbers(client, db):
    names = ["ООО «Завод №10»", "Предприятие №100", "Предприятие №2", "ООО «Завод №9»"]
    names += ["Предприятие", "Предприятие №10", "Предприятие №1", "Альфа"]
    for name in names:
        db.add_enterprise(name=name)
    text = html.unescape(page(client, "/enterprises"))
    listed = re.findall(r'<a href="/enterprises/\d+">([^<]+)</a>', text)
    assert listed == [
        "Альфа",
        "ООО «Завод №9»",
        "ООО «Завод №10»",
        "Предприятие",
        "Предприятие №1",
        "Предприятие №2",
        "Предприятие №10",
        "Предприятие №100",
    ]


def test_a_page_of_the_name_order_is_read_from_its_index(db):
    """The list's order is the expression index of migration 0015, not a sort of every row."""
    query = queries.enterprise_query().limit(50)
    with db.engine.connect() as connection:
        compiled = query.compile(connection, compile_kwargs={"literal_binds": True})
        explain = "EXPLAIN QUERY PLAN " if db.backend == "sqlite" else "EXPLAIN "
        plan = " ".join(str(r) for r in connection.exec_driver_sql(f"{explain}{compiled}"))
    if db.backend == "sqlite":
        assert "ix_enterprises_name_order" in plan and "TEMP B-TREE" not in plan, plan
    else:  # an empty table may be read whole; the index must be there to choose
        with db.engine.connect() as connection:
            index = "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_enterprises_name_order'"
            found = connection.exec_driver_sql(index).scalar()
        assert found == 1


def test_the_home_page_says_when_it_shows_a_demo_with_synthetic_firms(client, db):
    db.add_enterprise(name="ООО «Настоящее»")
    assert 'id="demo-notice"' not in page(client, "/")
    with db.engine.begin() as connection:
        rows = [
            {"name": f"Синтетическое №{n}", "region_code": "72", "is_synthetic": True}
            for n in (1, 2)
        ]
        connection.execute(insert(Enterprise), rows)
    notice = page(client, "/").split('id="demo-notice">')[1].split("</p>")[0]
    assert "Демонстрационная версия" in notice and "(их 2)" in notice


def test_enterprise_list_searches(client, demo):
    text = page(client, "/enterprises?q=полифас")
    assert "НПО «Полифас — Экспорт»" in html.unescape(text)
    assert "Гласс Систем" not in html.unescape(text)


# Cluster profile


def test_tyumen_cluster_page_shows_chains_with_project_counts_and_declared_figures(client, demo):
    text = page(client, f"/clusters/{cluster_id(demo, 'Строительно-индустриальный')}")
    assert 'data-chain-projects="1">4<' in text
    assert 'data-chain-projects="2">5<' in text
    declared = section(text, "Заявленные показатели", "По записям платформы")
    for value, indicator in (
        ("21", "участников"),
        ("60", "организаций в стадии вступления"),
        ("около 240", "потенциальных участников в проработке"),
    ):
        assert re.search(
            rf'<span class="value">{value}</span>\s*<span class="indicator">{indicator}</span>',
            declared,
        ), value
    assert declared.count("источник: ProTobolsk") == 3
    assert 'href="https://protobolsk.ru/news/' in declared
    assert "3,6 млрд ₽" in section(text, 'id="chains"', "</section>")


def test_cluster_page_groups_members_by_status_then_role(client, db):
    cluster = db.add_cluster(name="Кластер с составом")
    for name, status, role in (
        ("Якорный завод", "member", "anchor"),
        ("Завод-участник", "member", "participant"),
        ("Заявитель", "applicant", "participant"),
        ("Кандидат", "potential", "participant"),
        ("Бывший участник", "left", "participant"),
    ):
        db.add_membership(cluster, db.add_enterprise(name=name), status=status, role=role)
    text = page(client, f"/clusters/{cluster}")
    members = section(text, '<section id="members">', "</section>")
    headings = re.findall(r'<h3 class="status-(\w+)">[^<]*— (\d+)</h3>', members)
    assert headings == [("member", "2"), ("applicant", "1"), ("potential", "1"), ("left", "1")]

    def group(status: str) -> str:
        return section(members, f'class="status-{status}"', "<h3")

    assert "Якорный завод" in group("member") and "Завод-участник" in group("member")
    assert "Заявитель" in group("applicant") and "Заявитель" not in group("member")
    assert "Кандидат" in group("potential")
    assert "Бывший участник" in group("left")
    anchor = section(group("member"), "Якорное предприятие", "</ul>")
    assert "Якорный завод" in anchor and "Завод-участник" not in anchor
    assert 'data-count="member">2<' in text


def test_leningrad_cluster_page_lists_the_five_enterprises(client, demo):
    text = html.unescape(page(client, f"/clusters/{cluster_id(demo, 'химической')}"))
    members = section(text, '<section id="members">', "</section>")
    for name in (
        "НПО «Полифас — Экспорт»",
        "«Рускомполимер»",
        "«Технопарк Мариенбург»",
        "«НПК Палитра»",
        "«Гласс Систем»",
    ):
        assert name in section(members, 'class="status-member"', "<h3 class="), name


def test_cluster_page_shows_edit_controls_only_to_those_who_may_edit(client, db, users, login_as):
    cluster, other = db.add_cluster(), db.add_cluster()
    assert "/edit" not in page(client, f"/clusters/{cluster}")
    manager = login_as(users.add("manager", "cluster_manager", clusters=[cluster]))
    assert f'href="/clusters/{cluster}/edit"' in page(manager, f"/clusters/{cluster}")
    assert f'href="/clusters/{other}/edit"' not in page(manager, f"/clusters/{other}")


def test_missing_pages_are_404_pages(client, db):
    for path in ("/clusters/999999", "/enterprises/999999", "/regions/00"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")


def test_names_are_escaped(client, db):
    cluster = db.add_cluster(name='<script>alert("x")</script>')
    text = page(client, f"/clusters/{cluster}")
    assert '<script>alert("x")</script>' not in text
    assert "&lt;script&gt;" in text


# Enterprise, region and map pages


def test_enterprise_page(client, demo):
    with demo.sessions() as session:
        e = session.scalar(select(Enterprise).where(Enterprise.name == "«Гласс Систем»"))
    text = page(client, f"/enterprises/{e.id}")
    assert "«Гласс Систем»" in html.unescape(text)
    assert '<dd data-field="inn">не указан в источниках</dd>' in text
    assert '<a href="/regions/47">Ленинградская область</a>' in text
    chem = cluster_id(demo, "химической")
    assert f'<a href="/clusters/{chem}">' in text
    assert "приблизительно: центр региона" in text


def test_enterprise_page_shows_figures_by_year_only_when_there_are_some(client, db):
    firm = db.add_enterprise(employees=120, revenue=90_000_000)
    assert 'id="figures"' not in page(client, f"/enterprises/{firm}")
    with db.session() as session:
        session.add(EnterpriseFigure(enterprise_id=firm, year=2024, employees=120))
        session.add(EnterpriseFigure(enterprise_id=firm, year=2023, employees=100, revenue=80e6))
    text = page(client, f"/enterprises/{firm}")
    assert "Показатели по годам" in text
    assert text.index('data-year="2023"') < text.index('data-year="2024"')
    row = text[text.index('data-year="2023"') : text.index('data-year="2024"')]
    assert ">100<" in row and "80" in row


def test_region_page_lists_its_clusters(client, demo):
    text = page(client, "/regions/72")
    assert "<h1>Тюменская область</h1>" in text
    assert linked_clusters(section(text, "Кластеры региона", "</ul>")) == {
        "Строительно-индустриальный кластер Тюменской области",
        "Нефтегазовый кластер Тюменской области",
    }
    krasnodar = page(client, "/regions/23")
    assert "капитализация регионального фонда развития промышленности" in krasnodar


def test_region_list(client, demo):
    text = page(client, "/regions")
    assert len(set(re.findall(r'href="/regions/(\d\d)"', text))) == 85


def test_map_page_and_its_data(client, demo):
    text = page(client, "/map")
    assert f'data-tiles="{TEST_TILES}"' in text
    labels = json.loads(html.unescape(re.search(r"data-labels='([^']*)'", text).group(1)))
    assert len(labels) == 85
    with_clusters = {label["code"] for label in labels if label["clusters"]}
    assert with_clusters == {"23", "39", "47", "72"}
    outlines = client.get("/map/regions.geojson")
    assert outlines.status_code == 200
    assert len(outlines.json()["features"]) == 85


def test_map_api_places_every_cluster_and_enterprise(client, demo):
    features = client.get("/api/v1/map").json()["features"]
    counts = demo.counts()
    kinds = [f["properties"]["kind"] for f in features]
    assert kinds.count("enterprise") == counts["enterprises"]
    assert kinds.count("cluster") == counts["clusters"]
    for f in features:
        lon, lat = f["geometry"]["coordinates"]
        assert 41 < lat < 82 and 19 < lon < 191, f["properties"]


# No CDN: every script, style and URL comes from the platform itself


def all_pages(client, db) -> dict[str, str]:
    paths = ["/", "/clusters", "/enterprises", "/regions", "/regions/72", "/map", "/login"]
    with db.sessions() as session:
        paths += [f"/clusters/{i}" for i in session.scalars(select(Cluster.id))]
        paths += [f"/enterprises/{i}" for i in session.scalars(select(Enterprise.id))][:3]
    return {p: page(client, p) for p in paths}


def test_pages_load_nothing_from_other_sites(client, demo):
    with demo.sessions() as session:
        sources = {u for u in session.scalars(select(Source.url)) if u}
    assert sources, "the demo has sources with links"
    pages = all_pages(client, demo)
    pages["/api/docs"] = page(client, "/api/docs")
    seen_sources = set()
    for path, text in pages.items():
        for url in URL.findall(html.unescape(text)):
            assert url == TEST_TILES or url in sources, (path, url)
            seen_sources |= {url} & sources
        for attr in re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"', text):
            assert attr.startswith("/static/"), (path, attr)
    assert seen_sources  # source links are shown, and they are the only outside links


def test_tile_url_is_configurable_and_may_be_empty(db, settings):
    from fastapi.testclient import TestClient

    from promcluster.app import create_app

    app = create_app(settings.model_copy(update={"tile_url": ""}))
    try:
        with TestClient(app) as http:
            text = http.get("/map").text
    finally:
        app.state.engine.dispose()
    assert 'data-tiles=""' in text
    assert not URL.search(text)


def test_every_static_file_referenced_is_served(client, demo):
    referenced = set()
    for text in [*all_pages(client, demo).values(), page(client, "/api/docs")]:
        referenced |= set(re.findall(r'(?:src|href)="(/static/[^"]+)"', text))
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in referenced
    assert "/static/vendor/swagger-ui/swagger-ui.css" in referenced
    assert "/static/vendor/leaflet/leaflet.js" in referenced
    for path in referenced:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.content, path


def test_api_docs_use_the_local_swagger_ui(client, db):
    text = page(client, "/api/docs")
    assert '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js">' in text
    assert 'href="/static/vendor/swagger-ui/swagger-ui.css"' in text
    assert "/api/openapi.json" in text
    assert not URL.search(text)


# OpenAPI


@pytest.mark.parametrize(
    "resource", ["clusters", "enterprises", "memberships", "chains", "projects"]
)
def test_openapi_lists_the_resource_with_all_operations(client, db, resource):
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert set(paths[f"/api/v1/{resource}"]) == {"get", "post"}
    assert set(paths[f"/api/v1/{resource}/{{item_id}}"]) == {"get", "patch", "delete"}
    listing = paths[f"/api/v1/{resource}"]["get"]
    assert {"page", "per_page"} <= {p["name"] for p in listing["parameters"]}


def test_openapi_has_no_html_pages(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert all(p.startswith("/api/v1/") for p in paths)
