"""What the yearly report's tests share: a cluster with dated memberships (the indicators'
hand-made world), a client per role, workbooks of targets and form posts."""

import io
from dataclasses import dataclass
from pathlib import Path

from factories import Database, Users
from indicators import build_world
from openpyxl import Workbook
from sqlalchemy import func, select

from promcluster.dossier.models import ProgrammeTarget

HEADER = ["Показатель", "Год", "Целевое значение", "Пояснение"]


@dataclass
class Roles:
    own: int  # the manager's cluster (the indicators' world, in region 72)
    other: int  # another cluster of region 72
    admin: object
    manager: object  # manages ``own``
    stranger: object  # manages ``other``
    rep: object


def roles(db: Database, users: Users, login_as) -> Roles:
    world = build_world(db)
    other = db.add_cluster(name="Второй кластер региона")
    firm = db.add_enterprise(name="Предприятие представителя", employees=40)
    db.add_membership(other, firm)
    return Roles(
        own=world.cluster,
        other=other,
        admin=login_as(users.add("boss", "admin")),
        manager=login_as(users.add("mgr", "cluster_manager", clusters=[world.cluster])),
        stranger=login_as(users.add("mgr2", "cluster_manager", clusters=[other])),
        rep=login_as(users.add("rep", "enterprise_rep", enterprise=firm)),
    )


def workbook(rows: list[list], header: list[str] = HEADER) -> bytes:
    """An XLSX of targets: the header, then ``rows`` (row 2 onwards)."""
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csrf(http) -> str:
    """The session's CSRF token (the login_as client sends it as a header too)."""
    return http.headers["X-CSRF-Token"]


def post_target(http, cluster: int, **fields):
    data = {"csrf_token": csrf(http), "version": "0", **{k: str(v) for k, v in fields.items()}}
    return http.post(f"/clusters/{cluster}/targets", data=data, follow_redirects=False)


def upload(http, cluster: int, content: bytes, name: str = "targets.xlsx", year: int = 2024):
    return http.post(
        f"/clusters/{cluster}/targets/import",
        data={"csrf_token": csrf(http), "year": str(year)},
        files={"file": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )


def target_count(db: Database) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(ProgrammeTarget))


def save(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path
