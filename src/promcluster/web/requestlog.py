"""One log line per request (logger ``promcluster.requests``): request id, user, route
template, method, status and duration; plain text, or JSON with ``settings.log_json``.

The request id is the client's ``X-Request-ID`` when it looks like one (nginx's
``$request_id``, a UUID), else a new one; it is echoed in the response's ``X-Request-ID``. The
route is the template (``/clusters/{cluster_id}``), never the raw path or query string, so that
no token, password or search text reaches the logs; headers and bodies are not logged at all.
The same middleware feeds the request metrics when they are on."""

import logging
import re
import time
import uuid
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from promcluster.web.metrics import record_request
from promcluster.web.probes import SERVICE_PATHS

logger = logging.getLogger("promcluster.requests")
REQUEST_ID = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
UNMATCHED = "(unmatched)"  # one label for every path no route answered
ANONYMOUS = "-"


def request_id(headers: Headers) -> str:
    """The client's request id when it is 1–128 letters, digits, ``.``, ``_``, ``:`` or ``-``
    (no spaces, quotes or control characters to forge log lines), else a new UUID."""
    sent = headers.get(REQUEST_ID, "")
    return sent if SANE_ID.fullmatch(sent) else uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The template of the route that answered (``/static`` for every static file); the path of
    a service endpoint; else ``(unmatched)``: an unknown path, or a request refused before
    routing (413, cross-origin 403)."""
    route = scope.get("route")
    if route is not None:
        return route.path
    if scope["path"] in SERVICE_PATHS:
        return scope["path"]
    if "endpoint" in scope:  # a mount (static files): its prefix, added to the root path
        return scope.get("root_path", "")[len(scope.get("app_root_path", "")) :] or UNMATCHED
    return UNMATCHED


class RequestLog:
    """Times each HTTP request, logs it and counts it (when ``metrics`` is true). The outermost
    middleware, so that its duration and status are what the client got."""

    def __init__(self, app: ASGIApp, metrics: bool) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = request_id(Headers(scope=scope))
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = rid
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            if self.metrics:
                record_request(route, scope["method"], status, seconds)
            fields = {
                "request_id": rid,
                "user": state.get("user_name") or ANONYMOUS,
                "route": route,
                "method": scope["method"],
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
            }
            level = logging.ERROR if status >= 500 else logging.INFO
            if route in SERVICE_PATHS:
                level = logging.DEBUG  # probes every few seconds would drown the rest
            if logger.isEnabledFor(level):
                logger.log(level, _line(fields), extra=fields)


def _line(fields: dict[str, Any]) -> str:
    return "{method} {route} {status} {duration_ms} ms user={user} request_id={request_id}".format(
        **fields
    )


def log_config(json: bool) -> dict[str, Any]:
    """A ``logging.dictConfig`` for uvicorn (``log_config=``) and the platform: one format for
    both, JSON lines or plain text, on standard error. uvicorn's own access log is replaced by
    the request line (start uvicorn with ``access_log=False``)."""
    if json:
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "reserved_attrs": [*RESERVED_ATTRS, "color_message"],  # uvicorn's ANSI copy
        }
    else:
        formatter = {"format": "%(asctime)s %(levelname)-8s %(name)s: %(message)s"}
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "loggers": {
            "uvicorn": {"handlers": ["main"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "promcluster": {"handlers": ["main"], "level": "INFO", "propagate": False},
        },
    }
