"""Test-data helpers: the database handle, users, valid identifiers and registry records."""

import itertools
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, delete, func, select, text, update
from sqlalchemy.orm import Session

from promcluster.accounts.service import create_user
from promcluster.auth.models import AuditLog, LoginFailure, User, UserSession
from promcluster.chains.models import Chain
from promcluster.compliance.models import Rule
from promcluster.compliance.rules import load_rules
from promcluster.db import make_sessionmaker, transaction, utcnow
from promcluster.registry import service
from promcluster.registry.models import Cluster, Enterprise, InvestmentProject, Membership

POSTGRES_ENV = "PROMCLUSTER_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    """The PostgreSQL URL given to the test run, or None."""
    return os.environ.get(POSTGRES_ENV) or None


def sqlalchemy_url(url: str) -> str:
    """``url`` with the psycopg driver spelled out (as ``make_engine`` does)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def reset_postgres(url: str, schema: str = "public") -> None:
    """Drop and recreate ``schema`` so that the migrations run from scratch."""
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()


TEST_TILES = "https://tiles.example.test/{z}/{x}/{y}.png"
TEST_SECRET_KEY = "test-only-key-" + "0123456789abcdef" * 3  # long enough to be accepted
PASSWORD = "correct horse battery"
ADMIN = "admin"
SESSION_COOKIE = "promcluster_session"

# Registry and auth tables in an order that deletes children before parents.
CLEAN_ORDER = (
    "audit_log",
    "notifications",
    "classification_corrections",
    "search_documents",
    "official_figures",
    "import_rejections",
    "import_runs",
    "jobs",
    "user_clusters",
    "users",
    "declared_figures",
    "sources",
    "compliance_marks",
    "application_packages",
    "programme_targets",
    "document_files",
    "documents",
    "project_products",
    "investment_projects",
    "stage_suppliers",
    "chain_stages",
    "chain_products",
    "chains",
    "membership_events",
    "memberships",
    "cluster_okved",
    "cluster_regions",
    "clusters",
    "responses",
    "procurement_items",
    "procurement_documents",
    "offers",
    "needs",
    "supplies",
    "product_lines",
    "enterprise_okved",
    "enterprises",
)


