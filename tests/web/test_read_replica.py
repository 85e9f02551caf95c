"""A read replica (``PROMCLUSTER_DATABASE_READ_URL``): anonymous GET and HEAD requests read from
it; signed-in users and every write stay on the primary (``web/deps.request_sessions``).

On PostgreSQL the replica is a real hot standby of the test database (streaming replication;
``deploy/postgres-replica.sh`` builds one on 127.0.0.1:5433, ``.ci/run`` runs it) named by
``PROMCLUSTER_TEST_READ_URL``: the test pauses its replay to show which database a request read.
On SQLite, where there is no standby, the "replica" is a connection to the same file whose
authorizer refuses every write to the database file, as a standby refuses them: it shows that
no GET route writes."""

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from factories import SESSION_COOKIE, Login, login, sqlalchemy_url
from fastapi import FastAPI
from fastapi.testclient import TestClient
from matching import BLOCKS, build_world
from prometheus_client import REGISTRY
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, OperationalError

from promcluster.app import create_app
from promcluster.chains.service import create_stage
from promcluster.config import Settings
from promcluster.web.deps import CSRF_HEADER

READ_ENV = "PROMCLUSTER_TEST_READ_URL"
API = "/api/v1"
CAUGHT_UP_SECONDS = 30


@dataclass
class Replica:
    """The read database of the test: a PostgreSQL hot standby, or a read-only SQLite
    connection to the test database."""

    url: str
    standby: bool  # a real standby (its replay can be paused), else read-only SQLite
    primary: Engine | None = None  # the tests' own engines (standby only)
    engine: Engine | None = None

    def caught_up(self) -> None:
        """Wait until the standby has replayed everything committed on the primary."""
        if not self.standby:
            return
        with self.primary.connect() as connection:
            lsn = connection.scalar(text("SELECT pg_current_wal_lsn()"))
        deadline = time.monotonic() + CAUGHT_UP_SECONDS
        while time.monotonic() < deadline:
            with self.engine.connect() as connection:
                replayed = text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)")
                if connection.scalar(replayed, {"lsn": lsn}):
                    return
            time.sleep(0.02)
        pytest.fail(f"the standby did not replay the primary's WAL in {CAUGHT_UP_SECONDS} s")

    @contextmanager
    def paused(self) -> Iterator[None]:
        """The standby's replay paused (what it shows is frozen), resumed on leaving."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SELECT pg_wal_replay_pause()"))
            try:
                state = text("SELECT pg_get_wal_replay_pause_state()")
                while connection.scalar(state) != "paused":
                    time.sleep(0.01)
                yield
            finally:
                connection.execute(text("SELECT pg_wal_replay_resume()"))


# What a standby allows on SQLite: reading, and writing only the connection's own temporary
# database (the search vocabulary lists the index's terms through a temporary virtual table).
READS = {
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_FUNCTION,
    sqlite3.SQLITE_PRAGMA,
    sqlite3.SQLITE_TRANSACTION,
    sqlite3.SQLITE_SAVEPOINT,
    sqlite3.SQLITE_RECURSIVE,
}


def _refuse_writes(action: int, name: str | None, _arg, database: str | None, _source) -> int:
    if action in READS or database != "main" or name == "sqlite_master":
        return sqlite3.SQLITE_OK  # sqlite_master: read by virtual tables' constructors
    return sqlite3.SQLITE_DENY


def _read_only(dbapi_connection, _record) -> None:
    dbapi_connection.set_authorizer(_refuse_writes)


@pytest.fixture(scope="module")
def replica(database_url: str) -> Iterator[Replica]:
    """The replica of the test database (skipped on PostgreSQL without a standby)."""
    if database_url.startswith("sqlite"):
        yield Replica(database_url, standby=False)
        return
    url = os.environ.get(READ_ENV)
    if not url:
        pytest.skip(
            f"{READ_ENV} is not set: the test database on a hot standby "
            "(deploy/postgres-replica.sh builds one on 127.0.0.1:5433; .ci/run does)"
        )
    if make_url(url).database != make_url(database_url).database:
        pytest.fail(f"{READ_ENV} must name the test database ({make_url(database_url).database})")
    primary = create_engine(sqlalchemy_url(database_url))
    engine = create_engine(sqlalchemy_url(url))
    try:
        try:
            with engine.connect() as connection:
                in_recovery = connection.scalar(text("SELECT pg_is_in_recovery()"))
        except OperationalError as exc:
            pytest.skip(f"the standby of {READ_ENV} does not answer: {exc.orig}")
        assert in_recovery, f"{READ_ENV} names a primary, not a hot standby"
        yield Replica(url, standby=True, primary=primary, engine=engine)
    finally:
        primary.dispose()
        engine.dispose()


@pytest.fixture(scope="module")
def replica_app(settings: Settings, replica: Replica) -> Iterator[FastAPI]:
    """The application reading anonymous GETs from ``replica``."""
    app = create_app(settings.model_copy(update={"database_read_url": replica.url}))
    if not replica.standby:
        event.listen(app.state.read_engine, "connect", _read_only)
    yield app
    app.state.engine.dispose()
    app.state.read_engine.dispose()


@pytest.fixture
def anonymous(db, replica_app) -> Iterator[TestClient]:
    with TestClient(replica_app) as http:
        yield http


@pytest.fixture
def signed_in(db, replica_app, admin: Login) -> Iterator[TestClient]:
    with TestClient(replica_app) as http:
        http.cookies.set(SESSION_COOKIE, admin.cookie)
        http.headers[CSRF_HEADER] = admin.csrf
        yield http


def test_anonymous_reads_lag_behind_while_signed_in_users_read_their_writes(
    replica, db, anonymous, signed_in, admin, users
):
    if not replica.standby:
        pytest.skip("needs a PostgreSQL hot standby whose replay can be paused")
    before = db.add_cluster(name="Кластер до паузы")
    replica.caught_up()
    with replica.paused():
        during = db.add_cluster(name="Кластер во время паузы")  # committed on the primary
        created = signed_in.post(
            f"{API}/clusters", json={"name": "Кластер из API", "region_codes": ["72"]}
        )
        assert created.status_code == 201, created.text
        mine = created.json()["id"]
        # The signed-in user reads the primary: both writes at once.
        assert signed_in.get(f"{API}/clusters/{mine}").status_code == 200
        assert "Кластер во время паузы" in signed_in.get("/clusters").text
        basic = TestClient(anonymous.app)
        assert basic.get(f"{API}/clusters/{during}", auth=admin.auth).status_code == 200
        # An anonymous visitor reads the paused standby: what was there before only.
        assert anonymous.get(f"{API}/clusters/{before}").status_code == 200
        assert anonymous.get(f"{API}/clusters/{during}").status_code == 404
        assert anonymous.head(f"/clusters/{mine}").status_code == 404
        listing = anonymous.get("/clusters").text
        assert "Кластер до паузы" in listing
        assert "Кластер во время паузы" not in listing
        # A POST is the primary's: a user created meanwhile logs in (the anonymous form's
        # GET comes from the standby, the post and the pages after it from the primary).
        newcomer = users.add("newcomer", "admin")
        with TestClient(anonymous.app) as browser:
            login(browser, newcomer)
            assert "Кластер во время паузы" in browser.get("/clusters").text
    replica.caught_up()
    assert anonymous.get(f"{API}/clusters/{during}").status_code == 200
    assert anonymous.head(f"/clusters/{mine}").status_code == 200
    assert "Кластер из API" in anonymous.get("/clusters").text


def test_the_readiness_probe_checks_the_replica(settings, replica, db, tmp_path):
    app = create_app(settings.model_copy(update={"database_read_url": replica.url}))
    app.state.warmed_up.set()
    try:
        with TestClient(app) as http:
            assert http.get("/readyz").json()["checks"]["replica"] == "ok"
    finally:
        app.state.engine.dispose()
        app.state.read_engine.dispose()
    # A replica that does not answer: not ready, and said so (the primary still answers).
    down = "postgresql://promcluster:promcluster@127.0.0.1:9/promcluster"  # nothing listens
    if not replica.standby:
        down = f"sqlite:///{tmp_path}"  # a directory: "unable to open database file"
    app = create_app(settings.model_copy(update={"database_read_url": down}))
    app.state.warmed_up.set()
    try:
        with TestClient(app) as http:
            answer = http.get("/readyz")
    finally:
        app.state.engine.dispose()
    assert answer.status_code == 503
    body = answer.json()
    assert body["failed"] == ["replica"]
    assert body["checks"]["database"] == "ok"
    assert "PROMCLUSTER_DATABASE_READ_URL" in body["checks"]["replica"]


def test_without_a_read_url_everything_reads_the_primary(app, client, db):
    assert app.state.read_engine is None and app.state.read_sessions is None
    assert client.get("/clusters").status_code == 200


# Every GET route of the application, walked anonymously over the replica with values of the
# loaded data for its path parameters: none may answer 5xx (a route that wrote would fail there
# with "cannot execute … in a read-only transaction" or "not authorized").
KIND_OF_ITEM = {
    "/api/v1/chains/": "chains",
    "/api/v1/clusters/": "clusters",
    "/api/v1/enterprises/": "enterprises",
    "/api/v1/memberships/": "memberships",
    "/api/v1/projects/": "investment_projects",
}
TABLE_OF = {
    "cluster_id": "clusters",
    "chain_id": "chains",
    "enterprise_id": "enterprises",
    "need_id": "needs",
    "offer_id": "offers",
    "stage_id": "chain_stages",
    "run_id": "import_runs",
    "job_id": "jobs",
    "document_id": "documents",
}
CONSTANT = {
    "region": "72",
    "code": "72",
    "group": "23.61",
    "number": "1",
    "kind": "enterprises",
    "fmt": "csv",
}
# Answered 200 to an anonymous visitor: the public pages and API reads, served by the replica.
PUBLIC = {
    "/",
    "/clusters",
    "/clusters/{cluster_id}",
    "/enterprises",
    "/enterprises/{enterprise_id}",
    "/regions",
    "/regions/{code}",
    "/map",
    "/ratings",
    "/needs",
    "/needs/{need_id}",
    "/offers",
    "/offers/{offer_id}",
    "/search",
    "/login",
    "/api/v1/clusters",
    "/api/v1/clusters/{item_id}",
    "/api/v1/enterprises",
    "/api/v1/enterprises/{item_id}",
    "/api/v1/needs",
    "/api/v1/offers",
    "/api/v1/search",
    "/api/v1/stats",
    "/api/v1/map",
}
QUERY = {
    "/search": "?q=бетон",
    "/api/v1/search": "?q=бетон",
    "/okpd2/suggest": "?q=бетон",
    "/api/v1/okpd2/suggest": "?name=бетон",
    "/api/v1/niches": "?region=72",
    "/api/v1/niches/export.xlsx": "?region=72",
}


def get_routes(app: FastAPI) -> list[str]:
    """The path templates of the application's GET routes (included routers walked)."""

    def walk(routes):
        for route in routes:
            if hasattr(route, "original_router"):
                yield from walk(route.original_router.routes)
            elif "GET" in (getattr(route, "methods", None) or ()):
                yield route.path

    return sorted(set(walk(app.routes)))


