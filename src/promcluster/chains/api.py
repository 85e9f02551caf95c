"""Chains REST API: a cluster's supply graph (JSON, GraphML, Excel) and the chain designer
(stages, assigned suppliers, candidates, the summary of a chain)."""

from datetime import date
from functools import partial

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.chains import designer, downloads, queries, schemas, service
from promcluster.chains.models import Chain, ChainStage
from promcluster.matching.scoring import TOP
from promcluster.records import get
from promcluster.registry import service as registry
from promcluster.web.crud import crud_routes
from promcluster.web.deps import db_session, login_required
from promcluster.web.limits import Id, Version

router = APIRouter(prefix="/api/v1")


class ChainFilter(BaseModel):
    cluster_id: Id | None = None


# A chain is a record of its cluster: written as the registry writes memberships and projects.
crud_routes(
    router,
    "/chains",
    tag="Кооперационные цепочки",
    model=Chain,
    filters=ChainFilter,
    query=queries.chain_query,
    create_in=schemas.ChainIn,
    patch_in=schemas.ChainPatch,
    out=schemas.ChainOut,
    create=partial(registry.create_record, model=Chain),
    update=partial(registry.update_record, model=Chain),
    delete=partial(registry.delete_record, model=Chain),
)
GRAPH_TAG, DESIGN_TAG = "Граф поставок", "Конструктор цепочек"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Year = Query(None, ge=1900, le=2100, description="год поставок; по умолчанию — последний")
AsOf = Query(None, description="дата состава кластера; по умолчанию — сегодня")


