"""The service endpoints: ``/healthz`` (the process answers), ``/readyz`` (the database answers,
its schema is the code's, the read replica answers when there is one, the warm-up is done) and
``/metrics`` (Prometheus).

They are answered by a middleware outside the session middleware, before any route: public,
never rate-limited, no session cookie read or set, no database session of a request, and absent
from the OpenAPI schema (they are for systemd, nginx, Kubernetes and Prometheus, not API users).
The security headers still apply (``SecurityHeaders`` sits outside). GET and HEAD only."""

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from promcluster.web.metrics import CONTENT_TYPE, NOT_LOOPBACK, exposition, is_loopback

logger = logging.getLogger(__name__)
HEALTH, READY, METRICS = "/healthz", "/readyz", "/metrics"
SERVICE_PATHS = frozenset({HEALTH, READY, METRICS})
NO_STORE = {"Cache-Control": "no-store"}
OK = "ok"
UPGRADE = "выполните «promcluster db upgrade»"


def database_checks(state: State) -> dict[str, str]:
    """The database and migrations checks: "ok" or what is wrong, in Russian."""
    try:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            try:
                found = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
            except SQLAlchemyError:
                return {"database": OK, "migrations": f"в базе нет версии схемы: {UPGRADE}"}
    except SQLAlchemyError as exc:
        logger.warning("readiness: the database does not answer: %s", exc)
        return {
            "database": "база данных недоступна",
            "migrations": "не проверены: база данных недоступна",
        }
    expected = state.schema_heads()
    if found == expected:
        return {"database": OK, "migrations": OK}
    return {
        "database": OK,
        "migrations": f"схема базы данных не последней версии: в базе "
        f"{', '.join(sorted(found)) or 'нет версии'}, нужна {', '.join(sorted(expected))}; "
        f"{UPGRADE}",
    }


def replica_check(state: State) -> str:
    """The read replica (``database_read_url``) answers: "ok" or what is wrong, in Russian.
    Anonymous pages fail while it does not, so the worker is not ready."""
    try:
        with state.read_engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("readiness: the read replica does not answer: %s", exc)
        return "реплика для чтения (PROMCLUSTER_DATABASE_READ_URL) недоступна"
    return OK


def readiness(state: State) -> dict[str, Any]:
    """Every readiness check, and whether they all passed."""
    checks = database_checks(state)
    if state.read_engine is not None:
        checks["replica"] = replica_check(state)
    checks["warm_up"] = OK if state.warmed_up.is_set() else "прогрев ещё не завершён"
    failed = [name for name, result in checks.items() if result != OK]
    return {"status": "fail" if failed else OK, "failed": failed, "checks": checks}


class ServiceEndpoints:
    """Answers ``/healthz``, ``/readyz`` and ``/metrics``; passes every other request on.
    ``/metrics`` when metrics are off goes on too, to the application's own 404."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path") if scope["type"] == "http" else None
        state = scope["app"].state if path in SERVICE_PATHS else None
        if state is None or (path == METRICS and state.settings.metrics == "off"):
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            response: Response = JSONResponse(
                {"detail": "метод не разрешён: только GET и HEAD"},
                status_code=405,
                headers={"Allow": "GET, HEAD", **NO_STORE},
            )
        elif path == HEALTH:
            response = JSONResponse({"status": OK}, headers=NO_STORE)
        elif path == READY:
            body = await run_in_threadpool(readiness, state)
            status = 200 if body["status"] == OK else 503
            response = JSONResponse(body, status_code=status, headers=NO_STORE)
        else:
            response = await self.metrics(scope, state)
        if scope["method"] == "HEAD":
            response.body = b""
        await response(scope, receive, send)

    async def metrics(self, scope: Scope, state: State) -> Response:
        client = scope.get("client")
        if state.settings.metrics == "loopback" and not is_loopback(client[0] if client else None):
            return JSONResponse({"detail": NOT_LOOPBACK}, status_code=403, headers=NO_STORE)
        body = await run_in_threadpool(exposition, *state.metrics_collectors)
        return Response(body, media_type=CONTENT_TYPE, headers=NO_STORE)
