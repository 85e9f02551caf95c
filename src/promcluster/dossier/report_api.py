"""REST API of the yearly report (logged-in users): a cluster's targets, setting or clearing one
(administrators and the cluster's managers; a stale ``version`` is a 409), and the report."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.dossier import targets
from promcluster.dossier.report import default_year, report_json, yearly_report
from promcluster.web.deps import db_session, login_required
from promcluster.web.limits import Id, Line, Text, Version

router = APIRouter(prefix="/api/v1", tags=["yearly report"])


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: Line = Field(description="ключ показателя (members, revenue …) или его название")
    # Bounded here only against absurd integers; the service refuses a year outside
    # FIRST_YEAR–LAST_YEAR together with the other refused fields.
    year: int = Field(
        ge=1, le=9999, description=f"год программы, {targets.FIRST_YEAR}–{targets.LAST_YEAR}"
    )
    target: float | Line | None = Field(
        None, description="целевое значение («1 200,5» допускается); доли — в процентах"
    )
    explanation: Text | None = Field(None, description="пояснение отклонения в этом году")
    version: Version | None = Field(
        None, description="версия прочитанной записи; 0 — записи не было (пусто и то и другое: "
        "запись удаляется)",
    )  # fmt: skip


class TargetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    cluster_id: int
    indicator: str
    year: int
    target: float | None = Field(description="в единицах показателя: доли — от 0 до 1")
    explanation: str | None
    version: int


@router.get("/clusters/{cluster_id}/targets", response_model=list[TargetOut])
def list_targets(
    cluster_id: Id, session: Session = db_session, user: User = Depends(login_required)
):
    """Every target of the cluster by indicator and year."""
    return targets.targets_of(session, cluster_id)


@router.put("/clusters/{cluster_id}/targets", response_model=TargetOut | None)
def put_target(
    cluster_id: Id,
    body: TargetIn,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """Set a target and its explanation, or clear them (both empty: answers null)."""
    return targets.set_target(
        session, user, cluster_id, body.indicator, body.year, body.target, body.explanation,
        body.version,
    )  # fmt: skip


@router.get("/clusters/{cluster_id}/report")
def cluster_report(
    cluster_id: Id,
    year: Annotated[int | None, Query(ge=1, le=9999)] = None,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> dict[str, Any]:
    """The yearly report (the last finished year by default)."""
    return report_json(yearly_report(session, cluster_id, default_year(year)))
