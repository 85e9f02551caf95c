"""Health and observability: the probes /healthz and /readyz, the request log line (plain or
JSON), and the Prometheus metrics at /metrics (off, loopback, on; multi-process mode)."""

import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator

import pytest
from factories import PASSWORD, SESSION_COOKIE, csrf_from, login
from fastapi.testclient import TestClient
from pydantic import ValidationError
from pythonjsonlogger.json import JsonFormatter

from promcluster import cache, dbadmin
from promcluster.app import create_app
from promcluster.cli.server import clear_multiproc_dir
from promcluster.config import Settings
from promcluster.imports.models import ImportRun
from promcluster.jobs.models import Job
from promcluster.web.requestlog import log_config

ROLES = ("admin", "cluster_manager", "enterprise_rep")
WHO = ("anonymous", *ROLES)
PROBES = ("/healthz", "/readyz", "/metrics")
HISTOGRAM = "promcluster_http_request_duration_seconds"


def metric(text: str, name: str, **labels: str) -> float | None:
    """The value of the sample ``name{labels}`` in an exposition (labels in any order)."""
    for line in text.splitlines():
        sample, _, value = line.rpartition(" ")
        found = re.fullmatch(r"([a-z_:]+)(?:\{(.*)\})?", sample)
        if not found or found.group(1) != name:
            continue
        pairs = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', found.group(2) or ""))
        if pairs == labels:
            return float(value)
    return None


@pytest.fixture
def make_app(settings, db) -> Iterator[Callable[..., object]]:
    """``make_app(metrics="on", warmed=True)``: an app over the test database (disposed after)."""
    apps = []

    def make(warmed: bool = True, **changes):
        app = create_app(settings.model_copy(update=changes))
        if warmed:
            app.state.warmed_up.set()
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.engine.dispose()


def client_of(app, db, users, who: str, **options) -> TestClient:
    """A client of ``app``: anonymous, or logged in (session cookie) as a user of role ``who``."""
    http = TestClient(app, **options)
    if who != "anonymous":
        scope = {
            "cluster_manager": {"clusters": [db.add_cluster()]},
            "enterprise_rep": {"enterprise": db.add_enterprise()},
        }
        login(http, users.add(f"user-{who}", who, **scope.get(who, {})))
        assert http.cookies.get(SESSION_COOKIE)
    return http


# Probes and access


@pytest.mark.parametrize("who", WHO)
def test_the_service_endpoints_are_public_and_set_no_cookie(make_app, db, users, who):
    app = make_app(metrics="on")
    with client_of(app, db, users, who) as http:
        for path in PROBES:
            for method in ("GET", "HEAD"):
                response = http.request(method, path)
                assert response.status_code == 200, (who, method, path, response.text)
                assert "set-cookie" not in response.headers, (who, method, path)
                assert response.headers["cache-control"] == "no-store"
                assert response.headers["x-frame-options"] == "DENY"  # security headers apply
                assert "script-src 'self'" in response.headers["content-security-policy"]
                assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
                if method == "HEAD":
                    assert response.content == b""
        assert http.get("/healthz").json() == {"status": "ok"}
        ready = http.get("/readyz").json()
        assert ready == {
            "status": "ok",
            "failed": [],
            "checks": {"database": "ok", "migrations": "ok", "warm_up": "ok"},
        }


def test_the_probes_are_not_rate_limited_nor_in_the_api_schema(make_app, app):
    limited = make_app(metrics="on", anonymous_expensive_per_minute=1)
    with TestClient(limited) as http:
        for _ in range(5):
            assert http.get("/readyz").status_code == 200
            assert http.get("/metrics").status_code == 200
    assert not set(PROBES) & set(app.openapi()["paths"])


def test_only_get_and_head(make_app):
    with TestClient(make_app(metrics="on")) as http:
        for path in PROBES:
            refused = http.post(path, json={})
            assert refused.status_code == 405
            assert refused.headers["allow"] == "GET, HEAD"
            assert refused.json()["detail"] == "метод не разрешён: только GET и HEAD"


