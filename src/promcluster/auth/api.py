"""REST API of the audit log (logged-in users only; each sees what ``audit_access`` allows)."""

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.auth.audit_access import visible_entries
from promcluster.auth.models import AuditLog, User
from promcluster.pagination import Page, paginate
from promcluster.web.deps import db_session, login_required
from promcluster.web.limits import INT_MAX, Line, Short, UtcDateTime

router = APIRouter(prefix="/api/v1", tags=["Журнал изменений"])


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDateTime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    changes: dict[str, Any]


def audit_query(
    user: User,
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
):
    """Audit entries ``user`` may read, newest first, filtered by table, record id and actor."""
    query = select(AuditLog).where(visible_entries(user)).order_by(AuditLog.id.desc())
    for column, value in (
        (AuditLog.entity, entity),
        (AuditLog.entity_id, entity_id),
        (AuditLog.actor, actor),
    ):
        if value is not None:
            query = query.where(column == value)
    return query


@router.get("/audit", response_model=Page[AuditOut])
def audit(
    entity: Short | None = None,
    entity_id: Short | None = None,
    actor: Line | None = None,
    page: int = Query(1, ge=1, le=INT_MAX),
    per_page: int = Query(50, ge=1, le=500),
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Any:
    """Who changed what and when: ``changes`` holds the created or deleted values, or for an
    update ``{field: [before, after]}``. Administrators see every entry; other users the
    entries of records they may read (a response only its two sides; users and logins none)."""
    return paginate(session, audit_query(user, entity, entity_id, actor), page, per_page)
