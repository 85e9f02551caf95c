"""REST API of indicators: a cluster's and a region's indicators with time series, ratings."""

from dataclasses import asdict
from datetime import date

from fastapi import APIRouter
from sqlalchemy.orm import Session

from promcluster.indicators import ratings, service
from promcluster.indicators.exports import rating_record
from promcluster.indicators.schemas import (
    DeclaredOut,
    IndicatorOut,
    IndicatorsOut,
    RatingOut,
    RatingRowOut,
    SeriesOut,
)
from promcluster.indicators.series import TimeSeries, time_series
from promcluster.web.deps import db_session
from promcluster.web.limits import Code, Id, Short

router = APIRouter(prefix="/api/v1", tags=["indicators"])


def indicators_out(result: service.Indicators, series: TimeSeries) -> IndicatorsOut:
    """The schema of a cluster's or region's indicators, with its time series."""
    return IndicatorsOut(
        level=result.level,
        key=str(result.key),
        name=result.name,
        as_of=result.as_of,
        indicators=[
            IndicatorOut(
                key=i.key,
                label=i.label,
                value=i.value,
                unit=i.unit,
                as_of=i.as_of,
                year=i.year,
                basis=i.basis_text,
                known=i.known,
                total=i.total,
                parts=i.parts,
                declared=[DeclaredOut(**asdict(d)) for d in i.declared],
            )
            for i in result.items.values()
        ],
        roles=result.roles,
        project_statuses=result.project_statuses,
        cluster_statuses=result.cluster_statuses,
        other_declared=[DeclaredOut(**asdict(d)) for d in result.other_declared],
        series=[SeriesOut(**asdict(s)) for s in series.series.values()],
    )


def _with_series(session: Session, result: service.Indicators) -> IndicatorsOut:
    series = time_series(session, result.level, result.key, result.declared, result.as_of)
    return indicators_out(result, series)


@router.get("/clusters/{cluster_id}/indicators", response_model=IndicatorsOut)
def cluster_indicators(
    cluster_id: Id, as_of: date | None = None, session: Session = db_session
) -> IndicatorsOut:
    """A cluster's indicators on ``as_of`` (today by default) with declared figures beside."""
    return _with_series(session, service.cluster_indicators(session, cluster_id, as_of))


@router.get("/regions/{code}/indicators", response_model=IndicatorsOut)
def region_indicators(
    code: Code, as_of: date | None = None, session: Session = db_session
) -> IndicatorsOut:
    """A region's indicators summed over its clusters (each enterprise counted once)."""
    return _with_series(session, service.region_indicators(session, code, as_of))


@router.get("/ratings", response_model=RatingOut)
def rating(
    indicator: Short = ratings.DEFAULT_INDICATOR,
    level: Short = "cluster",
    as_of: date | None = None,
    session: Session = db_session,
) -> RatingOut:
    """Clusters or regions ranked on one indicator; missing values last, without a place."""
    r = ratings.rating(session, indicator, level, as_of)
    return RatingOut(
        indicator=r.indicator,
        level=r.level,
        as_of=r.as_of,
        items=[RatingRowOut(**rating_record(row)) for row in r.rows],
    )
