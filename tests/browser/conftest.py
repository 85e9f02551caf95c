"""Real-browser fixtures: a live server on a temporary SQLite database with the reference and
demo data, Debian's Chromium driven by Playwright, and per-test checks that a page raised no
JavaScript or console error and never reached beyond the live server (no CDN)."""

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from factories import TEST_SECRET_KEY
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright
from sqlalchemy import Engine, text

from promcluster import dbadmin, models  # noqa: F401  (every table mapped)
from promcluster.accounts.service import create_user
from promcluster.app import create_app
from promcluster.compliance.rules import load_rules
from promcluster.config import Settings
from promcluster.db import make_engine, make_sessionmaker, transaction
from promcluster.demo.loader import load_demo, load_official_statistics
from promcluster.demo.synthetic import load_synthetic_demo
from promcluster.reference.service import load_reference
from promcluster.web.assets import STATIC

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
# The README's pictures: retaken over docs/screenshots only on request, so that the test suite
# never rewrites tracked files.
DOCS_SCREENSHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("PROMCLUSTER_DOCS_SCREENSHOTS") == "1"
    else REPO / "test-artifacts" / "docs-screenshots"
)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
# Map tiles point at a closed loopback port: maps must still show points, outlines and labels.
TILE_HOST = "127.0.0.1:9"
TILE_URL = f"http://{TILE_HOST}/{{z}}/{{x}}/{{y}}.png"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000

ADMIN = ("admin", "admin-password-1")
MANAGER = ("tyumen-manager", "tyumen-password-1")
MANAGER_NAME = "Менеджер Тюменского кластера"

TYUMEN = "Строительно-индустриальный кластер Тюменской области"
LENINGRAD = "Кластер химической промышленности Ленинградской области"
KALININGRAD = "Янтарный промышленный кластер Калининградской области"


# --- the live server -------------------------------------------------------------------------


@dataclass
class LiveServer:
    """The running platform, its database and the ids the tests need."""

    url: str
    database_url: str
    engine: Engine
    app: Any = None  # the application served (its state: e.g. the background computations)

    def sql(self, query: str, **params: Any) -> list[Any]:
        """Rows of a read-only SQL query against the server's database."""
        with self.engine.connect() as conn:
            return list(conn.execute(text(query), params))

    def scalar(self, query: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(query), params).scalar_one()

    def cluster_id(self, name: str) -> int:
        return self.scalar("SELECT id FROM clusters WHERE name = :name", name=name)


def require_assets() -> None:
    leaflet = STATIC / "vendor" / "leaflet" / "leaflet.js"
    if not leaflet.exists():
        pytest.fail(
            f"{leaflet} is missing: the front-end libraries are not installed. Run `npm ci` and "
            "`.venv/bin/python -m promcluster.web.assets` (or `make assets`) first.",
            pytrace=False,
        )
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package", pytrace=False)


def prepare_database(url: str) -> None:
    dbadmin.upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            load_reference(session)
            load_rules(session)
            load_demo(session)
        with transaction(make_sessionmaker(engine)) as session:
            create_user(session, *ADMIN, "admin", full_name="Администратор")
            tyumen = session.execute(
                text("SELECT id FROM clusters WHERE name = :n"), {"n": TYUMEN}
            ).scalar_one()
            create_user(session, *MANAGER, "cluster_manager", [tyumen], full_name=MANAGER_NAME)
    finally:
        engine.dispose()