def sessions(database: str) -> float:
    """Request sessions opened so far on ``database`` (primary or replica), from the metrics."""
    return REGISTRY.get_sample_value("promcluster_db_sessions_total", {"database": database}) or 0


def fill(template: str, ids: dict[str, int]) -> str:
    """``template`` with values of the loaded data (1 where a table is empty)."""
    values = dict(CONSTANT)
    for name, table in TABLE_OF.items():
        values[name] = str(ids.get(table, 1))
    kind = next((k for prefix, k in KIND_OF_ITEM.items() if template.startswith(prefix)), None)
    values["item_id"] = str(ids.get(kind, 1))
    return template.format(**values) + QUERY.get(template, "")


def test_every_get_route_answers_anonymously_from_the_replica(
    replica, demo, replica_app, anonymous
):
    build_world(demo)  # needs, offers, product lines besides the demo's clusters
    with demo.session() as session:
        chain = session.scalar(text("SELECT min(id) FROM chains"))
        create_stage(session, None, chain, {"okpd2_code": BLOCKS})
        ids = {
            table: session.scalar(text(f"SELECT min(id) FROM {table}"))
            for table in {*TABLE_OF.values(), *KIND_OF_ITEM.values()}
        }
    ids = {table: id_ for table, id_ in ids.items() if id_ is not None}
    replica.caught_up()
    templates = get_routes(replica_app)
    assert len(templates) > 90 and set(templates) >= PUBLIC
    before = {database: sessions(database) for database in ("primary", "replica")}
    answers = {}
    for template in templates:
        path = fill(template, ids)
        answers[template] = anonymous.get(path, follow_redirects=False).status_code
        assert anonymous.head(path, follow_redirects=False).status_code == answers[template], path
    failed = {t: status for t, status in answers.items() if status >= 500}
    assert not failed
    # Every request's session was the replica's (promcluster_db_sessions_total).
    assert sessions("primary") == before["primary"]
    assert sessions("replica") >= before["replica"] + 2 * len(PUBLIC)
    not_public = {t: answers[t] for t in PUBLIC if answers[t] != 200}
    assert not not_public
    if not replica.standby:  # the SQLite stand-in does refuse writes
        refused = pytest.raises(DatabaseError, match="not authorized")
        with refused, replica_app.state.read_engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_log"))
