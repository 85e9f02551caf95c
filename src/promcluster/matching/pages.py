"""HTML pages of needs and offers: lists, posting forms, a posting with its candidates (and, for
a need, its responses and the respond form), and the user's notifications."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.auth.permissions import allowed
from promcluster.errors import InvalidField
from promcluster.matching import candidates, notifications, postings, responses, schemas
from promcluster.matching.models import Need, Offer
from promcluster.matching.parties import (
    acting_parties,
    can_act_for,
    customer_label,
    require_need_owner,
)
from promcluster.pagination import paginate
from promcluster.pickers.forms import picked_data
from promcluster.pickers.service import PickedForm, Picker, read_form, shown
from promcluster.procurement.queries import plan_row
from promcluster.records import get
from promcluster.reference import service as reference
from promcluster.web.deps import check_form_csrf, current_user, db_session, login_required
from promcluster.web.forms import field_errors, render, status_form

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
CSRF = [Depends(check_form_csrf)]
POSTING_PICKERS = {  # the party picker shows for those who may act for any enterprise
    "need": [
        Picker("customer_id", "enterprise", "Заказчик"),
        Picker("okpd2_code", "okpd2", "Код ОКПД2"),
    ],
    "offer": [
        Picker("supplier_id", "enterprise", "Поставщик"),
        Picker("okpd2_code", "okpd2", "Код ОКПД2"),
    ],
}
RESPONSE_PICKERS = [Picker("supplier_id", "enterprise", "От имени предприятия")]


def _list(request, session, user, kind: str, query_of, filters: dict, page: int):
    filters = {k: (v or None) for k, v in filters.items()}
    result = paginate(session, query_of(**filters), max(page, 1), PER_PAGE)
    return render(
        request,
        f"matching/{kind}_list.html",
        user,
        result=result,
        filters=filters,
        regions=reference.list_regions(session),
    )


@router.get("/needs")
def need_list(
    request: Request,
    q: str | None = None,
    status: str | None = "open",
    region: str | None = None,
    okpd2: str | None = None,
    page: int = 1,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    filters = {"q": q, "status": status, "region": region, "okpd2": okpd2}
    return _list(request, session, user, "needs", postings.need_query, filters, page)


@router.get("/offers")
def offer_list(
    request: Request,
    q: str | None = None,
    status: str | None = "open",
    region: str | None = None,
    okpd2: str | None = None,
    page: int = 1,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    filters = {"q": q, "status": status, "region": region, "okpd2": okpd2}
    return _list(request, session, user, "offers", postings.offer_query, filters, page)


# Posting forms


def _form(request, session, user, kind: str, errors=None, values=None, picked=None):
    pickers = POSTING_PICKERS[kind]
    return render(
        request,
        "matching/posting_form.html",
        user,
        422 if errors else 200,
        kind=kind,
        errors=errors or {},
        values=values or {},
        parties=acting_parties(session, user),
        regions=reference.list_regions(session),
        pickers=pickers,
        picked=picked or shown(session, pickers, {}),
    )


@router.get("/needs/new")
def need_form(
    request: Request, session: Session = db_session, user: User = Depends(login_required)
):
    return _form(request, session, user, "need")


@router.get("/offers/new")
def offer_form(
    request: Request, session: Session = db_session, user: User = Depends(login_required)
):
    return _form(request, session, user, "offer")


async def _post(request, session, user, kind: str):
    picked = read_form(session, await request.form(), POSTING_PICKERS[kind])
    schema, create = (
        (schemas.NeedIn, postings.create_need)
        if kind == "need"
        else (schemas.OfferIn, postings.create_offer)
    )
    try:
        data = picked_data(picked, schema)
        with session.begin_nested():
            posting = create(session, user, data)
    except (InvalidField, ValidationError) as exc:
        errors, values = field_errors(exc), dict(picked.form)
        return _form(request, session, user, kind, errors, values, picked)
    return RedirectResponse(f"/{kind}s/{posting.id}", status_code=303)


@router.post("/needs/new", dependencies=CSRF)
async def need_new(
    request: Request, session: Session = db_session, user: User = Depends(login_required)
):
    return await _post(request, session, user, "need")


@router.post("/offers/new", dependencies=CSRF)
async def offer_new(
    request: Request, session: Session = db_session, user: User = Depends(login_required)
):
    return await _post(request, session, user, "offer")


# One posting


def _need_page(
    request, session, user, need: Need, errors=None, values=None, picked: PickedForm | None = None
):
    parties = acting_parties(session, user)
    if parties is not None:  # who may still respond: not the customer, not twice
        answered = {r.supplier_id for r in need.responses} | {need.customer_id}
        parties = [p for p in parties if p.id not in answered]
    return render(
        request,
        "matching/need.html",
        user,
        422 if errors else 200,
        need=need,
        customer=customer_label(need),
        plan=plan_row(session, need.id) if need.data_source == "procurement" else None,
        candidates=candidates.supplier_candidates(session, need) if user else [],
        responses=responses.visible_responses(user, need),
        can_manage=user is not None and allowed(require_need_owner, user, need),
        can_act=lambda e: can_act_for(user, e),
        parties=parties,
        errors=errors or {},
        values=values or {},
        response_pickers=RESPONSE_PICKERS,
        response_picked=picked or shown(session, RESPONSE_PICKERS, {}),
    )


@router.get("/needs/{need_id}")
def need_page(
    request: Request,
    need_id: int,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    return _need_page(request, session, user, get(session, Need, need_id))


@router.post("/needs/{need_id}/responses", dependencies=CSRF)
async def need_respond(
    request: Request,
    need_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    picked = read_form(session, await request.form(), RESPONSE_PICKERS)
    try:
        data = picked_data(picked, schemas.ResponseIn)
        with session.begin_nested():
            responses.respond(session, user, need_id, data)
    except (InvalidField, ValidationError) as exc:
        need = get(session, Need, need_id)
        errors, values = field_errors(exc), dict(picked.form)
        return _need_page(request, session, user, need, errors, values, picked)
    return RedirectResponse(f"/needs/{need_id}#responses", status_code=303)


@router.post("/needs/{need_id}/responses/{response_id}/status", dependencies=CSRF)
async def response_status(
    request: Request,
    need_id: int,
    response_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    body = await status_form(request, schemas.ResponseStatusIn)
    responses.set_response_status(session, user, response_id, body.status, body.version)
    return RedirectResponse(f"/needs/{need_id}#responses", status_code=303)


@router.post("/needs/{need_id}/status", dependencies=CSRF)
async def need_status(
    request: Request,
    need_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    body = await status_form(request, schemas.NeedPatch)
    postings.update_need(session, user, need_id, body.model_dump(exclude_unset=True))
    return RedirectResponse(f"/needs/{need_id}", status_code=303)


@router.get("/offers/{offer_id}")
def offer_page(
    request: Request,
    offer_id: int,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    offer = get(session, Offer, offer_id)
    return render(
        request,
        "matching/offer.html",
        user,
        offer=offer,
        candidates=candidates.buyer_candidates(session, offer) if user else [],
        can_manage=user is not None and can_act_for(user, offer.supplier),
    )


@router.post("/offers/{offer_id}/status", dependencies=CSRF)
async def offer_status(
    request: Request,
    offer_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    body = await status_form(request, schemas.OfferPatch)
    postings.update_offer(session, user, offer_id, body.model_dump(exclude_unset=True))
    return RedirectResponse(f"/offers/{offer_id}", status_code=303)


# Notifications


@router.get("/notifications")
def notification_list(
    request: Request, session: Session = db_session, user: User = Depends(login_required)
):
    return render(
        request,
        "matching/notifications.html",
        user,
        items=notifications.user_notifications(session, user),
        unread=notifications.unread_count(session, user),
    )


@router.get("/notifications/unread")
def unread_badge(
    session: Session = db_session, user: User | None = Depends(current_user)
) -> HTMLResponse:
    """The unread count for the navigation bar (an HTMX fragment; empty when none)."""
    count = notifications.unread_count(session, user) if user else 0
    body = f'<span class="badge unread" data-unread="{count}">{count}</span>' if count else ""
    return HTMLResponse(body)


@router.post("/notifications/read", dependencies=CSRF)
async def notifications_read(
    request: Request, session: Session = db_session, user: User = Depends(login_required)
):
    form = await request.form()
    raw: Any = form.get("id")
    ids = [int(raw)] if raw and str(raw).isdigit() else None
    notifications.mark_read(session, user, ids)
    return RedirectResponse("/notifications", status_code=303)
