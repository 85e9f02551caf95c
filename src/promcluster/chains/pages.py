"""Chain designer and supply graph pages: the graph fragment of the cluster page, the designer
of one chain and its forms (add or remove a stage, assign or remove a supplier, attach a
project to a stage), and the forms creating a chain or an investment project of a cluster."""

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from promcluster import records
from promcluster.auth.models import User
from promcluster.auth.permissions import allowed, require_cluster
from promcluster.chains import designer, downloads, schemas, service
from promcluster.chains.models import Chain, ChainStage, StageSupplier
from promcluster.errors import InvalidField
from promcluster.labels import GRAPH_SHAPES
from promcluster.pickers.forms import picked_data
from promcluster.pickers.service import PickedForm, Picker, read_form, shown
from promcluster.registry import schemas as registry_schemas
from promcluster.registry import service as registry
from promcluster.registry.models import Cluster, InvestmentProject
from promcluster.web.deps import check_form_csrf, current_user, db_session, login_required
from promcluster.web.forms import field_errors, render

router = APIRouter(include_in_schema=False)
STAGE_PICKERS = [Picker("okpd2_code", "okpd2", "Входящая продукция (ОКПД2)")]


@router.get("/clusters/{cluster_id}/graph/summary")
def graph_summary(
    request: Request,
    cluster_id: int,
    year: int | None = None,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    g = downloads.cluster_graph(session, cluster_id, year=year)
    record = downloads.graph_record(g)
    values = [e["value"] for e in record["edges"] if e["value"]]
    elements = {
        "nodes": [{**n, "shape": GRAPH_SHAPES.get(n["role"], "ellipse")} for n in record["nodes"]],
        "edges": record["edges"],
        "max_value": max(values, default=0),
    }
    return render(
        request,
        "chains/_graph.html",
        user,
        g=g,
        record=record,
        elements_json=json.dumps(elements, ensure_ascii=False, default=str),
    )


def _design_page(
    request: Request,
    session: Session,
    user: User | None,
    chain_id: int,
    errors: dict[str, str] | None = None,
    values: dict | None = None,
    picked: PickedForm | None = None,
):
    d = designer.chain_design(session, chain_id)
    can_edit = user is not None and allowed(require_cluster, user, d.chain.cluster_id)
    return render(
        request,
        "chains/designer.html",
        user,
        422 if errors else 200,
        d=d,
        can_edit=can_edit,
        errors=errors or {},
        values=values or {},
        stage_pickers=STAGE_PICKERS,
        stage_picked=picked or shown(session, STAGE_PICKERS, {}),
    )


@router.get("/chains/{chain_id}")
def chain_page(
    request: Request,
    chain_id: int,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    return _design_page(request, session, user, chain_id)


@router.post("/chains/{chain_id}/stages", dependencies=[Depends(check_form_csrf)])
async def add_stage(
    request: Request,
    chain_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    picked = read_form(session, await request.form(), STAGE_PICKERS)
    try:
        data = picked_data(picked, schemas.StageIn)
        with session.begin_nested():
            stage = service.create_stage(session, user, chain_id, data)
    except (InvalidField, ValidationError) as exc:
        errors, values = field_errors(exc), dict(picked.form)
        return _design_page(request, session, user, chain_id, errors, values, picked)
    return RedirectResponse(f"/chains/{chain_id}#stage-{stage.id}", status_code=303)


@router.post("/stages/{stage_id}/delete", dependencies=[Depends(check_form_csrf)])
async def delete_stage(
    request: Request,
    stage_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    form = await request.form()
    chain_id = records.get(session, ChainStage, stage_id).chain_id
    service.delete_stage(session, user, stage_id, _version(form))
    return RedirectResponse(f"/chains/{chain_id}#stages", status_code=303)


@router.post("/stages/{stage_id}/suppliers", dependencies=[Depends(check_form_csrf)])
async def assign_supplier(
    request: Request,
    stage_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    form = await request.form()
    body = schemas.SupplierIn.model_validate({"enterprise_id": form.get("enterprise_id")})
    supplier = service.assign_supplier(session, user, stage_id, body.enterprise_id)
    return RedirectResponse(f"/chains/{supplier.stage.chain_id}#stage-{stage_id}", status_code=303)


@router.post("/stage-suppliers/{supplier_id}/delete", dependencies=[Depends(check_form_csrf)])
async def remove_supplier(
    request: Request,
    supplier_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    form = await request.form()
    records.get(session, StageSupplier, supplier_id)
    stage = service.remove_supplier(session, user, supplier_id, _version(form))
    return RedirectResponse(f"/chains/{stage.chain_id}#stage-{stage.id}", status_code=303)


@router.post(
    "/chains/{chain_id}/projects/{project_id}/stage", dependencies=[Depends(check_form_csrf)]
)
async def attach_project(
    request: Request,
    chain_id: int,
    project_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """Hang a project of the chain on one of its stages (or on none)."""
    form = await request.form()
    stage = form.get("stage_id") or None
    body = schemas.ProjectStage.model_validate({"stage_id": stage, "version": form.get("version")})
    project = records.get(session, InvestmentProject, project_id)
    if project.chain_id != chain_id:
        raise InvalidField("project_id", "проект не относится к этой цепочке")
    registry.update_record(
        session=session,
        user=user,
        model=InvestmentProject,
        id_=project_id,
        data=body.model_dump(),
    )
    return RedirectResponse(f"/chains/{chain_id}#projects", status_code=303)


def _version(form) -> int | None:
    value = str(form.get("version") or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidField("version", "версия должна быть целым числом")
    return int(value)


# Creating a chain or a project of a cluster: the cluster's managers and administrators, as
# ``POST /api/v1/chains`` and ``POST /api/v1/projects`` (``registry.create_record`` checks it).

CHAIN_PICKERS = [Picker("products", "okpd2", "Продукция цепочки (ОКПД2)", multiple=True)]
PROJECT_PICKERS = [
    Picker("initiator_id", "enterprise", "Инициатор проекта"),
    Picker("products", "okpd2", "Продукция проекта (ОКПД2)", multiple=True),
]
NEW_RECORDS = {  # kind → (model, schema, pickers, template)
    "chains": (Chain, schemas.ChainIn, CHAIN_PICKERS, "chains/new.html"),
    "projects": (
        InvestmentProject,
        registry_schemas.ProjectIn,
        PROJECT_PICKERS,
        "chains/new_project.html",
    ),
}


def _new_record_form(
    request: Request,
    session: Session,
    user: User,
    cluster: Cluster,
    kind: str,
    picked: PickedForm | None = None,
    errors: dict[str, str] | None = None,
    values: dict | None = None,
):
    """The form creating a chain or a project of ``cluster``, with errors if any."""
    _, _, pickers, template = NEW_RECORDS[kind]
    return render(
        request,
        template,
        user,
        422 if errors else 200,
        c=cluster,
        pickers=pickers,
        picked=picked or shown(session, pickers, {}),
        errors=errors or {},
        values=values or {},
    )


@router.get("/clusters/{cluster_id}/chains/new")
def chain_new_form(
    request: Request,
    cluster_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    cluster = records.get(session, Cluster, cluster_id)
    require_cluster(user, cluster_id)
    return _new_record_form(request, session, user, cluster, "chains")


@router.get("/clusters/{cluster_id}/projects/new")
def project_new_form(
    request: Request,
    cluster_id: int,
    chain: int | None = None,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """The new project form, on the chain ``chain`` when it is given."""
    cluster = records.get(session, Cluster, cluster_id)
    require_cluster(user, cluster_id)
    values = {"chain_id": str(chain)} if chain else {}
    return _new_record_form(request, session, user, cluster, "projects", values=values)


@router.post("/clusters/{cluster_id}/chains/new", dependencies=[Depends(check_form_csrf)])
async def chain_new(
    request: Request,
    cluster_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    return await _create(request, session, user, cluster_id, "chains")


@router.post("/clusters/{cluster_id}/projects/new", dependencies=[Depends(check_form_csrf)])
async def project_new(
    request: Request,
    cluster_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    return await _create(request, session, user, cluster_id, "projects")


async def _create(request: Request, session: Session, user: User, cluster_id: int, kind: str):
    """Create a chain or a project of the cluster; every refused field shown at once."""
    model, schema, pickers, _ = NEW_RECORDS[kind]
    cluster = records.get(session, Cluster, cluster_id)
    require_cluster(user, cluster_id)
    picked = read_form(session, await request.form(), pickers)
    try:
        data = picked_data(picked, schema, lists=("products",), fixed={"cluster_id": cluster_id})
        with session.begin_nested():
            record = registry.create_record(session=session, user=user, model=model, data=data)
    except (InvalidField, ValidationError) as exc:
        values = dict(picked.form)
        return _new_record_form(
            request, session, user, cluster, kind, picked, field_errors(exc), values
        )
    if model is Chain:
        return RedirectResponse(f"/chains/{record.id}", status_code=303)
    return RedirectResponse(f"/clusters/{cluster_id}#chains", status_code=303)