def test_not_ready_until_warmed_up(make_app):
    app = make_app(warmed=False)
    with TestClient(app) as http:
        assert http.get("/healthz").status_code == 200
        refused = http.get("/readyz")
        assert refused.status_code == 503
        assert refused.json()["failed"] == ["warm_up"]
        assert refused.json()["checks"]["warm_up"] == "прогрев ещё не завершён"
        app.state.warmed_up.set()
        assert http.get("/readyz").status_code == 200


def test_not_ready_when_the_database_does_not_answer(settings):
    # Nothing listens on port 9 of the loopback: the connection is refused at once.
    url = "postgresql://promcluster:promcluster@127.0.0.1:9/nowhere"
    app = create_app(settings.model_copy(update={"database_url": url}))
    app.state.warmed_up.set()
    http = TestClient(app)  # not started: the start-up sweep would need the database
    assert http.get("/healthz").json() == {"status": "ok"}  # alive without the database
    refused = http.get("/readyz")
    assert refused.status_code == 503
    assert refused.json()["failed"] == ["database", "migrations"]
    assert refused.json()["checks"]["database"] == "база данных недоступна"
    assert "127.0.0.1" not in refused.text and "promcluster:" not in refused.text


def test_not_ready_on_an_unmigrated_or_old_schema(settings, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(settings.model_copy(update={"database_url": url}))
    app.state.warmed_up.set()
    try:
        http = TestClient(app)
        empty = http.get("/readyz")
        assert empty.status_code == 503
        assert empty.json()["checks"] == {
            "database": "ok",
            "migrations": "в базе нет версии схемы: выполните «promcluster db upgrade»",
            "warm_up": "ok",
        }
        (head,) = dbadmin.head_revisions()
        previous = f"{int(head) - 1:04d}"
        dbadmin.upgrade(url, previous)
        old = http.get("/readyz")
        assert old.status_code == 503
        assert old.json()["failed"] == ["migrations"]
        assert old.json()["checks"]["migrations"] == (
            f"схема базы данных не последней версии: в базе {previous}, нужна {head}; "
            "выполните «promcluster db upgrade»"
        )
        dbadmin.upgrade(url)
        assert http.get("/readyz").status_code == 200
    finally:
        app.state.engine.dispose()


# Request log


def request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "promcluster.requests"]


def test_one_line_per_request_with_its_fields(make_app, db, users, caplog):
    cluster = db.add_cluster()
    reader = users.add("logged-reader", "admin")
    app = make_app()
    with TestClient(app) as http, TestClient(app) as logged_in:
        login(logged_in, reader)
        with caplog.at_level(logging.INFO, "promcluster.requests"):
            response = http.get(f"/clusters/{cluster}", headers={"X-Request-ID": "ngx-4f2a.7:1"})
            assert response.status_code == 200
            assert response.headers["x-request-id"] == "ngx-4f2a.7:1"
            http.get("/api/v1/audit", auth=reader.auth)
            logged_in.get(f"/clusters/{cluster}")
            http.head(f"/clusters/{cluster}")
            http.get("/no/such/page/123456")
            http.get("/static/app.css")
            http.head("/static/app.css")
    page, api, cookie, head, missing, static, static_head = request_lines(caplog)
    assert (page.request_id, page.user, page.route, page.method, page.status) == (
        "ngx-4f2a.7:1",
        "-",
        "/clusters/{cluster_id}",
        "GET",
        200,
    )
    assert isinstance(page.duration_ms, float) and page.duration_ms > 0
    assert (api.user, api.route, api.status) == ("logged-reader", "/api/v1/audit", 200)
    assert re.fullmatch(r"[0-9a-f]{32}", api.request_id)
    assert (cookie.user, cookie.route, cookie.status) == ("logged-reader", page.route, 200)
    assert (head.route, head.method, head.status) == ("/clusters/{cluster_id}", "HEAD", 200)
    assert (missing.route, missing.status) == ("(unmatched)", 404)
    assert (static.route, static.status) == ("/static", 200)
    assert (static_head.route, static_head.method) == ("/static", "HEAD")
    assert page.getMessage().startswith("GET /clusters/{cluster_id} 200 ")
    assert f"/clusters/{cluster}" not in page.getMessage()


