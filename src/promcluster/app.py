"""The application factory: REST API, HTML pages, static assets, error translation."""

import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from huey import SqliteHuey
from pydantic import ValidationError
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from promcluster import __version__, dbadmin, models  # noqa: F401  (every table mapped)
from promcluster.auth.keys import signing_key
from promcluster.background import Computations
from promcluster.config import Settings, get_settings
from promcluster.db import make_engine, make_sessionmaker
from promcluster.errors import Conflict, DomainError, InvalidField, NotFound, PermissionDenied
from promcluster.imports.export_jobs import JOB_KINDS as EXPORT_JOBS
from promcluster.imports.jobs import ImportJobs
from promcluster.imports.runs import runs_by_state, sweep_stale_runs
from promcluster.jobs import EmbeddedConsumer, open_queue
from promcluster.jobs.records import jobs_by_state
from promcluster.jobs.runner import JobRunner
from promcluster.matching.jobs import JOB_KINDS as SEARCH_JOBS
from promcluster.web.assets import STATIC
from promcluster.web.bodylimit import BodyLimit
from promcluster.web.deps import session_user
from promcluster.web.head import HeadAsGet
from promcluster.web.headers import SecurityHeaders
from promcluster.web.metrics import StateCounts, forget_process, watch_pool
from promcluster.web.openapi import document_errors
from promcluster.web.origin import SameOriginWrites
from promcluster.web.probes import ServiceEndpoints
from promcluster.web.ratelimit import AnonymousLimiter
from promcluster.web.requestlog import RequestLog
from promcluster.web.templating import templates
from promcluster.web.validation import russian

STATUS = {InvalidField: 422, NotFound: 404, Conflict: 409, PermissionDenied: 403}
UPLOADS = ("/api/v1/imports", "/imports")  # multipart posts allowed max_upload_bytes
# Multipart posts of a document's file: max_document_bytes, plus room for the form's fields.
DOCUMENT_UPLOADS = (
    r"(/api/v1)?/clusters/[0-9]+/documents",
    r"(/api/v1)?/documents/[0-9]+/files",
)
FORM_ROOM_BYTES = 1024 * 1024
OUT_OF_RANGE = "22003"  # SQLSTATE numeric_value_out_of_range (PostgreSQL)
NUL_IN_TEXT = "cannot contain NUL"  # psycopg refuses the character before sending


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up, imports left «running» by a killed server are marked interrupted (those
    that can be resumed are, by the consumer); the embedded consumer runs while the app does; at
    shutdown, this worker's live gauges leave the multi-process metrics."""
    sweep_stale_runs(app.state.sessions, app.state.settings.import_stale_minutes)
    consumer: EmbeddedConsumer | None = app.state.consumer
    if consumer is not None:
        consumer.start()
    try:
        yield
    finally:
        if consumer is not None:
            consumer.stop()
        forget_process(os.getpid())


def _jobs(app: FastAPI, settings: Settings) -> None:
    """The job queue, the import tasks on it and, unless ``jobs_embedded`` is false, consumer
    threads in this process (also started by the first job enqueued)."""
    queue = open_queue(settings)
    consumer = None
    if settings.jobs_embedded:
        consumer = EmbeddedConsumer(queue, settings.jobs_workers, settings.jobs_poll_seconds)
    app.state.consumer = consumer
    wake = consumer.start if consumer is not None else None
    app.state.import_jobs = ImportJobs(queue, app.state.sessions, settings, wake)
    app.state.job_runner = job_runner(queue, app.state.sessions, settings, wake)


def job_runner(
    queue: SqliteHuey,
    factory: sessionmaker[Session],
    settings: Settings,
    wake: Callable[[], None] | None = None,
) -> JobRunner:
    """The jobs of every domain on ``queue`` (the web application's, and ``promcluster
    worker``'s): search reindexing and generated files."""
    runner = JobRunner(queue, factory, settings, wake)
    for kind in (*SEARCH_JOBS, *EXPORT_JOBS):
        runner.register(kind)
    return runner


