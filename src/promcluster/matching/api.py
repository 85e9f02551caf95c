"""REST API of matching under ``/api/v1``: search, OKPD2 suggestions and corrections, needs,
offers, candidates, responses and notifications."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.errors import NotFound
from promcluster.labels import NEED_STATUSES, OFFER_STATUSES, choice
from promcluster.matching import (
    candidates,
    classification,
    notifications,
    overview,
    postings,
    responses,
    schemas,
    search,
)
from promcluster.matching.models import Need, Offer, Response
from promcluster.matching.parties import customer_label
from promcluster.records import get
from promcluster.reference.service import require_region
from promcluster.web.crud import crud_routes, route_names
from promcluster.web.deps import current_user, db_session, login_required
from promcluster.web.limits import TYPED_CHARS, Code, Id, Search
from promcluster.web.ratelimit import anonymous_limit

router = APIRouter(prefix="/api/v1")
NEEDS, OFFERS, NOTIFICATIONS = "Потребности", "Предложения", "Уведомления"


class NeedFilter(BaseModel):
    q: Search | None = None
    status: choice(NEED_STATUSES) | None = None
    region: Code | None = None
    okpd2: Code | None = None
    customer_id: Id | None = None


class OfferFilter(BaseModel):
    q: Search | None = None
    status: choice(OFFER_STATUSES) | None = None
    region: Code | None = None
    okpd2: Code | None = None
    supplier_id: Id | None = None


def need_out(need: Need) -> schemas.NeedOut:
    out = schemas.NeedOut.model_validate(need)
    return out.model_copy(update={"customer_display": customer_label(need)})


def offer_out(offer: Offer) -> schemas.OfferOut:
    out = schemas.OfferOut.model_validate(offer)
    return out.model_copy(update={"supplier_name": offer.supplier.name})


Limit = Annotated[int, Query(ge=1, le=100, description="сколько кандидатов вернуть")]


# Needs


crud_routes(
    router,
    "/needs",
    tag=NEEDS,
    model=Need,
    filters=NeedFilter,
    query=postings.need_query,
    create_in=schemas.NeedIn,
    patch_in=schemas.NeedPatch,
    out=schemas.NeedOut,
    create=postings.create_need,
    update=postings.update_need,
    present=need_out,
    id_name="need_id",
    naming=route_names("need", "needs"),
)


@router.get("/needs/{need_id}/candidates", response_model=list[schemas.PartnerOut], tags=[NEEDS])
def need_candidates(
    need_id: Id,
    limit: Limit = candidates.TOP,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Any:
    """Candidate suppliers: co-members of the customer's clusters, then the region, then
    elsewhere; each with a score and the reasons for it."""
    return candidates.supplier_candidates(session, get(session, Need, need_id), limit)


@router.get("/needs/{need_id}/responses", response_model=list[schemas.ResponseOut], tags=[NEEDS])
def need_responses(
    need_id: Id, session: Session = db_session, user: User = Depends(login_required)
) -> Any:
    """Responses the user may see: all for the customer's side, its own for a supplier."""
    return responses.visible_responses(user, get(session, Need, need_id))