class Database:
    """The test database: URL, engine, sessions, row counts."""

    def __init__(self, url: str, engine: Engine, keep_users: tuple[int, ...] = ()) -> None:
        self.url = url
        self.engine = engine
        self.sessions = make_sessionmaker(engine)
        self.keep_users = keep_users
        self.report = None  # what load_demo added, when the demo fixture ran

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def clean(self) -> None:
        """Delete every registry and auth row, except the session-wide users ``keep_users``
        (whose password hashing and login would otherwise cost a quarter second per test)."""
        with self.engine.begin() as connection:
            connection.execute(delete(LoginFailure))
            kept_sessions = UserSession.user_id.in_(self.keep_users)
            connection.execute(delete(UserSession).where(~kept_sessions))
            # The kept users' logins stay usable whatever a test did to them (logout, expiry).
            at = utcnow()
            connection.execute(
                update(UserSession)
                .where(kept_sessions)
                .values(revoked_at=None, last_seen_at=at, expires_at=at + timedelta(days=1))
            )
            for table in CLEAN_ORDER:
                if table == "users" and self.keep_users:
                    connection.execute(delete(User).where(User.id.not_in(self.keep_users)))
                else:
                    connection.execute(text(f"DELETE FROM {table}"))
            connection.execute(delete(Rule))  # back to the package's default editions
        with self.session() as session:
            load_rules(session)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed at the end of the block (rolled back on error)."""
        with transaction(self.sessions) as session:
            yield session

    def count(self, table: str) -> int:
        with self.engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()

    def counts(self) -> dict[str, int]:
        """Rows in every registry and auth table (to prove that nothing was written)."""
        with self.engine.connect() as connection:
            return {
                t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in CLEAN_ORDER
            }

    def audit(self, **where: Any) -> list[AuditLog]:
        """Audit rows matching ``where`` (column == value), oldest first."""
        with self.sessions() as session:
            query = select(AuditLog).order_by(AuditLog.id)
            for key, value in where.items():
                query = query.where(getattr(AuditLog, key) == value)
            return list(session.scalars(query))

    def audit_count(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count(AuditLog.id))) or 0

    def get(self, model: type, id_: int):
        with self.sessions() as session:
            return session.get(model, id_)

    # Records created through the service layer as the system (no HTTP, no permissions).

    def add_enterprise(self, **fields: Any) -> int:
        data = {"name": f"Предприятие {next(_serial)}", "region_code": "72", **fields}
        with self.session() as session:
            return service.create_enterprise(session, None, data).id

    def add_cluster(self, **fields: Any) -> int:
        data = {"name": f"Кластер {next(_serial)}", "region_codes": ["72"], **fields}
        with self.session() as session:
            return service.create_cluster(session, None, data).id

    def add_membership(self, cluster_id: int, enterprise_id: int, **fields: Any) -> int:
        data = {
            "cluster_id": cluster_id,
            "enterprise_id": enterprise_id,
            "status": "member",
            "role": "participant",
            **fields,
        }
        with self.session() as session:
            return service.create_record(session, None, Membership, data).id

    def add_chain(self, cluster_id: int, **fields: Any) -> int:
        data = {"cluster_id": cluster_id, "name": f"Цепочка {next(_serial)}", **fields}
        with self.session() as session:
            return service.create_record(session, None, Chain, data).id

    def add_project(self, cluster_id: int, **fields: Any) -> int:
        data = {"cluster_id": cluster_id, "name": f"Проект {next(_serial)}", **fields}
        with self.session() as session:
            return service.create_record(session, None, InvestmentProject, data).id


_serial = itertools.count(1)

MODELS = {
    "clusters": Cluster,
    "enterprises": Enterprise,
    "memberships": Membership,
    "chains": Chain,
    "projects": InvestmentProject,
}


@dataclass
class Login:
    """Credentials of a test user, usable as ``auth=`` of the HTTP client."""

    username: str
    password: str
    id: int
    cookie: str | None = None  # a logged-in session cookie, when one was made
    csrf: str | None = None  # that session's CSRF token

    @property
    def auth(self) -> tuple[str, str]:
        return (self.username, self.password)


class Users:
    """Creates users through ``promcluster.accounts.service.create_user``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self,
        username: str,
        role: str = "admin",
        clusters: list[int] = (),
        enterprise: int | None = None,
        password: str = PASSWORD,
    ) -> Login:
        with self.db.session() as session:
            user = create_user(session, username, password, role, list(clusters), enterprise)
            return Login(username, password, user.id)


# Identifiers with valid check digits (the algorithm written independently of the package).

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)  # the 11th digit uses the last ten


def _control(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def inn10(body: str) -> str:
    """The valid 10-digit INN starting with the nine digits ``body``."""
    assert re.fullmatch(r"[0-9]{9}", body)
    return body + _control(body, _INN10_WEIGHTS)


def inn12(body: str) -> str:
    """The valid 12-digit INN starting with the ten digits ``body``."""
    assert re.fullmatch(r"[0-9]{10}", body)
    with_11 = body + _control(body, _INN12_WEIGHTS[1:])
    return with_11 + _control(with_11, _INN12_WEIGHTS)


def ogrn(body: str) -> str:
    """The valid OGRN (12-digit ``body``) or OGRNIP (14-digit ``body``)."""
    assert re.fullmatch(r"[0-9]{12}|[0-9]{14}", body)
    modulus = 11 if len(body) == 12 else 13
    return body + str(int(body) % modulus % 10)


_inn_serial = itertools.count(1000)


def fresh_inn() -> str:
    """A valid 10-digit INN not used before in this test run (Tyumen region prefix)."""
    return inn10(f"72{next(_inn_serial):07d}")


# HTTP helpers


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


def login(client, user: Login) -> str:
    """Log ``client`` in through the login form; return the session's current CSRF token."""
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": user.username, "password": user.password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/").text)


def error_fields(response) -> list[str]:
    """The last element of each ``detail[].loc`` of a 422 response."""
    return [str(e["loc"][-1]) for e in response.json()["detail"]]


def check_full_text(engine: Engine) -> None:
    """On SQLite, FTS5's integrity check of the search index against the stored documents
    (it fails on an entry without its document or a document without its entry)."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            check = "INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)"
            connection.execute(text(check))
