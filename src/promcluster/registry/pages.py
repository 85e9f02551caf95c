"""HTML pages of the registry: home, clusters, enterprises, regions, map, edit forms."""

import json
from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from promcluster import records
from promcluster.auth.models import User
from promcluster.auth.permissions import allowed, require_admin, require_cluster, require_creator
from promcluster.chains import queries as chain_queries
from promcluster.errors import InvalidField
from promcluster.pagination import paginate
from promcluster.pickers.forms import picked_data
from promcluster.pickers.service import PickedForm, Picker, read_form, shown
from promcluster.procurement.queries import customer_purchases
from promcluster.reference import outlines
from promcluster.reference import service as reference
from promcluster.registry import maps, queries, schemas, service
from promcluster.registry.models import Cluster, Enterprise, Membership
from promcluster.web.deps import check_form_csrf, current_user, db_session, login_required
from promcluster.web.forms import field_errors, render, status_form

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
CLUSTER_PICKERS = [
    Picker("region_codes", "region", "Регионы", multiple=True),
    Picker("specialisation", "okved", "Специализация (виды деятельности ОКВЭД2)", multiple=True),
    Picker("specialised_org_id", "enterprise", "Специализированная организация"),
]
MEMBER_PICKERS = [Picker("enterprise_id", "enterprise", "Предприятие")]
ENTERPRISE_PICKERS = [
    Picker("okved_main", "okved", "Основной вид деятельности (ОКВЭД2)"),
    Picker("okved_extra", "okved", "Дополнительные виды деятельности (ОКВЭД2)", multiple=True),
]


