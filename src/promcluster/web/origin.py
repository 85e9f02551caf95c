"""Refuse cross-origin writes: a POST, PUT, PATCH or DELETE whose ``Origin`` (or, without it,
``Referer``) names another host than the request's ``Host`` is answered 403 before the body is
read, whatever the authentication (cookie, HTTP Basic or none). Requests with neither header
(scripts, curl) pass; the CSRF token still guards cookie sessions."""

import json
from html import escape
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
MESSAGE = "запрос на изменение пришёл с другого сайта ({origin}) и отклонён"


def _host_port(netloc: str, scheme: str) -> tuple[str, int | None]:
    """``netloc`` as (lower-case host, port or the scheme's default)."""
    parts = urlsplit(f"//{netloc}")
    try:
        port = parts.port
    except ValueError:
        return netloc.lower(), None
    return (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


def same_origin(source: str, host: str, scheme: str) -> bool:
    """Whether the URL ``source`` (an Origin or Referer) points at ``host`` (the Host header)."""
    parts = urlsplit(source)
    if parts.scheme not in ("http", "https") or not parts.netloc or not host:
        return False  # "null" (sandboxed frames, privacy redirects) and junk count as foreign
    return _host_port(parts.netloc, parts.scheme) == _host_port(host, scheme)


class SameOriginWrites:
    """ASGI middleware refusing unsafe methods sent from another origin."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        source = headers.get("origin") or headers.get("referer")
        if source is None or same_origin(source, headers.get("host", ""), scope["scheme"]):
            await self.app(scope, receive, send)
            return
        await _refuse(scope, send, MESSAGE.format(origin=source[:200]))


async def _refuse(scope: Scope, send: Send, message: str) -> None:
    if scope["path"].startswith("/api"):
        body = json.dumps({"detail": message}, ensure_ascii=False).encode()
        kind = b"application/json"
    else:
        body = (
            '<!doctype html><html lang="ru"><meta charset="utf-8"><title>Доступ запрещён</title>'
            f"<h1>Доступ запрещён</h1><p>{escape(message)}</p>"
            '<p><a href="/">На главную</a></p></html>'
        ).encode()
        kind = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
