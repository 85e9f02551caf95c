"""Security headers on every response (pages, API, static files, errors) and pages that need no
inline script, so the Content-Security-Policy can forbid them."""

import re
from importlib import resources
from pathlib import Path

import pytest
from factories import TEST_TILES
from fastapi.testclient import TestClient

from promcluster.app import create_app
from promcluster.web.headers import HSTS, tile_source

TEMPLATES = Path(str(resources.files("promcluster.web") / "templates"))
STATIC = Path(str(resources.files("promcluster.web") / "static"))
EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)


def policy(response) -> dict[str, str]:
    """The Content-Security-Policy of ``response`` as directive → sources."""
    header = response.headers["content-security-policy"]
    pairs = (part.strip().partition(" ") for part in header.split(";") if part.strip())
    return {name: value for name, _, value in pairs}


def assert_secured(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    csp = policy(response)
    assert csp["script-src"] == "'self'"
    assert csp["default-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'"
    assert csp["connect-src"] == "'self'"
    assert "unsafe-inline" not in csp["script-src"] and "unsafe-eval" not in csp["script-src"]
    assert "strict-transport-security" not in response.headers  # plain HTTP in the tests


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/clusters", 200),
        ("GET", "/api/v1/clusters", 200),
        ("GET", "/api/openapi.json", 200),
        ("GET", "/api/docs", 200),
        ("GET", "/static/app.css", 200),
        ("GET", "/static/vendor/leaflet/leaflet.js", 200),
        ("GET", "/static/missing.js", 404),
        ("GET", "/clusters/999999", 404),
        ("GET", "/api/v1/clusters/999999", 404),
        ("GET", "/api/v1/clusters/not-a-number", 422),
        ("POST", "/api/v1/clusters", 401),
        ("GET", "/imports", 303),
        ("DELETE", "/", 405),
    ],
)
def test_every_kind_of_response_carries_the_headers(client, method, path, status):
    response = client.request(method, path, follow_redirects=False)
    assert response.status_code == status, response.text
    assert_secured(response)


def test_the_policy_allows_images_from_the_tile_host_only(client):
    csp = policy(client.get("/map"))
    assert csp["img-src"].split() == ["'self'", "data:", "https://tiles.example.test"]
    assert TEST_TILES.startswith("https://tiles.example.test/")
    assert csp["style-src"] == "'self' 'unsafe-inline'"  # Leaflet and Swagger UI set styles


def test_a_server_error_carries_the_headers_too(settings, db):
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    try:
        with TestClient(app, raise_server_exceptions=False) as http:
            response = http.get("/boom")
    finally:
        app.state.engine.dispose()
    assert response.status_code == 500
    assert_secured(response)


def test_hsts_only_when_served_over_https(settings, db):
    app = create_app(settings.model_copy(update={"secure_cookies": True, "tile_url": ""}))
    try:
        with TestClient(app, base_url="https://testserver") as http:
            response = http.get("/")
    finally:
        app.state.engine.dispose()
    assert response.headers["strict-transport-security"] == HSTS
    assert policy(response)["img-src"] == "'self' data:"


@pytest.mark.parametrize(
    ("tile_url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("http://127.0.0.1:9/{z}/{x}/{y}.png", "http://127.0.0.1:9"),
        ("https://tiles{s}.example.ru/{z}/{x}/{y}.png", "https://*.example.ru"),
        ("https://{s}/{z}/{x}/{y}.png", "https:"),
        ("", None),
        ("javascript:alert(1)", None),
    ],
)
def test_tile_source(tile_url, source):
    assert tile_source(tile_url) == source


# No inline script anywhere: templates, rendered pages, the API documentation.


def offences(text: str) -> list[str]:
    return [
        *INLINE_SCRIPT.findall(text),
        *INLINE_HANDLER.findall(text),
        *SCRIPT_URL.findall(text),
    ]


def test_no_template_holds_an_inline_script_or_handler():
    found = {
        str(path.relative_to(TEMPLATES)): offences(path.read_text(encoding="utf-8"))
        for path in TEMPLATES.rglob("*.html")
    }
    assert {name: bad for name, bad in found.items() if bad} == {}


def test_no_rendered_page_holds_an_inline_script(client, demo):
    from sqlalchemy import select

    from promcluster.chains.models import Chain
    from promcluster.registry.models import Cluster, Enterprise

    with demo.sessions() as session:
        cluster = session.scalar(select(Cluster.id).order_by(Cluster.id))
        enterprise = session.scalar(select(Enterprise.id).order_by(Enterprise.id))
        chain = session.scalar(select(Chain.id).order_by(Chain.id))
    paths = [
        "/",
        "/clusters",
        f"/clusters/{cluster}",
        f"/clusters/{cluster}/graph/summary",
        f"/clusters/{cluster}/compliance",
        f"/chains/{chain}",
        "/enterprises",
        f"/enterprises/{enterprise}",
        "/regions",
        "/regions/72",
        "/map",
        "/ratings",
        "/niches",
        "/discover",
        "/needs",
        "/offers",
        "/search?q=бетон",
        "/login",
        "/api/docs",
        "/clusters/999999",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert offences(response.text) == [], path
        assert_secured(response)


def test_the_api_docs_start_swagger_ui_from_a_static_file(client, db):
    text = client.get("/api/docs").text
    assert '<script src="/static/swagger-init.js"></script>' in text
    assert 'data-openapi-url="/api/openapi.json"' in text
    assert "SwaggerUIBundle" in (STATIC / "swagger-init.js").read_text(encoding="utf-8")
