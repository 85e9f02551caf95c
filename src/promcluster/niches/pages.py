"""HTML pages of niches: a region's ranking (scatter and sortable table) and one niche."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.niches import chart, service
from promcluster.niches.api import weights
from promcluster.reference import service as reference
from promcluster.web.computing import computing_page, ready
from promcluster.web.deps import current_user, db_session
from promcluster.web.forms import render
from promcluster.web.ratelimit import anonymous_limit

router = APIRouter(include_in_schema=False)
DEFAULT_REGION = "72"  # Tyumen oblast: the demo's construction-materials chains


@router.get("/niches")
def niches_home(region: str | None = None, cluster: int | None = None):
    target = f"/niches/{region or DEFAULT_REGION}"
    return RedirectResponse(target + (f"?cluster={cluster}" if cluster else ""), status_code=307)


@router.get("/niches/{region}", dependencies=[anonymous_limit])
def niche_list(
    request: Request,
    region: str,
    cluster: int | None = None,
    chosen: dict = Depends(weights),
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    if not ready(request, session, service.ranking_job(region, cluster)):
        return computing_page(request, user, "Ниши региона")
    ranking = service.rank_niches(session, region, cluster, chosen)
    return render(
        request,
        "niches/list.html",
        user,
        r=ranking,
        regions=reference.list_regions(session),
        clusters=service.region_clusters(session, region),
        query=str(request.url.query),
        chart={
            "constants": chart,
            "bubbles": chart.bubbles(ranking.niches),
            "x_of": chart.x_of,
            "y_of": chart.y_of,
        },
    )


@router.get("/niches/{region}/{group}", dependencies=[anonymous_limit])
def niche_page(
    request: Request,
    region: str,
    group: str,
    cluster: int | None = None,
    chosen: dict = Depends(weights),
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    if not ready(request, session, service.ranking_job(region, cluster)):
        return computing_page(request, user, "Ниша региона")
    detail = service.niche_detail(session, region, group, cluster, chosen)
    return render(request, "niches/detail.html", user, d=detail, query=str(request.url.query))