@router.post(
    "/needs/{need_id}/responses",
    response_model=schemas.ResponseOut,
    status_code=201,
    tags=[NEEDS],
)
def respond(
    need_id: Id,
    body: schemas.ResponseIn,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Any:
    return responses.respond(session, user, need_id, body.model_dump())


@router.patch(
    "/needs/{need_id}/responses/{response_id}",
    response_model=schemas.ResponseOut,
    tags=[NEEDS],
)
def change_response(
    need_id: Id,
    response_id: Id,
    body: schemas.ResponseStatusIn,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Any:
    """Accept or decline (the customer), withdraw (the supplier)."""
    response = get(session, Response, response_id)
    if response.need_id != need_id:
        raise NotFound(f"у потребности №{need_id} нет отклика №{response_id}")
    return responses.set_response_status(session, user, response_id, body.status, body.version)


# Offers


crud_routes(
    router,
    "/offers",
    tag=OFFERS,
    model=Offer,
    filters=OfferFilter,
    query=postings.offer_query,
    create_in=schemas.OfferIn,
    patch_in=schemas.OfferPatch,
    out=schemas.OfferOut,
    create=postings.create_offer,
    update=postings.update_offer,
    present=offer_out,
    id_name="offer_id",
    naming=route_names("offer", "offers"),
)


@router.get("/offers/{offer_id}/candidates", response_model=list[schemas.PartnerOut], tags=[OFFERS])
def offer_candidates(
    offer_id: Id,
    limit: Limit = candidates.TOP,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Any:
    """Candidate buyers: open needs and consumers of the product, co-members first."""
    return candidates.buyer_candidates(session, get(session, Offer, offer_id), limit)


# Notifications


@router.get("/notifications", response_model=schemas.NotificationList, tags=[NOTIFICATIONS])
def list_notifications(
    unread: bool = False,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Any:
    """The user's notifications, newest first, and how many are unread."""
    return {
        "items": notifications.user_notifications(session, user, unread_only=unread),
        "unread": notifications.unread_count(session, user),
    }


@router.post("/notifications/read", response_model=schemas.Marked, tags=[NOTIFICATIONS])
def mark_read(
    body: schemas.MarkRead,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Any:
    return {"marked": notifications.mark_read(session, user, body.ids)}


# Search and classification

SEARCH, OKPD2 = "Поиск", "Коды ОКПД2"
KIND_NAMES = ", ".join(search.KINDS)


@router.get(
    "/search", response_model=schemas.SearchOut, tags=[SEARCH], dependencies=[anonymous_limit]
)
def search_everything(
    q: Annotated[str, Query(min_length=1, max_length=300, description="что искать")],
    kind: Annotated[list[Code] | None, Query(max_length=10, description=KIND_NAMES)] = None,
    region: Annotated[Code | None, Query(description="код региона")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = search.LIMIT,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    prefix: Annotated[bool, Query(description="последнее слово — начало слова")] = False,
    session: Session = db_session,
):
    """Clusters, chains, investment projects, enterprises, product lines, open needs and
    offers matching every word of ``q`` in any
    of its forms (abbreviations and typos allowed), best first."""
    kinds = search.parse_kinds(kind)
    if region:
        require_region(session, region, "region")
    return search.search(session, q, kinds, region, limit, offset, prefix)


@router.get(
    "/search/suggest",
    response_model=schemas.SuggestOut,
    tags=[SEARCH],
    dependencies=[anonymous_limit],
)
def suggest_records(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=TYPED_CHARS,
            description="набранное (последнее слово — начало слова)",
        ),
    ],
    kind: Annotated[list[Code] | None, Query(max_length=10, description=KIND_NAMES)] = None,
    limit: Annotated[
        int, Query(ge=1, le=overview.MAX_SUGGESTED, description="строк каждого вида")
    ] = overview.SUGGESTED,
    session: Session = db_session,
) -> Any:
    """Suggestions under a search box, by kind (the best-matched kind first): identical records
    as one line with their count, each saying why it matched. An INN or OGRN finds its
    enterprise; ``kind`` narrows to some kinds (a picker of enterprises: ``kind=enterprise``).
    Public, like every record it names."""
    found = overview.overview(session, q, tuple(kind or ()), per_kind=limit)
    return {
        "query": found.query,
        "every_word": found.every_word,
        "corrected": found.corrected,
        "groups": [
            {
                "kind": s.kind,
                "label": s.label,
                "count": s.count,
                "capped": s.capped,
                "items": [_suggested(line) for line in s.lines],
            }
            for s in found.sections
        ],
    }


def _suggested(line: overview.Line) -> dict[str, Any]:
    h = line.hit
    return {
        "id": h.ref_id,
        "kind": h.kind,
        "title": h.title,
        "detail": h.detail,
        "link": h.link,
        "count": line.count,
        "why": line.why.text,
        "title_marked": [{"text": t, "marked": m} for t, m in line.marked],
    }


@router.get(
    "/okpd2/suggest",
    response_model=list[schemas.SuggestionOut],
    tags=[OKPD2],
    dependencies=[anonymous_limit],
)
def suggest_code(
    name: Annotated[str, Query(min_length=1, max_length=500, description="наименование")],
    top: Annotated[int, Query(ge=1, le=classification.MAX_TOP)] = classification.TOP,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    """The likeliest OKPD2 codes for one product name, best first (a representative's own
    corrections first for them; for everyone once confirmed)."""
    return classification.suggest(session, [name], top, user)[0]


@router.post(
    "/okpd2/suggest",
    response_model=list[list[schemas.SuggestionOut]],
    tags=[OKPD2],
    dependencies=[anonymous_limit],
)
def suggest_codes(
    body: schemas.NamesIn,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    """The same for up to 1,000 names at once, in their order."""
    return classification.suggest(session, body.names, body.top, user)


@router.post(
    "/okpd2/corrections", response_model=schemas.CorrectionOut, status_code=201, tags=[OKPD2]
)
def correct_code(
    body: schemas.CorrectionIn,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """Record the right code for a name; the author's later suggestions put this code first,
    everyone's once an administrator or a cluster manager gives it, or a second user."""
    return classification.correct(session, user, body.name, body.okpd2_code, body.suggested_code)