def _download(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/clusters/{cluster_id}/graph", response_model=schemas.GraphOut, tags=[GRAPH_TAG])
def cluster_graph(
    cluster_id: Id,
    year: int | None = Year,
    as_of: date | None = AsOf,
    session: Session = db_session,
) -> dict:
    """Members as nodes, supplies of one year as edges, the cooperation share."""
    return downloads.graph_record(downloads.cluster_graph(session, cluster_id, as_of, year))


@router.get("/clusters/{cluster_id}/graph.graphml", response_class=Response, tags=[GRAPH_TAG])
def cluster_graph_graphml(
    cluster_id: Id,
    year: int | None = Year,
    as_of: date | None = AsOf,
    session: Session = db_session,
) -> Response:
    """The same graph as GraphML (Gephi, yEd)."""
    g = downloads.cluster_graph(session, cluster_id, as_of, year)
    return _download(
        downloads.graphml(g), "application/graphml+xml", f"cluster-{cluster_id}-graph.graphml"
    )


@router.get("/clusters/{cluster_id}/graph.xlsx", response_class=Response, tags=[GRAPH_TAG])
def cluster_graph_xlsx(
    cluster_id: Id,
    year: int | None = Year,
    as_of: date | None = AsOf,
    session: Session = db_session,
) -> Response:
    """The same graph as an Excel workbook: nodes and edges sheets."""
    g = downloads.cluster_graph(session, cluster_id, as_of, year)
    return _download(downloads.workbook(g), XLSX, f"cluster-{cluster_id}-graph.xlsx")


@router.get("/chains/{chain_id}/stages", response_model=list[schemas.StageOut], tags=[DESIGN_TAG])
def list_stages(chain_id: Id, session: Session = db_session) -> list[ChainStage]:
    """The stages of a chain in order, with their assigned suppliers."""
    return list(get(session, Chain, chain_id).stages)


@router.post(
    "/chains/{chain_id}/stages", response_model=schemas.StageOut, status_code=201, tags=[DESIGN_TAG]
)
def create_stage(
    chain_id: Id,
    body: schemas.StageIn,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> ChainStage:
    """Add a stage: an input product (OKPD2) of the chain."""
    return service.create_stage(session, user, chain_id, body.model_dump(exclude_unset=True))


@router.get("/stages/{stage_id}", response_model=schemas.StageOut, tags=[DESIGN_TAG])
def get_stage(stage_id: Id, session: Session = db_session) -> ChainStage:
    return get(session, ChainStage, stage_id)


@router.patch("/stages/{stage_id}", response_model=schemas.StageOut, tags=[DESIGN_TAG])
def update_stage(
    stage_id: Id,
    body: schemas.StagePatch,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> ChainStage:
    """Change a stage (``version`` as read; a stale one is refused with 409)."""
    return service.update_stage(session, user, stage_id, body.model_dump(exclude_unset=True))


@router.delete("/stages/{stage_id}", status_code=204, tags=[DESIGN_TAG])
def delete_stage(
    stage_id: Id,
    version: Version | None = Query(None, description="версия этапа, прочитанная перед удалением"),
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Response:
    """Remove a stage with its assigned suppliers."""
    service.delete_stage(session, user, stage_id, version)
    return Response(status_code=204)


@router.post(
    "/stages/{stage_id}/suppliers",
    response_model=schemas.SupplierOut,
    status_code=201,
    tags=[DESIGN_TAG],
)
def assign_supplier(
    stage_id: Id,
    body: schemas.SupplierIn,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """Assign an enterprise to supply the stage."""
    return service.assign_supplier(session, user, stage_id, body.enterprise_id, body.note)


@router.delete("/stage-suppliers/{supplier_id}", status_code=204, tags=[DESIGN_TAG])
def remove_supplier(
    supplier_id: Id,
    version: Version | None = Query(None, description="версия записи, прочитанная перед удалением"),
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Response:
    """Take an assigned supplier off its stage."""
    service.remove_supplier(session, user, supplier_id, version)
    return Response(status_code=204)


@router.get(
    "/stages/{stage_id}/candidates", response_model=list[schemas.CandidateOut], tags=[DESIGN_TAG]
)
def stage_candidates(
    stage_id: Id, limit: int = Query(TOP, ge=1, le=100), session: Session = db_session
) -> list[dict]:
    """Candidate suppliers: the cluster's participants, the region, elsewhere; with reasons."""
    stage = get(session, ChainStage, stage_id)
    return [_candidate(c) for c in designer.stage_candidates(session, stage, limit)]


@router.get("/chains/{chain_id}/design", response_model=schemas.DesignOut, tags=[DESIGN_TAG])
def chain_design(
    chain_id: Id,
    candidates: bool = Query(True, description="считать кандидатов в регионе для разрывов"),
    session: Session = db_session,
) -> dict:
    """The whole summary of a chain: stages, coverage, gaps, import dependence, money."""
    d = designer.chain_design(session, chain_id, designer.SHOWN if candidates else 0)
    return design_record(d, candidates)


def _candidate(c: designer.StageCandidate) -> dict:
    x = c.candidate
    return {
        **{k: getattr(x, k) for k in ("enterprise_id", "name", "region_code", "region_name")},
        **{k: getattr(x, k) for k in ("tier", "score", "distance_km", "sources", "reasons")},
        "synthetic": x.synthetic,
        "in_region": c.in_region,
        "assigned": c.assigned,
    }


def design_record(d: designer.ChainDesign, with_candidates: bool = True) -> dict:
    """The designer's summary as plain values (the API's shape)."""
    s, dep = d.summary, d.dependence
    return {
        "chain_id": d.chain.id,
        "cluster_id": d.chain.cluster_id,
        "name": d.chain.name,
        "status": d.chain.status,
        "products": d.chain.products,
        "region_codes": d.region_codes,
        "coverage": {
            "stages": d.coverage.stages,
            "covered": d.coverage.covered,
            "gaps": d.coverage.gaps,
            "share": d.coverage.share,
        },
        "dependence": {
            **{k: getattr(dep, k) for k in ("total", "assessed", "outside", "imported")},
            "outside_share": dep.outside_share,
            "import_share": dep.import_share,
            "unknown_stages": dep.unknown,
            "synthetic": dep.synthetic,
        },
        "money": {
            "projects": len(s.projects),
            "amount": s.amount,
            "by_status": s.amount_by_status,
            "unknown_amounts": s.unknown_amounts,
        },
        "declared": [
            {
                "indicator": f.indicator,
                "value": f.value,
                "unit": f.unit,
                "qualifier": f.qualifier,
                "source": f.source.title,
                "quote": f.quote,
            }
            for f in s.declared
        ],
        "stages": [_stage(x, with_candidates) for x in d.stages],
    }


def _stage(x: designer.StageDesign, with_candidates: bool) -> dict:
    st = x.stage
    return {
        **{k: getattr(st, k) for k in ("id", "version", "position", "okpd2_code", "name", "note")},
        "product": st.product.name,
        "covered": x.coverage.covered,
        "covered_by_suppliers": [s.enterprise_id for s in x.coverage.suppliers],
        "covered_by_projects": [p.id for p in x.coverage.projects],
        "in_region_candidates": x.in_region_candidates if with_candidates else None,
        "suppliers": [
            {
                "id": s.id,
                "version": s.version,
                "enterprise_id": s.enterprise_id,
                "name": s.enterprise.name,
                "region_code": s.enterprise.region_code,
                "in_region": here,
            }
            for s, here in x.suppliers
        ],
        "projects": [
            {"id": p.id, "name": p.name, "status": p.status, "amount": p.amount}
            for p in st.projects
        ],
        "purchase": {k: getattr(x.purchase, k) for k in ("value", "outside", "imported", "basis")},
    }
