"""REST API of the audit log (logged-in users only; each sees what ``accounts.audit`` allows)."""

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from promcluster.accounts.audit import audit_query
from promcluster.auth.models import User
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
