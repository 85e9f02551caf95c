"""The audit log page (``/audit``): logged-in users, each seeing the entries ``accounts.audit``
lets them read (the same as ``GET /api/v1/audit``), filtered by kind of record, record, actor and
dates, one page at a time."""

from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from promcluster.accounts.audit import audit_query
from promcluster.auth.models import User
from promcluster.labels import AUDIT_ENTITIES
from promcluster.pagination import paginate
from promcluster.web.deps import db_session, login_required
from promcluster.web.forms import render
from promcluster.web.limits import INT_MAX, NAME_CHARS

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
RECORD_PAGES = {  # audited table → the page of one of its records
    "clusters": "/clusters/{}",
    "enterprises": "/enterprises/{}",
    "chains": "/chains/{}",
    "needs": "/needs/{}",
    "offers": "/offers/{}",
}


def _day(text: str | None, field: str, errors: dict[str, str]) -> date | None:
    """A date typed as ``2026-12-04`` (the date field's value) or ``04.12.2026``."""
    text = (text or "").strip()
    if not text:
        return None
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d.%m.%Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    errors[field] = f"«{text}» — не дата; укажите дату как ДД.ММ.ГГГГ"
    return None


@router.get("/audit")
def audit_page(
    request: Request,
    entity: str | None = Query(None, max_length=50),
    entity_id: str | None = Query(None, max_length=50),
    actor: str | None = Query(None, max_length=NAME_CHARS),
    since: str | None = Query(None, max_length=20),
    until: str | None = Query(None, max_length=20),
    page: int = Query(1, ge=1, le=INT_MAX),
    session: Session = db_session,
    user: User = Depends(login_required),
):
    errors: dict[str, str] = {}
    if entity and entity not in AUDIT_ENTITIES:
        errors["entity"] = "неизвестный вид записей"
    first, last = _day(since, "since", errors), _day(until, "until", errors)
    filters = {
        "entity": entity or "",
        "entity_id": (entity_id or "").strip(),
        "actor": (actor or "").strip(),
        "since": since or "",
        "until": until or "",
    }
    query = audit_query(
        user,
        entity if entity in AUDIT_ENTITIES else None,
        filters["entity_id"] or None,
        filters["actor"] or None,
        datetime.combine(first, time()) if first else None,
        datetime.combine(last + timedelta(days=1), time()) if last else None,
    )
    return render(
        request,
        "audit/list.html",
        user,
        422 if errors else 200,
        result=paginate(session, query, page, PER_PAGE),
        filters=filters,
        errors=errors,
        record_pages=RECORD_PAGES,
    )
