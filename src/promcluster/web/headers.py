"""Security headers on every response: pages, API, static files, errors.

The Content-Security-Policy allows scripts only from the platform itself (no inline script, no
``eval``), so a stored payload that slipped past escaping still cannot run; styles may be inline
(Leaflet, Cytoscape and Swagger UI set them). Map tiles are the one outside source, taken from
``settings.tile_url``.
"""

import inspect
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from promcluster.config import Settings

HSTS = "max-age=31536000; includeSubDomains"


def tile_source(tile_url: str) -> str | None:
    """The CSP source of a Leaflet tile template: ``https://{s}.tile.osm.org/{z}/…`` →
    ``https://*.tile.osm.org``; None when there are no tiles or the host cannot be expressed."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.rsplit("@", 1)[-1]
    if "{" in host:
        rest = host.rsplit("}", 1)[-1]
        if not rest.startswith(".") or "{" in rest:
            return f"{parts.scheme}:"
        host = "*" + rest
    return f"{parts.scheme}://{host}"


def content_security_policy(settings: Settings) -> str:
    """The policy of every response, with the tile host of ``settings`` among image sources."""
    images = " ".join(s for s in ("'self'", "data:", tile_source(settings.tile_url)) if s)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": images,
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(settings: Settings) -> dict[str, str]:
    """Every header the platform adds; HSTS only when it is served over HTTPS (secure cookies)."""
    headers = {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if settings.secure_cookies:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """ASGI middleware adding :func:`security_headers` to each HTTP response (a header the
    response already sets is kept). An unhandled error is answered here with the app's own 500
    handler, if any, so that the error page carries the headers too."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.headers = security_headers(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if not started:
                response = await self._server_error(scope, receive, exc)
                await response(scope, receive, send_with_headers)
            raise

    async def _server_error(self, scope: Scope, receive: Receive, exc: Exception) -> Response:
        handlers = getattr(scope.get("app"), "exception_handlers", {})
        handler = handlers.get(500) or handlers.get(Exception)
        if handler is None:
            return PlainTextResponse("Internal Server Error", status_code=500)
        request = Request(scope, receive)
        if inspect.iscoroutinefunction(handler):
            return await handler(request, exc)
        return await run_in_threadpool(handler, request, exc)