@pytest.mark.parametrize(
    "sent",
    ["", "a b", 'x"y', "Ы", "-starts-with-dash", "x" * 129, "id;drop", "a\tb"],
)
def test_an_odd_request_id_is_replaced(make_app, caplog, sent):
    with TestClient(make_app()) as http, caplog.at_level(logging.INFO, "promcluster.requests"):
        response = http.get("/healthz", headers={"X-Request-ID": sent.encode()})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_no_password_cookie_token_or_query_is_logged(make_app, users, caplog):
    secret_query = "q=tajnyj-zapros-777"
    users.add("logger-test", "admin")
    with TestClient(make_app()) as http, caplog.at_level(logging.DEBUG, "promcluster"):
        token = csrf_from(http.get("/login").text)
        form = {"username": "logger-test", "password": PASSWORD, "csrf_token": token}
        http.post(f"/login?next=/clusters?{secret_query}", data=form, follow_redirects=False)
        cookie = http.cookies.get(SESSION_COOKIE)
        http.get(f"/clusters?{secret_query}")
        http.get("/api/v1/clusters", auth=("logger-test", PASSWORD))
    assert cookie
    logged = " ".join(
        f"{r.getMessage()} {json.dumps(r.__dict__, default=str)}" for r in request_lines(caplog)
    )
    assert "/login" in logged and "logger-test" in logged
    for secret in (PASSWORD, token, cookie, secret_query, "tajnyj"):
        assert secret not in logged


def test_json_lines_carry_the_fields():
    options = log_config(json=True)["formatters"]["main"]
    formatter = JsonFormatter(**{k: v for k, v in options.items() if k != "()"})
    fields = {
        "request_id": "r1",
        "user": "-",
        "route": "/clusters/{cluster_id}",
        "method": "GET",
        "status": 200,
        "duration_ms": 3.5,
    }
    record = logging.LogRecord("promcluster.requests", logging.INFO, "", 0, "GET …", None, None)
    record.__dict__.update(fields, color_message="\x1b[36mGET\x1b[0m")  # as uvicorn adds
    line = json.loads(formatter.format(record))
    assert "color_message" not in line
    assert line.items() >= {**fields, "level": "INFO", "logger": "promcluster.requests"}.items()
    assert "time" in line
    plain = log_config(json=False)["formatters"]["main"]
    assert "format" in plain and "()" not in plain


def test_the_settings_of_logs_and_metrics(monkeypatch):
    assert (Settings(_env_file=None).log_json, Settings(_env_file=None).metrics) == (False, "off")
    monkeypatch.setenv("PROMCLUSTER_LOG_JSON", "true")
    monkeypatch.setenv("PROMCLUSTER_METRICS", "loopback")
    assert (Settings(_env_file=None).log_json, Settings(_env_file=None).metrics) == (
        True,
        "loopback",
    )
    monkeypatch.setenv("PROMCLUSTER_METRICS", "public")
    with pytest.raises(ValidationError, match="metrics"):
        Settings(_env_file=None)


# Metrics


def test_metrics_are_off_by_default(make_app):
    with TestClient(make_app(), client=("127.0.0.1", 5000)) as http:
        assert http.get("/metrics").status_code == 404
        assert http.head("/metrics").status_code == 404


@pytest.mark.parametrize("address", ["10.0.0.1", "192.168.1.5", "2001:db8::1", "testclient"])
def test_loopback_metrics_refuse_other_addresses(make_app, address):
    with TestClient(make_app(metrics="loopback"), client=(address, 1234)) as http:
        refused = http.get("/metrics")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "метрики доступны только с этого же компьютера (127.0.0.1 или ::1)"
    )
    assert HISTOGRAM not in refused.text


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "127.0.0.2", "::ffff:127.0.0.1"])
def test_loopback_metrics_answer_this_machine(make_app, address):
    with TestClient(make_app(metrics="loopback"), client=(address, 1234)) as http:
        response = http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")


