"""REST API of discovery: a region's specialisations and candidate clusters, a cluster's
potential participants (read, and add to the pipeline), and its membership funnel."""

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.discovery import participants, pipeline, schemas, service, specialisation
from promcluster.web.deps import db_session, login_required
from promcluster.web.limits import SHORT_CHARS, Code, Id, Line
from promcluster.web.ratelimit import anonymous_limit

router = APIRouter(prefix="/api/v1", tags=["discovery"])


@router.get(
    "/discover/{region}",
    response_model=schemas.DiscoveryOut,
    operation_id="discover",
    dependencies=[anonymous_limit],
)
def discover(
    region: Code,
    level: int = Query(4, ge=2, le=4, description="уровень ОКВЭД2: 2, 3 или 4 знака"),
    measure: str = Query(
        "employees", max_length=SHORT_CHARS, description="employees, count или revenue"
    ),
    against: list[Line] = Query(
        [],
        max_length=100,
        description="регионы сравнения (коды, можно через запятую); без них — вся страна",
    ),
    since: int | None = Query(
        None, ge=1900, le=2100, description="рост: с года (по умолчанию — первый в данных)"
    ),
    until: int | None = Query(
        None, ge=1900, le=2100, description="рост: по год (по умолчанию — последний)"
    ),
    reference: str | None = Query(
        None,
        max_length=20,
        description="база сравнения: official (данные Росстата, ЕМИСС) или register (реестр); "
        "по умолчанию — official, если официальная статистика загружена",
    ),
    session: Session = db_session,
):
    """Specialisations (location quotients against the country or the ``against`` regions, from
    official statistics or the register, with their growth) and candidate clusters."""
    options = specialisation.Options(
        level, measure, specialisation.regions_of(against), since, until, reference
    )
    return schemas.discovery_out(service.discover(session, region, options))


@router.get(
    "/clusters/{cluster_id}/prospects",
    response_model=list[schemas.ProspectOut],
    operation_id="cluster_prospects",
    dependencies=[anonymous_limit],
)
def prospects(
    cluster_id: Id,
    limit: int = Query(participants.LIMIT, ge=1, le=500),
    neighbours: bool | None = Query(
        None, description="искать и в соседних регионах (по умолчанию — для межрегиональных)"
    ),
    session: Session = db_session,
):
    """Potential participants ranked by fit, each with its reasons."""
    found = participants.prospects(session, cluster_id, limit, neighbours)
    return [schemas.prospect_out(p) for p in found]


@router.post(
    "/clusters/{cluster_id}/prospects",
    response_model=list[schemas.MembershipAdded],
    status_code=201,
    operation_id="add_cluster_prospects",
)
def add_prospects(
    cluster_id: Id,
    body: schemas.ProspectsAdd,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """Add the chosen enterprises as potential participants, all or none."""
    added = pipeline.add_prospects(session, user, cluster_id, body.enterprise_ids, body.role)
    return [schemas.MembershipAdded.model_validate(m, from_attributes=True) for m in added]


@router.get(
    "/clusters/{cluster_id}/funnel", response_model=schemas.FunnelOut, operation_id="cluster_funnel"
)
def funnel(cluster_id: Id, session: Session = db_session):
    """The membership funnel by month and the conversion potential → applicant → member."""
    return schemas.funnel_out(pipeline.funnel(session, cluster_id))
