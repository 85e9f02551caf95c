"""REST API of niches under ``/api/v1/niches``: the ranking of a region, one niche's buyers and
candidate producers, and its investment passport."""

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from promcluster.errors import InvalidField
from promcluster.niches import exports, service
from promcluster.niches.schemas import (
    BuyerOut,
    CandidateOut,
    ContractsOut,
    DetailOut,
    NicheOut,
    RankingOut,
    RegionShareOut,
    RelatedOut,
)
from promcluster.procurement.queries import NicheBuyer
from promcluster.web.computing import COMPUTING_RESPONSE, computing_json, ready
from promcluster.web.deps import db_session
from promcluster.web.limits import Code, Id
from promcluster.web.ratelimit import anonymous_limit

router = APIRouter(prefix="/api/v1/niches", tags=["niches"], dependencies=[anonymous_limit])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Weight = Annotated[float | None, Query(ge=0, le=10)]


QUERY = {"region", "cluster", "top", *service.WEIGHTS}


def weights(
    request: Request,
    demand: Weight = None,
    feasibility: Weight = None,
    attractiveness: Weight = None,
) -> dict[str, float]:
    """The score's weights from the query (defaults: demand 0.4, feasibility 0.4,
    attractiveness 0.2); a misspelt parameter is refused rather than silently ignored."""
    for name in request.query_params:
        if name not in QUERY:
            raise InvalidField(name, f"неизвестный параметр; допустимы: {', '.join(sorted(QUERY))}")
    return service.parse_weights(
        {"demand": demand, "feasibility": feasibility, "attractiveness": attractiveness}
    )


@router.get("", response_model=RankingOut, responses=COMPUTING_RESPONSE)
def niche_ranking(
    request: Request,
    region: Code,
    cluster: Id | None = None,
    top: Annotated[int | None, Query(ge=1, le=1000)] = None,
    chosen: dict = Depends(weights),
    session: Session = db_session,
) -> Any:
    """Niches of a region (or of one cluster's members' demand), best first. Right after a
    restart, while the ranking is still being computed: 202 ``{"state": "computing"}`` with
    ``Retry-After`` (ask again then)."""
    if not ready(request, session, service.ranking_job(region, cluster)):
        return computing_json()
    ranking = service.rank_niches(session, region, cluster, chosen)
    items = [
        NicheOut(**exports.niche_record(i, n)) for i, n in enumerate(ranking.niches[:top], start=1)
    ]
    return RankingOut(
        region=region,
        cluster=cluster,
        weights=ranking.weights,
        synthetic_data=ranking.synthetic,
        items=items,
    )


@router.get("/export.xlsx", response_class=Response)
def niche_ranking_xlsx(
    region: Code,
    cluster: Id | None = None,
    chosen: dict = Depends(weights),
    session: Session = db_session,
) -> Response:
    """The ranking as an Excel workbook (with a sheet explaining the method and weights)."""
    ranking = service.rank_niches(session, region, cluster, chosen)
    return _xlsx(lambda path: exports.write_ranking(ranking, path), f"niches-{region}.xlsx")


def _xlsx(write, name: str) -> Response:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write(path)
        content = path.read_bytes()
    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/{region}/{group}", response_model=DetailOut)
def niche_detail(
    region: Code,
    group: Code,
    cluster: Id | None = None,
    chosen: dict = Depends(weights),
    session: Session = db_session,
) -> DetailOut:
    """One niche: every component, its buyers and the region's candidate producers."""
    d = service.niche_detail(session, region, group, cluster, chosen)
    return DetailOut(
        region=region,
        niche=NicheOut(**exports.niche_record(d.rank, d.niche)),
        buyers=[
            BuyerOut(
                enterprise_id=b.enterprise_id,
                name=b.name,
                outside_rub=round(b.outside),
                imported_rub=round(b.imported),
                total_rub=round(b.total),
                sources=b.sources,
                supplier_regions=b.supplier_regions,
                synthetic=b.synthetic,
                procurement=_contracts(b.procurement),
            )
            for b in d.buyers
        ],
        candidates=[CandidateOut(**c.__dict__) for c in d.candidates],
        related=[RelatedOut(activity=a, name=n, proximity=p) for a, n, p in d.related],
    )


def _contracts(found: NicheBuyer | None) -> ContractsOut | None:
    if found is None:
        return None
    return ContractsOut(
        purchased_rub=round(found.value),
        contract_count=found.contract_count,
        contracts=found.contracts,
        supplier_regions=[
            RegionShareOut(code=r.code, name=r.name, share=round(r.share, 6)) for r in found.regions
        ],
        outside_share=None if found.outside_share is None else round(found.outside_share, 6),
    )


@router.get("/{region}/{group}/passport.xlsx", response_class=Response)
def niche_passport(
    region: Code,
    group: Code,
    cluster: Id | None = None,
    chosen: dict = Depends(weights),
    session: Session = db_session,
) -> Response:
    """The investment passport of a niche as an Excel workbook."""
    detail = service.niche_detail(session, region, group, cluster, chosen)
    return _xlsx(lambda path: exports.write_passport(detail, path), f"niche-{region}-{group}.xlsx")
