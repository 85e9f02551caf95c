"""The statistics page (public): official figures of a section in every region, location
quotients against the country, growth, a choropleth and downloads; and the region page's
section of official figures by activity and year (an HTMX fragment)."""

import json
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.errors import NotFound
from promcluster.indicators.ratings import NO_DATA_COLOUR
from promcluster.russian import number
from promcluster.statistics import exports, overview, service
from promcluster.statistics.store import source_date_text
from promcluster.web.deps import current_user, db_session
from promcluster.web.forms import render
from promcluster.web.templating import templates

router = APIRouter(include_in_schema=False)
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def quotient(value: float | None) -> str:
    """An LQ as shown: two decimals with a comma (``1,64``), «—» when undefined."""
    return number(value, 2)


templates.env.filters.update(quotient=quotient, source_date=source_date_text)


@router.get("/statistics")
def statistics_page(
    request: Request,
    indicator: str | None = None,
    year: int | None = None,
    section: str | None = None,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    """Anyone may read it."""
    view = overview.overview(session, indicator, year, section)
    values = {}
    if view is not None:
        values = {r["region_code"]: f"коэффициент {quotient(r['lq'])}" for r in view.rows}
    return render(
        request,
        "statistics/page.html",
        user,
        view=view,
        indicators=service.indicators(session),
        no_data=NO_DATA_COLOUR,
        map_json=json.dumps(
            {"colours": view.colours if view else {}, "values": values}, ensure_ascii=False
        ),
        query=str(request.url.query),
    )


@router.get("/statistics/export.{fmt}")
def statistics_export(
    fmt: str,
    indicator: str | None = None,
    year: int | None = None,
    region: str | None = None,
    session: Session = db_session,
):
    """Every region × section (or one region's) as XLSX or CSV; anyone may download."""
    if fmt not in MEDIA:
        raise NotFound(f"формат «{fmt}» не поддерживается: xlsx или csv")
    t = service.year_table(session, indicator, year)
    q = t.quotients
    rows = exports.records(
        q, service.region_names(session), service.section_names(session, q.sections), t.change,
        region,
    )  # fmt: skip
    year, ind = q.year, t.indicator
    name = f"statistics-{year}{'-' + region if region else ''}.{fmt}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        exports.write_quotients(path, rows, overview.notes(ind, q))
        content = path.read_bytes()
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/regions/{code}/statistics")
def region_statistics(request: Request, code: str, session: Session = db_session):
    """The region page's section (public, like the page)."""
    found = service.region_statistics(session, code)
    return templates.TemplateResponse(
        request, "statistics/_region.html", {"s": found, "code": code}
    )