@contextmanager
def serve(url: str, **settings: Any) -> Iterator[LiveServer]:
    """The platform over the database at ``url``, served by uvicorn on 127.0.0.1 and a free
    port in a background thread."""
    app = create_app(
        Settings(
            database_url=url,
            secret_key=TEST_SECRET_KEY,
            anonymous_expensive_per_minute=0,
            tile_url=TILE_URL,
            **settings,
        )
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the live server did not start", pytrace=False)
        time.sleep(0.02)
    engine = make_engine(url)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", database_url=url, engine=engine, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        engine.dispose()
        app.state.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The platform with the demo data, served for the whole session."""
    require_assets()
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'promcluster.db'}"
    prepare_database(url)
    with serve(url) as server:
        yield server


# --- the browser -------------------------------------------------------------------------------


@dataclass
class Monitor:
    """What the pages of one test did wrong: console errors, uncaught errors, outside requests."""

    server: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    tile_requests: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)

    def allow_console(self, pattern: str) -> None:
        """Accept console errors matching ``pattern`` (e.g. the status of a refused form post)."""
        self.allowed.append(re.compile(pattern))

    def route(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if (
            parts.scheme in ("http", "https", "ws", "wss")
            and parts.netloc != urlsplit(self.server).netloc
        ):
            if parts.netloc == TILE_HOST:
                self.tile_requests.append(url)
            elif parts.hostname not in ("127.0.0.1", "localhost"):
                self.external.append(url)
            route.abort()
            return
        route.continue_()

    def on_console(self, msg) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if where.startswith(f"http://{TILE_HOST}/"):
            return  # a map tile from the deliberately unreachable tile server
        self.console_errors.append(f"{msg.text} [{where}]")

    def problems(self) -> list[str]:
        found = [f"request to an external host: {u}" for u in self.external]
        found += [f"JavaScript error: {e}" for e in self.page_errors]
        found += [
            f"console error: {e}"
            for e in self.console_errors
            if not any(p.search(e) for p in self.allowed)
        ]
        return found


SYNTHETIC = "SELECT id FROM enterprises WHERE is_synthetic"
REMOVE_SYNTHETIC = (  # children first; the audit log keeps its records
    "UPDATE investment_projects SET stage_id = NULL",
    "DELETE FROM stage_suppliers",
    "DELETE FROM chain_stages",
    f"DELETE FROM supplies WHERE supplier_id IN ({SYNTHETIC}) OR buyer_id IN ({SYNTHETIC})",
    f"DELETE FROM product_lines WHERE enterprise_id IN ({SYNTHETIC})",
    f"DELETE FROM needs WHERE customer_id IN ({SYNTHETIC})",
    f"DELETE FROM enterprises WHERE id IN ({SYNTHETIC})",
)


@pytest.fixture(scope="module")
def synthetic_demo(live_server: LiveServer) -> Iterator[None]:
    """The demo's synthetic supplement (firms, lines, supplies, needs, the chains' stages) in the
    live server's database for one module, removed afterwards unless it was already there."""
    present = live_server.sql(f"{SYNTHETIC} LIMIT 1")
    if not present:
        with transaction(make_sessionmaker(live_server.engine)) as session:
            load_synthetic_demo(session)
    yield
    if not present:
        with live_server.engine.begin() as connection:
            for statement in REMOVE_SYNTHETIC:
                connection.execute(text(statement))


@pytest.fixture(scope="module")
def official_statistics(live_server: LiveServer) -> Iterator[None]:
    """The shipped ЕМИСС export (what ``load demo`` adds) in the live server's database for one
    module, removed afterwards unless it was already there (discovery's reference then goes back
    to the register)."""
    present = live_server.sql("SELECT id FROM official_figures LIMIT 1")
    if not present:
        with transaction(make_sessionmaker(live_server.engine)) as session:
            load_official_statistics(session)
    yield
    if not present:
        with live_server.engine.begin() as connection:
            connection.execute(text("DELETE FROM official_figures"))
            connection.execute(
                text("INSERT INTO audit_log (actor, action, entity, changes, at) VALUES "
                     "('tests', 'delete', 'official_figures', '{}', CURRENT_TIMESTAMP)")
            )  # fmt: skip


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    require_assets()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class Contexts:
    """Browser contexts of one test, each watched by the test's monitor."""

    def __init__(self, browser: Browser, server: LiveServer, monitor: Monitor) -> None:
        self.browser, self.server, self.monitor = browser, server, monitor
        self.opened: list[BrowserContext] = []

    def new(self, **options: Any) -> BrowserContext:
        context = self.browser.new_context(
            base_url=self.server.url, viewport=VIEWPORT, locale="ru-RU", **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", self.monitor.route)
        context.on("page", self._watch)
        self.opened.append(context)
        return context

    def _watch(self, page: Page) -> None:
        page.on("console", self.monitor.on_console)
        page.on("pageerror", lambda exc: self.monitor.page_errors.append(f"{exc} [{page.url}]"))

    def close(self) -> None:
        for context in self.opened:
            context.close()


@pytest.fixture
def monitor(live_server: LiveServer, request: pytest.FixtureRequest) -> Monitor:
    found = Monitor(server=live_server.url)
    request.node.browser_monitor = found
    return found


@pytest.fixture
def contexts(browser: Browser, live_server: LiveServer, monitor: Monitor) -> Iterator[Contexts]:
    made = Contexts(browser, live_server, monitor)
    yield made
    made.close()


@pytest.fixture
def page(contexts: Contexts, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page (own cookies) at 1280×900; a full-page screenshot is saved after the test."""
    page = contexts.new().new_page()
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    if not page.is_closed():
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a browser test whose pages logged errors or tried to reach another host."""
    result = yield
    found: Monitor | None = getattr(item, "browser_monitor", None)
    if found is not None and (problems := found.problems()):
        pytest.fail("the browser reported problems:\n  " + "\n  ".join(problems), pytrace=False)
    return result


# --- helpers used by several tests --------------------------------------------------------------


@pytest.fixture
def log_in() -> Callable[[Page, str, str], None]:
    """Log in through the form behind the «Войти» link of the current page; the login page
    sends the user back to the page they came from."""

    def do(page: Page, username: str, password: str) -> None:
        back = page.url
        page.get_by_role("link", name="Войти").click()
        page.wait_for_url(re.compile(r"/login\?next="))
        page.get_by_label("Имя пользователя").fill(username)
        page.get_by_label("Пароль").fill(password)
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url(back)
        page.locator(".account .who").wait_for()

    return do
