"""JSON look-ups of the pickers: enterprises, regions, OKVED2 and OKPD2 codes by what people
type. Logged-in users only: pickers appear in forms only they can post, and an anonymous
visitor has the registry's own lists and search."""

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.pickers.service import MAX_LIMIT, QUERY_CHARS, find
from promcluster.web.deps import db_session, login_required

router = APIRouter(prefix="/api/v1", tags=["Выбор из справочников"])


class ChoiceOut(BaseModel):
    value: str
    label: str
    detail: str = ""


class ChoicesOut(BaseModel):
    items: list[ChoiceOut]


@router.get("/pickers/{kind}", response_model=ChoicesOut, name="picker_lookup")
def picker_lookup(
    kind: Literal["enterprise", "cluster", "region", "okved", "okpd2"],
    q: str = Query("", max_length=QUERY_CHARS),
    limit: int = Query(10, ge=1, le=MAX_LIMIT),
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Any:
    """Items of ``kind`` matching ``q``: enterprises by name (the search index, the last word
    as a beginning), INN or OGRN (from 4 digits, as a beginning); regions by code or name;
    OKVED2/OKPD2 codes by code prefix or name. ``value`` is what a form posts."""
    return {"items": find(session, kind, q, limit)}
