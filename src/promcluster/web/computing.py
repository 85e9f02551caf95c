"""The «идёт расчёт…» answer of a page or an API call whose result is being computed in the
background (``promcluster.background``): a page that reloads itself (``computing.js``, no inline
script) and, for the API, 202 with ``Retry-After`` and ``{"state": "computing"}``."""

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from promcluster.background import Job
from promcluster.web.forms import render

RETRY_SECONDS = 2
MESSAGE = "идёт расчёт…"


class ComputingOut(BaseModel):
    """The answer while the result is being computed: ask again after ``retry_after`` seconds."""

    state: str = "computing"
    message: str = MESSAGE
    retry_after: int = RETRY_SECONDS


# For the OpenAPI schema of the routes that may answer so.
COMPUTING_RESPONSE: dict[int | str, dict[str, Any]] = {
    202: {
        "model": ComputingOut,
        "description": "Результат ещё вычисляется (после перезапуска сервера): повторите запрос "
        "через Retry-After секунд.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "секунды"}},
    }
}


def ready(request: Request, session: Session, job: Job) -> bool:
    """Whether the result of ``job`` is at hand (see ``Computations.ready``)."""
    return request.app.state.computations.ready(session, job)


def computing_page(request: Request, user: Any, title: str):
    """The page «идёт расчёт…» (HTTP 200), reloaded by the browser every few seconds."""
    response = render(
        request, "computing.html", user, title=title, retry_after=RETRY_SECONDS, message=MESSAGE
    )
    response.headers["Retry-After"] = str(RETRY_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def computing_json() -> JSONResponse:
    """202 with ``Retry-After`` and ``{"state": "computing", …}``."""
    return JSONResponse(
        ComputingOut().model_dump(),
        status_code=202,
        headers={"Retry-After": str(RETRY_SECONDS), "Cache-Control": "no-store"},
    )
