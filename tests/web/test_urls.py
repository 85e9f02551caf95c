"""Links: every URL field accepts only absolute http(s) addresses (API, forms, imports), and a
link stored before that rule is shown as text, never as a link that runs a script."""

import re

import pytest
from factories import error_fields, fresh_inn, login
from imports.kit import report, run, write_csv

from promcluster.registry.models import DeclaredFigure, Source
from promcluster.urls import http_url, is_http_url
from promcluster.web.templating import safe_url, templates

API = "/api/v1"
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
PAYLOAD = "javascript:alert(document.domain)"
BAD_URLS = [
    PAYLOAD,
    "JaVaScRiPt:alert(document.domain)",
    "  javascript:alert(1)",
    "\t\n javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "/relative/path",
    "example.ru",
    "http://",
    "https://exa mple.ru",
    "http://<script>/",
]
GOOD_URLS = ["https://example.ru", "HTTP://Example.ru/a?b=1#c", "https://пример.рф/программа"]
# Every URL field of every write schema: (path of a create, body without the URL, field).
FIELDS = [
    ("enterprises", {"name": "ООО «Ссылка»", "region_code": "72"}, "website"),
    ("clusters", {"name": "Кластер ссылок", "region_codes": ["72"]}, "strategy_url"),
]


def href_of(html: str, marker: str) -> list[str]:
    """The href of every link whose text or address contains ``marker``."""
    return [
        href
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', html)
        if marker in href or marker in text
    ]


# The rule itself


@pytest.mark.parametrize("value", BAD_URLS)
def test_only_absolute_http_urls_pass_the_rule(value):
    assert not is_http_url(value)
    with pytest.raises(ValueError, match="http:// или https://"):
        http_url(value)
    assert safe_url(value) == "#"


@pytest.mark.parametrize("value", GOOD_URLS)
def test_http_and_https_urls_pass_the_rule(value):
    assert is_http_url(value)
    assert safe_url(f"  {value} ") == value


# API


@pytest.mark.parametrize("value", BAD_URLS)
@pytest.mark.parametrize(("kind", "body", "field"), FIELDS, ids=[f[0] for f in FIELDS])
def test_api_create_refuses_a_non_http_url(admin_client, db, kind, body, field, value):
    before = db.counts()
    response = admin_client.post(f"{API}/{kind}", json={**body, field: value})
    assert response.status_code == 422, response.text
    assert error_fields(response) == [field]
    assert CYRILLIC.search(response.json()["detail"][0]["msg"])
    assert db.counts() == before


@pytest.mark.parametrize(("kind", "body", "field"), FIELDS, ids=[f[0] for f in FIELDS])
def test_api_update_refuses_a_javascript_url(admin_client, db, kind, body, field):
    created = admin_client.post(f"{API}/{kind}", json={**body, field: "https://example.ru"})
    assert created.status_code == 201, created.text
    path = f"{API}/{kind}/{created.json()['id']}"
    response = admin_client.patch(path, json={field: PAYLOAD, "version": 1})
    assert response.status_code == 422, response.text
    assert error_fields(response) == [field]
    assert admin_client.get(path).json()[field] == "https://example.ru"


@pytest.mark.parametrize(("kind", "body", "field"), FIELDS, ids=[f[0] for f in FIELDS])
def test_api_accepts_http_urls(admin_client, db, kind, body, field):
    for n, value in enumerate(GOOD_URLS):
        response = admin_client.post(
            f"{API}/{kind}", json={**body, "name": f"{body['name']} {n}", field: value}
        )
        assert response.status_code == 201, response.text
        assert response.json()[field] == value


def test_openapi_documents_the_url_fields(client, db):
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    for name, field in (("EnterpriseIn", "website"), ("ClusterIn", "strategy_url")):
        text = str(schemas[name]["properties"][field])
        assert "http://" in text and "https://" in text, (name, text)


# Forms


