"""HTML pages of search and of OKPD2 codes: the search page (grouped by kind) and its live
results, code suggestions under a product-name field, and the page that codes a list of names."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.errors import InvalidField
from promcluster.matching import classification, overview, search
from promcluster.reference import service as reference
from promcluster.web.deps import check_form_csrf, current_user, db_session, login_required
from promcluster.web.forms import render
from promcluster.web.limits import NAME_CHARS, QUERY_CHARS
from promcluster.web.ratelimit import anonymous_limit

router = APIRouter(include_in_schema=False)
CSRF = [Depends(check_form_csrf)]


PER_KIND = 5  # lines of each kind when several kinds are shown


def _search_context(
    session: Session, q: str, kind: list[str], region: str, offset: int
) -> dict[str, Any]:
    kinds = search.parse_kinds(kind or None)
    names = {r.code: r.name for r in reference.list_regions(session)}
    region = region if region in names else ""
    one_kind = len(kinds) == 1
    per_kind = search.LIMIT if one_kind else PER_KIND
    offset = min(offset, overview.CANDIDATES - per_kind) if one_kind else 0
    results = overview.overview(session, q, kinds, region or None, per_kind, offset) if q else None

    def link(kinds: list[str], offset: int = 0) -> str:
        pairs = [("q", q), *[("kind", k) for k in kinds], ("region", region)]
        return "/search?" + urlencode(pairs + ([("offset", offset)] if offset else []))

    return {
        "q": q,
        "kinds": set(kinds),
        "one_kind": one_kind,
        "region": region,
        "results": results,
        "offset": offset,
        "per_kind": per_kind,
        "kind_link": lambda k: link([k]),
        "more_link": link(list(kinds), offset + per_kind),
        "region_names": names,
    }


@router.get("/search", dependencies=[anonymous_limit])
def search_page(
    request: Request,
    q: Annotated[str, Query(max_length=QUERY_CHARS)] = "",
    kind: Annotated[list[str], Query()] = [],  # noqa: B006
    region: str = "",
    offset: int = 0,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    context = _search_context(session, q.strip(), kind, region, max(offset, 0))
    regions = reference.list_regions(session)
    return render(request, "matching/search.html", user, regions=regions, **context)


@router.get("/search/results", dependencies=[anonymous_limit])
def search_results(
    request: Request,
    q: Annotated[str, Query(max_length=QUERY_CHARS)] = "",
    kind: Annotated[list[str], Query()] = [],  # noqa: B006
    region: str = "",
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    context = _search_context(session, q.strip(), kind, region, 0)
    return render(request, "matching/_search_results.html", user, **context)


@router.get("/okpd2/suggest", dependencies=[anonymous_limit])
def suggestions_fragment(
    request: Request,
    product_name: str = "",
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    """Buttons with the likeliest codes under a product-name field (HTMX)."""
    name = product_name[:500]
    found = classification.suggest(session, [name], user=user)[0] if product_name else []
    return render(request, "matching/_suggestions.html", None, suggestions=found)


@router.get("/classify")
def classify_page(
    request: Request,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    return render(request, "matching/classify.html", user, text="", rows=[])


@router.post("/classify", dependencies=[*CSRF, anonymous_limit])
async def classify_names(
    request: Request,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    form = await request.form()
    text = str(form.get("names", ""))
    names = [n.strip() for n in text.splitlines() if n.strip()][: classification.MAX_NAMES]
    error = None if names else "введите хотя бы одно наименование"
    if long := [i for i, n in enumerate(text.splitlines(), 1) if len(n.strip()) > NAME_CHARS]:
        names, error = [], f"строка {long[0]} длиннее {NAME_CHARS} знаков"
    found = classification.suggest(session, names, user=user) if names else []
    rows = list(zip(names, found, strict=True))
    return render(request, "matching/classify.html", user, text=text, rows=rows, error=error)


@router.post("/classify/correct", dependencies=CSRF)
async def correct_name(
    request: Request,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    form = await request.form()
    name, code = str(form.get("name", "")), str(form.get("okpd2_code", "")).strip()
    suggested = str(form.get("suggested_code", "")) or None
    context = {"product_name": name, "code": code, "suggested_code": suggested, "error": None}
    try:
        context["correction"] = classification.correct(session, user, name, code, suggested)
    except InvalidField as exc:
        session.rollback()
        context["error"] = exc.message
    return render(request, "matching/_correction.html", user, **context)
