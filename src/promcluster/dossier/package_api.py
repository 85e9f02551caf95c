"""Application package REST API: what a package of the cluster would hold now (and what it
lacks), the kept versions, and generating a new one. Administrators and the cluster's managers
only (401 for anonymous callers, 403 for others)."""

from dataclasses import asdict
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.dossier import packages
from promcluster.dossier.package import Package
from promcluster.web.deps import db_session, login_required
from promcluster.web.limits import Id

router = APIRouter(prefix="/api/v1", tags=["dossier"])


class GenerateIn(BaseModel):
    """The date the package speaks of (today when omitted)."""

    model_config = ConfigDict(extra="forbid")
    as_of: date | None = None


def summary(package: Package) -> dict[str, Any]:
    """A package's headline: what it lacks, what it holds, the verdict and cooperation share."""
    c = package.cooperation
    return {
        "cluster_id": package.cluster_id,
        "cluster": package.cluster_name,
        "as_of": package.as_of,
        "missing": package.missing,
        "counts": package.counts(),
        "verdict": package.compliance.verdict,
        "cooperation": {"year": c.year, "inside": c.inside, "purchases": c.purchases,
                        "share": None if c.share is None else round(c.share, 6)},
        "participants": [
            {"name": p.name, "inn": p.inn, "ogrn": p.ogrn, "role": p.role, "since": p.since,
             "industrial": p.industrial, "headcount": p.headcount}
            for p in package.participants
        ],
    }  # fmt: skip


def version_json(cluster_id: int, version: packages.Version) -> dict[str, Any]:
    return {
        **asdict(version),
        "download": f"/clusters/{cluster_id}/application/{version.number}.zip",
    }


@router.get("/clusters/{cluster_id}/application")
def application(
    cluster_id: Id,
    as_of: date | None = None,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> dict[str, Any]:
    """The package as it would be generated now: missing items first, counts, verdict."""
    return summary(packages.preview(session, user, cluster_id, as_of or date.today()))


@router.get("/clusters/{cluster_id}/applications")
def application_versions(
    cluster_id: Id, session: Session = db_session, user: User = Depends(login_required)
) -> list[dict[str, Any]]:
    """The kept packages of the cluster, the latest first, each with its download link."""
    return [version_json(cluster_id, v) for v in packages.versions(session, user, cluster_id)]


@router.post("/clusters/{cluster_id}/applications", status_code=201)
def generate(
    cluster_id: Id,
    body: GenerateIn,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> dict[str, Any]:
    """Generate and keep the next package version (ZIP in the file store)."""
    row, _ = packages.generate(session, user, cluster_id, body.as_of or date.today())
    name = user.full_name or user.username
    return version_json(cluster_id, packages.version_of(row, name))