def test_cluster_form_refuses_a_javascript_strategy_url(client, db, users):
    cluster = db.add_cluster(name="Кластер формы", region_codes=["72"])
    token = login(client, users.add("olga", "admin"))
    before = db.counts()
    response = client.post(
        f"/clusters/{cluster}/edit",
        data={
            "csrf_token": token,
            "version": "1",
            "name": "Кластер формы",
            "region_codes": "72",
            "strategy_url": " javascript:alert(document.domain)",
        },
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "http:// или https://" in response.text
    assert client.get(f"{API}/clusters/{cluster}").json()["strategy_url"] is None
    assert db.counts() == before


def test_enterprise_form_refuses_a_data_website(client, db, users):
    enterprise = db.add_enterprise(name="Завод")
    token = login(client, users.add("olga", "admin"))
    response = client.post(
        f"/enterprises/{enterprise}/edit",
        data={
            "csrf_token": token,
            "version": "1",
            "name": "Завод",
            "website": "data:text/html,<script>alert(1)</script>",
        },
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "http:// или https://" in response.text
    assert client.get(f"{API}/enterprises/{enterprise}").json()["website"] is None


# Imports


def test_import_refuses_non_http_websites_row_by_row(db, tmp_path):
    rows = [[fresh_inn(), f"ООО «Сайт {n}»", "72", url] for n, url in enumerate(BAD_URLS[:7])]
    good = fresh_inn()
    rows.append([good, "ООО «Хороший сайт»", "72", "https://example.ru"])
    path = write_csv(tmp_path / "сайты.csv", [["ИНН", "Наименование", "Регион", "Сайт"], *rows])
    result = run(db, "enterprises", path)
    assert (result.created, result.rejected) == (1, 7), report(db, result.id)
    problems = report(db, result.id)
    assert {p["column"] for p in problems} == {"Сайт"}
    assert all("http:// или https://" in p["reason"] for p in problems)


# Links stored before the rule


def test_stored_javascript_links_are_shown_as_text(client, db):
    cluster = db.add_cluster(name="Старый кластер", strategy_url=PAYLOAD)
    enterprise = db.add_enterprise(name="Старый завод", website="JaVaScRiPt:alert(1)")
    with db.session() as session:
        source = Source(key="bad-source", title="Статья", url="vbscript:msgbox(1)")
        session.add(source)
        session.flush()
        session.add(
            DeclaredFigure(
                cluster_id=cluster, indicator="members", value=5, unit="count", source=source
            )
        )

    cluster_page = client.get(f"/clusters/{cluster}").text
    assert PAYLOAD in cluster_page  # shown, as text
    assert "vbscript:msgbox(1)" in cluster_page
    assert not re.search(r"href=\"\s*(javascript|vbscript|data):", cluster_page, re.IGNORECASE)
    assert href_of(cluster_page, "документ") == []

    card = client.get(f"/enterprises/{enterprise}").text
    assert "JaVaScRiPt:alert(1)" in card
    assert not re.search(r"href=\"\s*javascript:", card, re.IGNORECASE)

    # The API still reads them (as data), so they can be corrected.
    assert client.get(f"{API}/clusters/{cluster}").json()["strategy_url"] == PAYLOAD
    assert client.get(f"{API}/enterprises/{enterprise}").json()["website"] == "JaVaScRiPt:alert(1)"


def test_stored_http_links_are_links(client, db):
    cluster = db.add_cluster(name="Кластер", strategy_url="https://example.ru/strategy.pdf")
    enterprise = db.add_enterprise(name="Завод", website="https://zavod.example.ru")
    cluster_page = client.get(f"/clusters/{cluster}").text
    assert href_of(cluster_page, "документ") == ["https://example.ru/strategy.pdf"]
    card = client.get(f"/enterprises/{enterprise}").text
    assert href_of(card, "zavod.example.ru") == ["https://zavod.example.ru"]


def test_the_link_macro_renders_only_http_links():
    macro = templates.env.from_string(
        '{% from "_links.html" import external_link %}{{ external_link(url, "док") }}'
    )
    assert macro.render(url="https://example.ru") == (
        '<a href="https://example.ru" rel="noopener noreferrer nofollow">док</a>'
    )
    rendered = macro.render(url='javascript:alert("x")')
    assert "<a" not in rendered and "javascript:alert(&#34;x&#34;)" in rendered
    assert macro.render(url=None) == ""
