"""Generated application packages, kept: each generation writes the ZIP into the file store and
an ``ApplicationPackage`` row numbered 1, 2 … per cluster with the date it speaks of, the
archive's SHA-256 and size, and the state of the records it was assembled from (counts, the
verdict, what was missing, the documents with their file hashes), so that one can say what was
sent. Administrators and the cluster's managers only: the package holds non-public documents."""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster import records
from promcluster.auth.models import User
from promcluster.auth.permissions import require_cluster
from promcluster.db import utcnow
from promcluster.documents import store
from promcluster.dossier.models import ApplicationPackage
from promcluster.dossier.package import Package, assemble
from promcluster.dossier.package_files import document_path, entries, write_zip
from promcluster.errors import InvalidField, NotFound
from promcluster.registry.models import Cluster

SYSTEM = "система"


@dataclass(frozen=True)
class Version:
    """A kept package as the versions list shows it."""

    number: int
    as_of: date
    generated_at: datetime
    generated_by: str
    verdict: str | None
    missing: list[str]
    counts: dict[str, int]
    sha256: str
    size: int


def check_as_of(as_of: date, today: date | None = None) -> date:
    """A package speaks of today or an earlier date."""
    if as_of > (today or date.today()):
        raise InvalidField("as_of", "дата пакета не может быть позже сегодняшней")
    return as_of


def preview(session: Session, user: User | None, cluster_id: int, as_of: date) -> Package:
    """The package as it would be generated now (for the page and the API)."""
    require_cluster(user, cluster_id)
    records.get(session, Cluster, cluster_id)
    return assemble(session, cluster_id, check_as_of(as_of))


def generate(
    session: Session, user: User | None, cluster_id: int, as_of: date
) -> tuple[ApplicationPackage, Package]:
    """Assemble the package, keep its ZIP in the file store and record the next version."""
    package = preview(session, user, cluster_id, as_of)
    path = store.temporary(".zip")
    try:
        write_zip(entries(package), path)
    except BaseException:
        store.discard(path)
        raise
    stored = store.keep_for(session, path)
    row = ApplicationPackage(
        cluster_id=cluster_id,
        number=next_number(session, cluster_id),
        as_of=as_of,
        sha256=stored.sha256,
        size=stored.size,
        state=state_of(package),
        generated_by=user.id if user is not None else None,
        generated_at=utcnow(),
    )
    session.add(row)
    # Two generations of one cluster at once read the same number: the unique constraint
    # (cluster_id, number) refuses the second, which becomes Conflict («повторите»).
    records.flush(session)
    return row, package


def next_number(session: Session, cluster_id: int) -> int:
    """The number the cluster's next package gets."""
    latest = session.scalar(
        select(func.max(ApplicationPackage.number)).where(
            ApplicationPackage.cluster_id == cluster_id
        )
    )
    return (latest or 0) + 1


def state_of(package: Package) -> dict[str, Any]:
    """What the package was assembled from, as stored with its version."""
    c = package.cooperation
    return {
        "cluster": package.cluster_name,
        "counts": package.counts(),
        "verdict": package.compliance.verdict,
        "cooperation": {"year": c.year, "inside": c.inside, "purchases": c.purchases,
                        "share": None if c.share is None else round(c.share, 6)},
        "missing": package.missing,
        "documents": [
            {"id": d.id, "kind": d.kind, "title": d.title, "number": d.number,
             "signed_on": d.signed_on.isoformat() if d.signed_on else None,
             "filename": d.file.filename if d.file else None,
             "sha256": d.file.sha256 if d.file else None, "path": document_path(d)}
            for d in package.documents
        ],
    }  # fmt: skip


def versions(session: Session, user: User | None, cluster_id: int) -> list[Version]:
    """The cluster's kept packages, the latest first."""
    require_cluster(user, cluster_id)
    records.get(session, Cluster, cluster_id)
    query = (
        select(ApplicationPackage, User.full_name, User.username)
        .outerjoin(User, User.id == ApplicationPackage.generated_by)
        .where(ApplicationPackage.cluster_id == cluster_id)
        .order_by(ApplicationPackage.number.desc())
    )
    return [version_of(row, full or name) for row, full, name in session.execute(query)]


def version_of(row: ApplicationPackage, who: str | None) -> Version:
    state = row.state or {}
    return Version(
        row.number, row.as_of, row.generated_at, who or SYSTEM, state.get("verdict"),
        list(state.get("missing") or []), dict(state.get("counts") or {}), row.sha256, row.size,
    )  # fmt: skip


def kept_file(session: Session, user: User | None, cluster_id: int, number: int) -> Path:
    """The ZIP of the cluster's package ``number`` (NotFound when there is none, or when its
    file is no longer in the store)."""
    require_cluster(user, cluster_id)
    row = session.scalar(
        select(ApplicationPackage).where(
            ApplicationPackage.cluster_id == cluster_id, ApplicationPackage.number == number
        )
    )
    if row is None:
        raise NotFound(f"пакета № {number} у этого кластера нет")
    if not store.exists(row.sha256):
        raise NotFound(
            f"файла пакета № {number} нет в хранилище файлов (восстановите резервную копию)"
        )
    return store.path_of(row.sha256)