@router.get("/")
def home(
    request: Request,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    return render(
        request,
        "home.html",
        user,
        figures=queries.platform_figures(session),
        clusters=queries.all_clusters(session),
        regions=queries.regions_with_clusters(session),
        national=queries.national_figures(session),
    )


@router.get("/clusters")
def cluster_list(
    request: Request,
    q: str | None = None,
    region: str | None = None,
    status: str | None = None,
    specialisation: str | None = None,
    page: int = 1,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    filters = {
        "q": q,
        "region": region or None,
        "status": status or None,
        "specialisation": specialisation or None,
    }
    result = paginate(session, queries.cluster_query(**filters), max(page, 1), PER_PAGE)
    return render(
        request,
        "clusters/list.html",
        user,
        result=result,
        member_counts=queries.member_counts(session, [c.id for c in result.items]),
        filters=filters,
        regions=queries.regions_with_clusters(session),
    )


@router.get("/clusters/new")
def cluster_new_form(
    request: Request, session: Session = db_session, user: User = Depends(login_required)
):
    """The form of a new cluster: administrators only, as ``POST /api/v1/clusters``."""
    require_admin(user)
    return _cluster_form(request, session, user, Cluster(), shown(session, CLUSTER_PICKERS, {}))


@router.post("/clusters/new", dependencies=[Depends(check_form_csrf)])
async def cluster_new(
    request: Request, session: Session = db_session, user: User = Depends(login_required)
):
    require_admin(user)
    picked = read_form(session, await request.form(), CLUSTER_PICKERS)
    try:
        data = picked_data(picked, schemas.ClusterIn, lists=_CLUSTER_LISTS)
        with session.begin_nested():
            cluster = service.create_cluster(session, user, data)
    except (InvalidField, ValidationError) as exc:
        return _cluster_form(
            request, session, user, Cluster(), picked, field_errors(exc), dict(picked.form)
        )
    return RedirectResponse(f"/clusters/{cluster.id}", status_code=303)


@router.get("/clusters/{cluster_id}")
def cluster_page(
    request: Request,
    cluster_id: int,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    return _cluster_page(request, session, user, cluster_id)


def _cluster_page(
    request: Request,
    session: Session,
    user: User | None,
    cluster_id: int,
    member_picked: PickedForm | None = None,
    member_errors: dict[str, str] | None = None,
):
    """A cluster's profile; with the add-member form's errors when it was refused."""
    profile = queries.cluster_profile(session, cluster_id)
    return render(
        request,
        "clusters/profile.html",
        user,
        422 if member_errors else 200,
        p=profile,
        chains=chain_queries.chain_summaries(session, cluster_id, profile.chain_figures),
        points_json=json.dumps(profile.points, ensure_ascii=False),
        can_edit=user is not None and allowed(require_cluster, user, cluster_id),
        can_create=user is not None and allowed(require_admin, user),
        member_pickers=MEMBER_PICKERS,
        member_picked=member_picked or shown(session, MEMBER_PICKERS, {}),
        member_errors=member_errors or {},
    )


@router.get("/enterprises")
def enterprise_list(
    request: Request,
    q: str | None = None,
    region: str | None = None,
    okved: str | None = None,
    page: int = 1,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    filters = {"q": q, "region": region or None, "okved": okved or None}
    result = paginate(session, queries.enterprise_query(**filters), max(page, 1), PER_PAGE)
    return render(
        request,
        "enterprises/list.html",
        user,
        result=result,
        filters=filters,
        regions=reference.list_regions(session),
    )


@router.get("/enterprises/new")
def enterprise_new_form(
    request: Request, session: Session = db_session, user: User = Depends(login_required)
):
    require_creator(user)
    return _enterprise_form(request, session, user, Enterprise())


@router.post("/enterprises/new", dependencies=[Depends(check_form_csrf)])
async def enterprise_new(
    request: Request, session: Session = db_session, user: User = Depends(login_required)
):
    picked = read_form(session, await request.form(), ENTERPRISE_PICKERS)
    try:
        data = picked_data(picked, schemas.EnterpriseIn, lists=("okved_extra",))
        with session.begin_nested():
            enterprise = service.create_enterprise(session, user, data)
    except (InvalidField, ValidationError) as exc:
        errors, values = field_errors(exc), dict(picked.form)
        return _enterprise_form(request, session, user, Enterprise(), errors, values, picked)
    return RedirectResponse(f"/enterprises/{enterprise.id}", status_code=303)


@router.get("/enterprises/{enterprise_id}")
def enterprise_page(
    request: Request,
    enterprise_id: int,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    enterprise = records.get(session, Enterprise, enterprise_id)
    point = maps.enterprise_point(enterprise)
    return render(
        request,
        "enterprises/card.html",
        user,
        e=enterprise,
        point=point,
        points_json=json.dumps([point], ensure_ascii=False),
        can_edit=user is not None and allowed(service.require_enterprise_access, user, enterprise),
        trade=queries.enterprise_trade(session, enterprise_id) if user else None,
        figures=queries.enterprise_figures(session, enterprise_id),
        purchases=customer_purchases(session, enterprise_id),  # public: ЕИС open data
        today=date.today(),  # a registry entry past its validity is shown as expired
    )


@router.get("/regions")
def region_list(
    request: Request,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    return render(
        request,
        "regions/list.html",
        user,
        regions=reference.list_regions(session),
        with_clusters=dict((r.code, n) for r, n in queries.regions_with_clusters(session)),
    )


@router.get("/regions/{code}")
def region_page(
    request: Request,
    code: str,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    profile = queries.region_profile(session, code)
    enterprises = queries.region_enterprises(session, code)
    points = [maps.enterprise_point(e) for e in enterprises]
    return render(
        request,
        "regions/page.html",
        user,
        p=profile,
        enterprises=enterprises,
        points_json=json.dumps(points, ensure_ascii=False),
    )


@router.get("/map")
def map_page(
    request: Request,
    user: User | None = Depends(current_user),
    session: Session = db_session,
):
    with_clusters = {r.code for r, _ in queries.regions_with_clusters(session)}
    labels = [
        {
            "code": r.code,
            "name": r.short_name,
            "lat": r.lat,
            "lon": r.lon,
            "clusters": r.code in with_clusters,
        }
        for r in reference.list_regions(session)
    ]
    return render(request, "map.html", user, labels_json=json.dumps(labels, ensure_ascii=False))


@router.get("/map/regions.geojson")
def region_outlines() -> FileResponse:
    return FileResponse(reference.region_outlines_path(), media_type="application/geo+json")


@router.get("/map/outlines.geojson")
def map_outlines(
    focus: list[str] = Query(default=[]),
    session: Session = db_session,
) -> JSONResponse:
    """Public, like the maps: simplified outlines and labels of the regions in view of a map of
    the regions ``focus`` (every region, coarser, without it); see reference/outlines.py."""
    return JSONResponse(
        outlines.map_regions(session, focus),
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=3600"},
    )


# Edit forms: the same services and schemas as the API, with errors shown beside the fields.


_CLUSTER_LISTS = ("region_codes", "specialisation")


def _cluster_form(
    request: Request,
    session: Session,
    user: User,
    cluster: Cluster,
    picked: PickedForm,
    errors: dict[str, str] | None = None,
    values: dict | None = None,
):
    """The cluster form (new when ``cluster.id`` is None), with errors if any."""
    return render(
        request,
        "clusters/edit.html",
        user,
        422 if errors else 200,
        c=cluster,
        errors=errors or {},
        values=values,
        pickers=CLUSTER_PICKERS,
        picked=picked,
    )


@router.get("/clusters/{cluster_id}/edit")
def cluster_edit_form(
    request: Request,
    cluster_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    cluster = records.get(session, Cluster, cluster_id)
    require_cluster(user, cluster_id)
    stored = {
        "region_codes": cluster.region_codes,
        "specialisation": [o.code for o in cluster.specialisation],
        "specialised_org_id": cluster.specialised_org_id,
    }
    return _cluster_form(request, session, user, cluster, shown(session, CLUSTER_PICKERS, stored))


@router.post("/clusters/{cluster_id}/edit", dependencies=[Depends(check_form_csrf)])
async def cluster_edit(
    request: Request,
    cluster_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    picked = read_form(session, await request.form(), CLUSTER_PICKERS)
    try:
        data = picked_data(picked, schemas.ClusterPatch, lists=_CLUSTER_LISTS)
        with session.begin_nested():
            service.update_cluster(session, user, cluster_id, data)
    except (InvalidField, ValidationError) as exc:
        cluster = records.get(session, Cluster, cluster_id)
        return _cluster_form(
            request, session, user, cluster, picked, field_errors(exc), dict(picked.form)
        )
    return RedirectResponse(f"/clusters/{cluster_id}", status_code=303)


def _enterprise_form(
    request: Request,
    session: Session,
    user: User,
    enterprise: Enterprise,
    errors: dict[str, str] | None = None,
    values: dict | None = None,
    picked: PickedForm | None = None,
):
    """The enterprise card form (new when ``enterprise.id`` is None), with errors if any."""
    stored = {"okved_main": enterprise.okved_main, "okved_extra": enterprise.okved_extra or []}
    return render(
        request,
        "enterprises/edit.html",
        user,
        422 if errors else 200,
        e=enterprise,
        errors=errors or {},
        values=values,
        regions=reference.list_regions(session),
        pickers=ENTERPRISE_PICKERS,
        picked=picked or shown(session, ENTERPRISE_PICKERS, stored),
    )


@router.get("/enterprises/{enterprise_id}/edit")
def enterprise_edit_form(
    request: Request,
    enterprise_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    enterprise = records.get(session, Enterprise, enterprise_id)
    service.require_enterprise_access(user, enterprise)
    return _enterprise_form(request, session, user, enterprise)


@router.post("/enterprises/{enterprise_id}/edit", dependencies=[Depends(check_form_csrf)])
async def enterprise_edit(
    request: Request,
    enterprise_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    picked = read_form(session, await request.form(), ENTERPRISE_PICKERS)
    try:
        data = picked_data(picked, schemas.EnterprisePatch, lists=("okved_extra",))
        with session.begin_nested():
            service.update_enterprise(session, user, enterprise_id, data)
    except (InvalidField, ValidationError) as exc:
        enterprise = records.get(session, Enterprise, enterprise_id)
        errors, values = field_errors(exc), dict(picked.form)
        return _enterprise_form(request, session, user, enterprise, errors, values, picked)
    return RedirectResponse(f"/enterprises/{enterprise_id}", status_code=303)


@router.post("/clusters/{cluster_id}/members", dependencies=[Depends(check_form_csrf)])
async def add_member(
    request: Request,
    cluster_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    picked = read_form(session, await request.form(), MEMBER_PICKERS)
    try:
        data = picked_data(picked, schemas.MembershipIn, fixed={"cluster_id": cluster_id})
        with session.begin_nested():
            service.create_record(session=session, user=user, model=Membership, data=data)
    except (InvalidField, ValidationError) as exc:
        return _cluster_page(request, session, user, cluster_id, picked, field_errors(exc))
    return RedirectResponse(f"/clusters/{cluster_id}#members", status_code=303)


@router.post("/memberships/{membership_id}/status", dependencies=[Depends(check_form_csrf)])
async def change_member_status(
    request: Request,
    membership_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    body = await status_form(request, schemas.MembershipPatch)
    membership = service.update_record(
        session=session,
        user=user,
        model=Membership,
        id_=membership_id,
        data=body.model_dump(exclude_unset=True),
    )
    return RedirectResponse(f"/clusters/{membership.cluster_id}#members", status_code=303)
