"""HTML pages of discovery: a region's specialisations and candidate clusters on a map, one
candidate's firms, and a cluster's potential participants with the add-to-pipeline form and the
funnel."""

import json

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from promcluster import labels
from promcluster.auth.models import User
from promcluster.auth.permissions import allowed, require_cluster
from promcluster.discovery import participants, pipeline, service, specialisation
from promcluster.errors import InvalidField
from promcluster.indicators.chart import bar_chart, bubble_chart
from promcluster.records import get
from promcluster.reference import service as reference
from promcluster.registry.models import Cluster
from promcluster.russian import number, signed_percent
from promcluster.web.computing import computing_page, ready
from promcluster.web.deps import check_form_csrf, current_user, db_session, login_required
from promcluster.web.forms import render
from promcluster.web.ratelimit import anonymous_limit

router = APIRouter(include_in_schema=False)
DEFAULT_REGION = "72"


def options(
    level: int = 4,
    measure: str = "employees",
    against: list[str] = Query([]),
    since: str | None = None,
    until: str | None = None,
    reference: str | None = Query(None, max_length=20),
) -> specialisation.Options:
    """The view's options from the query string (an empty year or reference field means «by
    default»)."""
    years = {}
    for name, text in (("since", since), ("until", until)):
        try:
            years[name] = int(text) if text and text.strip() else None
        except ValueError:
            raise InvalidField(name, "год — целое число, например 2024") from None
    codes = specialisation.regions_of(against)
    return specialisation.Options(level, measure, codes, **years, reference=reference or None)


@router.get("/discover")
def discover_home(request: Request, region: str | None = None):
    query = "&".join(f"{k}={v}" for k, v in request.query_params.multi_items() if k != "region")
    target = f"/discover/{region or DEFAULT_REGION}" + (f"?{query}" if query else "")
    return RedirectResponse(target, status_code=307)


@router.get("/discover/{region}", dependencies=[anonymous_limit])
def discover_page(
    request: Request,
    region: str,
    chosen: specialisation.Options = Depends(options),
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    if not ready(request, session, service.discovery_job(region, chosen)):
        return computing_page(request, user, "Поиск кластеров в регионе")
    found = service.discover(session, region, chosen)
    shapes = [
        {
            "number": c.number,
            "name": c.seed_name or c.seed,
            "centre": c.centre,
            "outline": c.outline,
            "firms": c.firms,
            "existing": [e.name for e in c.existing],
        }
        for c in found.candidates
    ]
    return render(
        request,
        "discovery/region.html",
        user,
        d=found,
        official_loaded=found.official is not None
        or specialisation.national_reference(session) is not None,
        portfolio=portfolio(found),
        regions=reference.list_regions(session),
        shapes_json=json.dumps(shapes, ensure_ascii=False),
        centre=f"{found.region.lat},{found.region.lon}",
    )


@router.get("/discover/{region}/candidates/{number}", dependencies=[anonymous_limit])
def candidate_page(
    request: Request,
    region: str,
    number: int,
    chosen: specialisation.Options = Depends(options),
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    found, candidate, firms = service.candidate(session, region, number, chosen)
    return render(request, "discovery/candidate.html", user, d=found, c=candidate, firms=firms)


def portfolio(d: service.Discovery):
    """The region's specialisations by LQ (x) and growth (y), sized by the measure, the way the
    U.S. Cluster Mapping portfolio draws them (None without growth)."""
    items = [
        (s.code, f"{s.code} {s.name or ''}: LQ {number(s.lq, 2)}, "
         f"рост {signed_percent(s.growth)}", s.lq, s.growth, s.value)
        for s in d.specialisations
        if s.growth is not None and s.lq > 0
    ]  # fmt: skip
    if not items or d.growth_years is None:
        return None
    years = f"{d.growth_years[0]}–{d.growth_years[1]}"
    return bubble_chart(items, "коэффициент локализации (логарифмическая шкала)", f"рост {years}")


def funnel_chart(f: pipeline.Funnel):
    """Bars of the cohort that entered potential and how many of it went further."""
    counts = {
        "potential": f.potential,
        "applicant": f.reached_applicant,
        "member": f.reached_member,
    }
    items = [(labels.FUNNEL_STAGES[k], n, number(n), k) for k, n in counts.items()]
    return bar_chart(items)


def _prospects_page(
    request: Request,
    session: Session,
    user: User | None,
    cluster_id: int,
    neighbours: bool | None,
    error: str | None = None,
    added: int | None = None,
):
    cluster = get(session, Cluster, cluster_id)
    found = participants.prospects(session, cluster_id, participants.LIMIT, neighbours)
    scope = participants.scope(session, cluster, neighbours)
    f = pipeline.funnel(session, cluster_id)
    return render(
        request,
        "discovery/prospects.html",
        user,
        status_code=422 if error else 200,
        cluster=cluster,
        prospects=found,
        scope=scope,
        funnel=f,
        chart=funnel_chart(f),
        neighbours=neighbours,
        can_edit=user is not None and allowed(require_cluster, user, cluster_id),
        error=error,
        added=added,
    )


@router.get("/clusters/{cluster_id}/prospects", dependencies=[anonymous_limit])
def prospects_page(
    request: Request,
    cluster_id: int,
    neighbours: bool | None = None,
    added: int | None = None,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    return _prospects_page(request, session, user, cluster_id, neighbours, added=added)


@router.post("/clusters/{cluster_id}/prospects", dependencies=[Depends(check_form_csrf)])
async def add_prospects(
    request: Request,
    cluster_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    form = await request.form()
    chosen = [str(v) for v in form.getlist("enterprise_id")]
    try:
        ids = [int(v) for v in chosen]
        with session.begin_nested():
            pipeline.add_prospects(session, user, cluster_id, ids)
    except ValueError:
        error = "идентификатор предприятия должен быть числом"
    except InvalidField as exc:
        error = exc.message
    else:
        return RedirectResponse(
            f"/clusters/{cluster_id}/prospects?added={len(set(ids))}", status_code=303
        )
    return _prospects_page(request, session, user, cluster_id, None, error=error)
