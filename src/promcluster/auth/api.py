"""REST API of the audit log (logged-in users only)."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.auth.models import AuditLog, User
from promcluster.registry.queries import paginate
from promcluster.registry.schemas import Page
from promcluster.web.deps import get_session, login_required

router = APIRouter(prefix="/api/v1", tags=["Журнал изменений"])


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    changes: dict[str, Any]


def audit_query(entity: str | None = None, entity_id: str | None = None, actor: str | None = None):
    """Audit entries, newest first, filtered by table, record id and actor."""
    query = select(AuditLog).order_by(AuditLog.id.desc())
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
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    page: int = Query(1, ge=1),
    per_page: int = Query(50, ge=1, le=500),
    session: Session = Depends(get_session),
    _user: User = Depends(login_required),
) -> Any:
    """Who changed what and when: ``changes`` holds the created or deleted values, or for an
    update ``{field: [before, after]}``."""
    return paginate(session, audit_query(entity, entity_id, actor), page, per_page)
