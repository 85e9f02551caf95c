"""REST API of official statistics (public reads): the loaded indicators, and location
quotients of regions per OKVED2 section against the country."""

from datetime import date

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from promcluster.statistics import exports, service
from promcluster.web.deps import db_session
from promcluster.web.limits import Code, Line

router = APIRouter(prefix="/api/v1", tags=["Официальная статистика"])


class IndicatorOut(BaseModel):
    name: str
    unit: str
    ownership: str
    years: list[int]
    section_years: list[int]
    notes: dict[int, str | None]
    source: str
    source_date: date | None
    figures: int


class QuotientOut(BaseModel):
    region_code: str
    region: str
    okved: str
    activity: str
    year: int
    value: float | None
    region_total: float | None
    share: float | None
    lq: float | None
    growth: float | None
    lq_change: float | None


class QuotientsOut(BaseModel):
    indicator: str
    source: str
    year: int
    since: int | None
    country: str
    items: list[QuotientOut]


@router.get("/statistics", response_model=list[IndicatorOut])
def loaded(session: Session = db_session):
    """The official indicators loaded (public)."""
    return [
        IndicatorOut(**i.__dict__, section_years=service.section_years(i, session))
        for i in service.indicators(session)
    ]


@router.get("/statistics/quotients", response_model=QuotientsOut)
def quotients(
    indicator: Line | None = None,
    year: int | None = Query(None, ge=1900, le=2100, description="год; по умолчанию последний"),
    region: Code | None = None,
    session: Session = db_session,
):
    """Every region's (or one region's) location quotient per OKVED2 section against the
    country in ``year`` (the latest with sections by default), with growth since the first
    year with sections (public)."""
    t = service.year_table(session, indicator, year)
    q = t.quotients
    items = exports.records(
        q, service.region_names(session), service.section_names(session, q.sections), t.change,
        region,
    )  # fmt: skip
    return QuotientsOut(
        indicator=t.indicator.name, source=t.indicator.source, year=q.year, since=t.since,
        country=q.country_source, items=items,
    )  # fmt: skip
