"""Indicator pages: the cluster's and the region's indicator fragments (loaded by HTMX into
their pages) and the ratings page with its bar chart, choropleth map and downloads."""

import json
import tempfile
from datetime import date
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from promcluster import labels
from promcluster.auth.models import User
from promcluster.errors import NotFound
from promcluster.indicators import ratings, service
from promcluster.indicators.chart import bar_chart
from promcluster.indicators.exports import write_rating
from promcluster.indicators.scope import LEVELS
from promcluster.indicators.series import time_series
from promcluster.records import get
from promcluster.registry.models import Cluster
from promcluster.russian import money, number, percent
from promcluster.web.deps import current_user, db_session
from promcluster.web.forms import render
from promcluster.web.templating import templates

router = APIRouter(include_in_schema=False)
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def display(value: float | None, unit: str) -> str:
    """An indicator's value as shown: ``0,25`` share → ``25,0 %``, roubles in млн/млрд."""
    if value is None:
        return labels.NO_DATA
    if unit == "share":
        return percent(value)
    if unit == "rub":
        return money(value)
    text = number(value)
    return f"{text} {labels.UNITS[unit]}".strip() if unit in labels.UNITS else text


templates.env.filters["indicator_value"] = display


def _status_chart(result: service.Indicators):
    """Participants by status in records, each followed by the declared figure if any."""
    items = []
    statuses = (("members", "member"), ("applicants", "applicant"), ("potential", "potential"))
    for key, status in statuses:
        i, name = result[key], labels.MEMBERSHIP_STATUSES[status]
        items.append((name, i.value, display(i.value, i.unit), "records"))
        for d in i.declared:
            items.append((f"{name} (заявлено)", d.value, display(d.value, "count"), "declared"))
    return bar_chart(items)


def _investment_chart(result: service.Indicators):
    """Known investment by project status, or project counts when no amount is known."""
    keys = list(service.INVESTMENT_STAGES)
    if any(result[k].value for k in keys):
        return bar_chart(
            [(result[k].label, result[k].value, display(result[k].value, "rub"), k) for k in keys]
        )
    statuses = result.project_statuses
    return bar_chart(
        [(labels.PROJECT_STATUSES[s], n, number(n), s) for s, n in statuses.items() if n]
    )


def _fragment(request: Request, result: service.Indicators):
    return templates.TemplateResponse(
        request,
        "indicators/_summary.html",
        {
            "ind": result,
            "status_chart": _status_chart(result),
            "investment_chart": _investment_chart(result),
        },
    )


def _series(request: Request, session: Session, level, key, as_of: date | None):
    declared = service.declared_for(session, level, key)
    series = time_series(session, level, key, declared, as_of)
    return templates.TemplateResponse(
        request, "indicators/_series.html", {"series": series, "level": level}
    )


@router.get("/clusters/{cluster_id}/indicators/summary")
def cluster_summary(
    request: Request,
    cluster_id: int,
    as_of: date | None = None,
    session: Session = db_session,
):
    return _fragment(request, service.cluster_indicators(session, cluster_id, as_of))


@router.get("/clusters/{cluster_id}/indicators/series")
def cluster_series(
    request: Request,
    cluster_id: int,
    as_of: date | None = None,
    session: Session = db_session,
):
    get(session, Cluster, cluster_id)
    return _series(request, session, "cluster", cluster_id, as_of)


@router.get("/regions/{code}/indicators/summary")
def region_summary(
    request: Request, code: str, as_of: date | None = None, session: Session = db_session
):
    return _fragment(request, service.region_indicators(session, code, as_of))


@router.get("/regions/{code}/indicators/series")
def region_series(
    request: Request, code: str, as_of: date | None = None, session: Session = db_session
):
    service.region(session, code)
    return _series(request, session, "region", code, as_of)


@router.get("/ratings")
def ratings_page(
    request: Request,
    indicator: str = ratings.DEFAULT_INDICATOR,
    level: str = "cluster",
    as_of: date | None = None,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    rating = ratings.rating(session, indicator, level, as_of)
    by_region = rating if level == "region" else ratings.rating(session, indicator, "region", as_of)
    colours, legend = ratings.region_colours(by_region)
    values = {str(r.key): display(r.value, r.indicator.unit) for r in by_region.rows}
    chart = bar_chart(
        [(r.name, r.value, display(r.value, r.indicator.unit), "") for r in rating.rows]
    )
    return render(
        request,
        "indicators/ratings.html",
        user,
        rating=rating,
        chart=chart,
        legend=legend,
        keys=service.REGION_KEYS if level == "region" else service.CLUSTER_KEYS,
        levels=LEVELS,
        no_data=ratings.NO_DATA_COLOUR,
        map_json=json.dumps({"colours": colours, "values": values}, ensure_ascii=False),
        query=str(request.url.query),
    )


@router.get("/ratings/export.{fmt}")
def ratings_export(
    fmt: str,
    indicator: str = ratings.DEFAULT_INDICATOR,
    level: str = "cluster",
    as_of: date | None = None,
    session: Session = db_session,
):
    """The rating table as XLSX or CSV."""
    if fmt not in MEDIA:
        raise NotFound(f"формат «{fmt}» не поддерживается: xlsx или csv")
    rating = ratings.rating(session, indicator, level, as_of)
    name = f"rating-{level}-{indicator}.{fmt}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write_rating(rating, path)
        content = path.read_bytes()
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