def create_app(settings: Settings | None = None) -> FastAPI:
    """A ready application bound to the database of ``settings``."""
    settings = settings or get_settings()
    key = signing_key(settings)  # refuses a missing, default or short key (InsecureKey)
    app = FastAPI(
        title="promcluster API",
        version=__version__,
        description="REST API платформы промышленных кластеров: кластеры, предприятия, участие, "
        "кооперационные цепочки, инвестиционные проекты.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url, settings.database_pool_size)
    app.state.sessions = make_sessionmaker(app.state.engine)
    # The read replica of anonymous GETs (web/deps.request_sessions), when there is one.
    app.state.read_engine = None
    app.state.read_sessions = None
    if settings.database_read_url:
        app.state.read_engine = make_engine(settings.database_read_url, settings.database_pool_size)
        app.state.read_sessions = make_sessionmaker(app.state.read_engine)
    _jobs(app, settings)
    app.state.anonymous_limiter = AnonymousLimiter(settings.anonymous_expensive_per_minute)
    # Readiness (/readyz): the schema the code expects, and the warm-up (set by whoever warms
    # the process up: ``promcluster serve``).
    app.state.schema_heads = dbadmin.head_revisions
    app.state.warmed_up = threading.Event()
    # Pages computed in the background (switched on by ``promcluster serve``): off, they compute
    # in the request.
    app.state.computations = Computations(wait_seconds=settings.computing_wait_seconds)
    metrics = settings.metrics != "off"
    if metrics:
        watch_pool(app.state.engine)
    app.state.metrics_collectors = [
        StateCounts(
            "promcluster_import_runs",
            "Import runs by state (running, done, failed, cancelled, interrupted)",
            app.state.sessions,
            runs_by_state,
        ),
        StateCounts(
            "promcluster_jobs",
            "Jobs other than imports (search reindexing, warm-ups, generated files) by state "
            "(queued, running, done, failed, interrupted, cancelled)",
            app.state.sessions,
            jobs_by_state,
        ),
    ]
    # Innermost, so that a refused body is answered like any error, with the session at hand.
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        upload_bytes=settings.max_upload_bytes,
        upload_paths=UPLOADS,
        upload_patterns=[
            (pattern, settings.max_document_bytes + FORM_ROOM_BYTES) for pattern in DOCUMENT_UPLOADS
        ],
    )
    app.add_middleware(HeadAsGet)
    app.add_middleware(SameOriginWrites)
    # Outside the sessions: the probes and metrics set no cookie and open no database session.
    app.add_middleware(ServiceEndpoints)
    app.add_middleware(
        SessionMiddleware,
        secret_key=key,
        session_cookie="promcluster_session",
        max_age=settings.session_lifetime_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(SecurityHeaders, settings=settings)
    app.add_middleware(RequestLog, metrics=metrics)  # the last one added: outermost
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _routes(app)
    document_errors(app)
    _error_handlers(app)
    return app


def _routes(app: FastAPI) -> None:
    from promcluster.accounts.api import router as audit_api
    from promcluster.accounts.audit_pages import router as audit_pages
    from promcluster.accounts.jobs import api as jobs_api
    from promcluster.accounts.jobs import pages as jobs_pages
    from promcluster.accounts.login import router as auth_pages
    from promcluster.accounts.pages import router as users_pages
    from promcluster.chains.api import router as chains_api
    from promcluster.chains.pages import router as chains_pages
    from promcluster.compliance.api import router as compliance_api
    from promcluster.compliance.pages import router as compliance_pages
    from promcluster.discovery.api import router as discovery_api
    from promcluster.discovery.pages import router as discovery_pages
    from promcluster.documents.api import router as documents_api
    from promcluster.documents.pages import router as documents_pages
    from promcluster.dossier.package_api import router as package_api
    from promcluster.dossier.package_pages import router as package_pages
    from promcluster.dossier.report_api import router as report_api
    from promcluster.dossier.report_pages import router as report_pages
    from promcluster.imports.api import router as imports_api
    from promcluster.imports.pages import router as imports_pages
    from promcluster.indicators.api import router as indicators_api
    from promcluster.indicators.pages import router as indicators_pages
    from promcluster.matching.api import router as matching_api
    from promcluster.matching.pages import router as matching_pages
    from promcluster.matching.search_pages import router as search_pages
    from promcluster.niches.api import router as niches_api
    from promcluster.niches.pages import router as niches_pages
    from promcluster.pickers.api import router as pickers_api
    from promcluster.registry.api import router as registry_api
    from promcluster.registry.pages import router as registry_pages
    from promcluster.statistics.api import router as statistics_api
    from promcluster.statistics.pages import router as statistics_pages

    app.include_router(registry_api)
    app.include_router(audit_api)
    app.include_router(audit_pages)
    app.include_router(pickers_api)
    app.include_router(imports_api)
    app.include_router(imports_pages)
    app.include_router(niches_api)
    app.include_router(niches_pages)
    app.include_router(matching_api)
    app.include_router(matching_pages)
    app.include_router(search_pages)
    app.include_router(chains_api)
    app.include_router(chains_pages)
    app.include_router(compliance_api)
    app.include_router(compliance_pages)
    app.include_router(indicators_api)
    app.include_router(indicators_pages)
    app.include_router(statistics_api)
    app.include_router(statistics_pages)
    app.include_router(discovery_api)
    app.include_router(discovery_pages)
    app.include_router(documents_api)
    app.include_router(documents_pages)
    app.include_router(package_api)
    app.include_router(package_pages)
    app.include_router(report_api)
    app.include_router(report_pages)
    app.include_router(auth_pages)
    app.include_router(users_pages)
    app.include_router(jobs_api)
    app.include_router(jobs_pages)
    app.include_router(registry_pages)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        """Swagger UI, started by a static script (the CSP allows no inline one)."""
        context = {"openapi_url": app.openapi_url}
        return templates.TemplateResponse(request, "api_docs.html", context)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    def domain_error(request: Request, exc: DomainError):
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        if isinstance(exc, InvalidField):
            detail = [
                {"loc": ["body", field], "msg": message, "type": "value_error"}
                for field, message in exc.fields.items()
            ]
        else:
            detail = str(exc)
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=status)
        return _error_page(
            request,
            status,
            "; ".join(exc.fields.values()) if isinstance(exc, InvalidField) else str(exc),
        )

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException):
        if _wants_json(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        if exc.status_code == 401:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return _error_page(request, exc.status_code, str(exc.detail), exc.headers)

    @app.exception_handler(ValidationError)
    def invalid_form(request: Request, exc: ValidationError):
        return invalid_request(
            request,
            RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]),
        )

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, exc: RequestValidationError):
        errors = [
            {"loc": list(e["loc"]), "msg": russian(e), "type": e["type"]} for e in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse({"detail": errors}, status_code=422)
        text = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in errors)
        return _error_page(request, 422, text)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    def unstorable_value(request: Request, exc: Exception):
        """Last resort for a value the database cannot take, in a page address, query or field
        no schema refuses first: an integer past its range (SQLite's driver: an OverflowError;
        PostgreSQL: out of range) or a NUL character in text (PostgreSQL): 422, not 500."""
        if isinstance(exc, DataError) and NUL_IN_TEXT in str(exc.orig):
            message = "текст в запросе содержит недопустимый символ NUL (\\x00)"
        elif isinstance(exc, DataError) and getattr(exc.orig, "sqlstate", None) != OUT_OF_RANGE:
            raise exc
        else:
            message = "число в запросе слишком велико"
        if _wants_json(request):
            detail = [{"loc": [], "msg": message, "type": "value_error"}]
            return JSONResponse({"detail": detail}, status_code=422)
        return _error_page(request, 422, message)


def _error_page(request: Request, status: int, message: str, headers: dict[str, str] | None = None):
    titles = {
        403: "Доступ запрещён",
        404: "Не найдено",
        409: "Конфликт изменений",
        413: "Слишком большой запрос",
        422: "Неверные данные",
        429: "Слишком много запросов",
    }
    return templates.TemplateResponse(
        request,
        "error.html",
        {
            "status": status,
            "title": titles.get(status, "Ошибка"),
            "message": message,
            "user": session_user(request),
            "settings": request.app.state.settings,
        },
        status_code=status,
        headers=headers,
    )