def test_the_exposition_holds_routes_states_cache_and_pool(make_app, db):
    cluster = db.add_cluster()
    with db.session() as session:
        session.add_all([ImportRun(kind="clusters", filename="a.csv", actor="x", status="done")])
        session.add_all([ImportRun(kind="clusters", filename="b.csv", actor="x", status="failed")])
        session.add_all([ImportRun(kind="clusters", filename="c.csv", actor="x", status="failed")])
        session.add_all([Job(kind="search-reindex", state=s) for s in ("done", "queued", "done")])
    app = make_app(metrics="on")
    with TestClient(app) as http:
        before = http.get("/metrics").text
        for _ in range(3):
            assert http.get(f"/clusters/{cluster}").status_code == 200
        http.get("/clusters/999999999")
        http.request("PROPFIND", f"/clusters/{cluster}")
        http.get("/no/such/page/424242")
        with app.state.sessions() as session:
            for _ in range(2):
                cache.kept(session, ("observability-test", 1), lambda: 42)
        with app.state.engine.connect():
            held = http.get("/metrics").text
        text = http.get("/metrics").text
    route = {"route": "/clusters/{cluster_id}", "method": "GET"}
    count = f"{HISTOGRAM}_count"
    assert metric(text, count, **route) - (metric(before, count, **route) or 0) == 4
    assert metric(text, f"{HISTOGRAM}_bucket", le="+Inf", **route) is not None
    assert metric(text, "promcluster_http_requests_total", status="2xx", **route) >= 3
    assert metric(text, "promcluster_http_requests_total", status="4xx", **route) >= 1
    assert metric(text, count, route="/clusters/{cluster_id}", method="other") >= 1
    assert metric(text, count, route="(unmatched)", method="GET") >= 1
    routes = set(re.findall(r'route="([^"]*)"', text))
    assert {"/clusters/{cluster_id}", "(unmatched)"} <= routes
    assert not [r for r in routes if re.search(r"/[0-9]+(/|$)", r)]  # no raw ids
    assert metric(text, "promcluster_import_runs", state="done") == 1
    assert metric(text, "promcluster_import_runs", state="failed") == 2
    assert metric(text, "promcluster_jobs", state="done") == 2
    assert metric(text, "promcluster_jobs", state="queued") == 1
    assert metric(text, "promcluster_cache_misses_total", kind="observability-test") >= 1
    assert metric(text, "promcluster_cache_hits_total", kind="observability-test") >= 1
    pool = "promcluster_db_pool_checked_out"
    assert metric(held, pool) - metric(text, pool) == 1


MULTIPROCESS = """
import os
from promcluster.web.metrics import exposition, record_request

record_request("/clusters/{cluster_id}", "GET", 200, 0.01)
child = os.fork()
if child == 0:
    record_request("/clusters/{cluster_id}", "GET", 500, 0.02)
    os._exit(0)
os.waitpid(child, 0)
print(exposition().decode())
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_multiprocess_mode_adds_up_the_workers(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    script = textwrap.dedent(MULTIPROCESS)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    route = {"route": "/clusters/{cluster_id}", "method": "GET"}
    assert metric(done.stdout, f"{HISTOGRAM}_count", **route) == 2
    assert metric(done.stdout, "promcluster_http_requests_total", status="5xx", **route) == 1
    assert len(list(tmp_path.glob("*.db"))) >= 2  # one file per process and kind


def test_serve_empties_the_multiprocess_directory(tmp_path, monkeypatch):
    (tmp_path / "counter_4242.db").write_bytes(b"old")
    (tmp_path / "histogram_4242.db").write_bytes(b"old")
    (tmp_path / "README").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "absent"))
    clear_multiproc_dir()
    assert (tmp_path / "absent").is_dir()  # created when missing
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    clear_multiproc_dir()
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["README"]
