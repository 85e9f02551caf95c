"""REST API of the registry under ``/api/v1``: list, read, create, update and delete."""

from functools import partial

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy.orm import Session

from promcluster.labels import (
    CLUSTER_STATUSES,
    MEMBERSHIP_ROLES,
    MEMBERSHIP_STATUSES,
    PROJECT_STATUSES,
    choice,
)
from promcluster.reference import service as reference
from promcluster.reference.models import Region
from promcluster.registry import maps, queries, schemas, service
from promcluster.registry.models import Cluster, Enterprise, InvestmentProject, Membership
from promcluster.web.crud import crud_routes
from promcluster.web.deps import db_session
from promcluster.web.limits import Code, Id, Search

router = APIRouter(prefix="/api/v1")


class ClusterFilter(BaseModel):
    q: Search | None = None
    region: Code | None = None
    status: choice(CLUSTER_STATUSES) | None = None
    specialisation: Code | None = None


class EnterpriseFilter(BaseModel):
    q: Search | None = None
    region: Code | None = None
    okved: Code | None = None
    cluster_id: Id | None = None


class MembershipFilter(BaseModel):
    cluster_id: Id | None = None
    enterprise_id: Id | None = None
    status: choice(MEMBERSHIP_STATUSES) | None = None
    role: choice(MEMBERSHIP_ROLES) | None = None


class ProjectFilter(BaseModel):
    cluster_id: Id | None = None
    chain_id: Id | None = None
    status: choice(PROJECT_STATUSES) | None = None


crud_routes(
    router,
    "/clusters",
    tag="Кластеры",
    model=Cluster,
    filters=ClusterFilter,
    query=queries.cluster_query,
    create_in=schemas.ClusterIn,
    patch_in=schemas.ClusterPatch,
    out=schemas.ClusterOut,
    create=service.create_cluster,
    update=service.update_cluster,
    delete=service.delete_cluster,
)
crud_routes(
    router,
    "/enterprises",
    tag="Предприятия",
    model=Enterprise,
    filters=EnterpriseFilter,
    query=queries.enterprise_query,
    create_in=schemas.EnterpriseIn,
    patch_in=schemas.EnterprisePatch,
    out=schemas.EnterpriseOut,
    create=service.create_enterprise,
    update=service.update_enterprise,
    delete=service.delete_enterprise,
)
for _path, _tag, _model, _filter, _query, _in, _patch, _out in (
    (
        "/memberships",
        "Участие в кластерах",
        Membership,
        MembershipFilter,
        queries.membership_query,
        schemas.MembershipIn,
        schemas.MembershipPatch,
        schemas.MembershipOut,
    ),
    (
        "/projects",
        "Инвестиционные проекты",
        InvestmentProject,
        ProjectFilter,
        queries.project_query,
        schemas.ProjectIn,
        schemas.ProjectPatch,
        schemas.ProjectOut,
    ),
):
    crud_routes(
        router,
        _path,
        tag=_tag,
        model=_model,
        filters=_filter,
        query=_query,
        create_in=_in,
        patch_in=_patch,
        out=_out,
        create=partial(service.create_record, model=_model),
        update=partial(service.update_record, model=_model),
        delete=partial(service.delete_record, model=_model),
    )


class RegionOut(BaseModel):
    code: str
    name: str
    federal_district: str
    capital: str
    lat: float
    lon: float


@router.get("/regions", response_model=list[RegionOut], tags=["Справочники"])
def list_regions(session: Session = db_session) -> list[Region]:
    return reference.list_regions(session)


@router.get("/stats", tags=["Сводка"])
def stats(session: Session = db_session) -> dict:
    """The platform's headline figures."""
    return queries.platform_figures(session).__dict__


@router.get("/map", tags=["Карта"])
def map_points(session: Session = db_session) -> dict:
    """GeoJSON points of clusters and enterprises."""
    return maps.map_features(session)
