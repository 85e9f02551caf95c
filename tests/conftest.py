"""Shared fixtures: one database per backend per session, cleaned between tests.

Every database test runs against SQLite (a temporary file) and, when
``PROMCLUSTER_TEST_POSTGRES_URL`` is set, against that PostgreSQL database too (its ``public``
schema is dropped and recreated at session start). The schema is built with the Alembic
migrations and the reference data is loaded once per backend; tests are isolated by deleting the
registry and auth rows before each test.
"""

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from factories import (
    ADMIN,
    PASSWORD,
    POSTGRES_ENV,
    SESSION_COOKIE,
    TEST_SECRET_KEY,
    TEST_TILES,
    Database,
    Login,
    Users,
    login,
    postgres_url,
    reset_postgres,
)
from fastapi.testclient import TestClient

from promcluster import dbadmin
from promcluster.accounts.service import create_user
from promcluster.app import create_app
from promcluster.compliance.rules import load_rules
from promcluster.config import Settings, get_settings
from promcluster.db import make_engine, make_sessionmaker, transaction
from promcluster.demo.loader import load_demo
from promcluster.reference.service import load_reference
from promcluster.web.deps import CSRF_HEADER


@pytest.fixture(
    scope="session",
    params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgres", id="postgres")],
)
def database_url(request, tmp_path_factory) -> str:
    """URL of a migrated database holding the reference data (once per backend and session)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'promcluster.db'}"
    else:
        url = postgres_url()
        if url is None:
            pytest.skip(f"{POSTGRES_ENV} is not set")
        reset_postgres(url)
    dbadmin.upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            load_reference(session)
            load_rules(session)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def engine(database_url: str):
    """One engine per backend for the tests' own reads and writes."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def admin(database_url: str, engine, app) -> Login:
    """An administrator kept for the whole session (per backend), with a logged-in session
    cookie: creating and logging in a user costs two argon2 hashes, so it is done once."""
    with transaction(make_sessionmaker(engine)) as session:
        user = create_user(session, ADMIN, PASSWORD, "admin")
        account = Login(ADMIN, PASSWORD, user.id)
    with TestClient(app) as http:
        account.csrf = login(http, account)
        account.cookie = http.cookies.get(SESSION_COOKIE)
    return account


@pytest.fixture
def db(database_url: str, engine, admin: Login) -> Database:
    """The test database with no registry or auth rows (reference data and ``admin`` kept)."""
    database = Database(database_url, engine, keep_users=(admin.id,))
    database.clean()
    return database


def system_temp_files() -> set[str]:
    """The platform's files in the system's temporary directory (uploads, generated files)."""
    return {p.name for p in Path(tempfile.gettempdir()).glob("promcluster-*") if p.is_file()}


@pytest.fixture(scope="session", autouse=True)
def no_files_left_in_the_system_temp_dir() -> Iterator[None]:
    """The suite leaves no ``promcluster-*`` file in the system's temporary directory: uploads
    and generated files of the suite's apps go to their ``upload_dir`` (under pytest's
    temporary directory), and a test writing there by default deletes what it wrote."""
    before = system_temp_files()
    yield
    left = system_temp_files() - before
    assert not left, f"files left in {tempfile.gettempdir()}: {sorted(left)}"


@pytest.fixture(scope="session", autouse=True)
def files_dir(tmp_path_factory) -> Iterator[Path]:
    """The file store of the suite (documents, packages) in a temporary directory of the
    session, never ``var/files`` of the checkout; commands run by tests inherit it."""
    path = tmp_path_factory.mktemp("files")
    saved = os.environ.get("PROMCLUSTER_FILES_DIR")
    os.environ["PROMCLUSTER_FILES_DIR"] = str(path)
    get_settings.cache_clear()
    yield path
    if saved is None:
        os.environ.pop("PROMCLUSTER_FILES_DIR", None)
    else:
        os.environ["PROMCLUSTER_FILES_DIR"] = saved
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory, files_dir: Path) -> Settings:
    """The app's settings: the test database, a recognisable tile URL (no ``.env`` file) and
    the uploads and generated files of jobs in a temporary directory of the session."""
    return Settings(
        _env_file=None,
        upload_dir=tmp_path_factory.mktemp("uploads"),
        files_dir=files_dir,
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        tile_url=TEST_TILES,
        secure_cookies=False,
        # The suite calls search and classification anonymously thousands of times from one
        # address; the limiter has tests of its own with a small limit.
        anonymous_expensive_per_minute=0,
    )


@pytest.fixture(scope="session")
def app(settings: Settings):
    """The web application bound to the test database (one per backend)."""
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(db: Database, app) -> Iterator[TestClient]:
    """An anonymous HTTP client with its own cookie jar, over a cleaned database."""
    with TestClient(app) as http:
        yield http


@pytest.fixture
def admin_client(db: Database, app, admin: Login) -> Iterator[TestClient]:
    """An HTTP client logged in as ``admin`` (session cookie and X-CSRF-Token header)."""
    with TestClient(app) as http:
        http.cookies.set(SESSION_COOKIE, admin.cookie)
        http.headers[CSRF_HEADER] = admin.csrf
        yield http


@pytest.fixture
def login_as(app, db: Database) -> Iterator[Callable[[Login], TestClient]]:
    """``login_as(account)``: a new HTTP client logged in through the login form, sending the
    session's CSRF token with every request (one password check instead of one per request)."""
    clients: list[TestClient] = []

    def make(account: Login) -> TestClient:
        http = TestClient(app)
        clients.append(http)
        http.headers[CSRF_HEADER] = login(http, account)
        return http

    yield make
    for http in clients:
        http.close()


@pytest.fixture
def demo(db: Database) -> Database:
    """The test database with the demo data set loaded (``demo.report`` says what was added)."""
    with db.session() as session:
        db.report = load_demo(session)
    return db


@pytest.fixture
def users(db: Database) -> Users:
    """Create users (``users.add(name, role, ...)``) for HTTP Basic or cookie login."""
    return Users(db)
