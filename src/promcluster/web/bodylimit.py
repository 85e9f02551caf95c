"""Request bodies over their limit refused with 413 before they cost anything: at once when the
declared ``Content-Length`` is over it, else as soon as the streamed bytes pass it (a chunked
body declares no length). Import uploads have a limit of their own, and so have the
multipart posts to the paths of ``upload_patterns`` (documents: ``max_document_bytes``)."""

import inspect
import re
from collections.abc import Collection, Sequence

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UPLOAD_TYPE = "multipart/form-data"


def too_large(limit: int) -> HTTPException:
    """The refusal of a body over ``limit`` bytes, in the user's words."""
    if limit >= 2**20:
        size = f"{limit / 2**20:.3g} МБ"
    else:
        size = f"{limit / 2**10:.3g} КБ" if limit >= 2**10 else f"{limit} байт"
    return HTTPException(413, f"тело запроса слишком велико: допускается не больше {size}")


class BodyLimit:
    """``max_bytes`` for any request body; ``upload_bytes`` for a multipart POST to one of
    ``upload_paths``; for a multipart POST whose path matches one of ``upload_patterns`` (a
    regular expression matched whole, and its limit), that limit. The refusal goes through
    the application's own HTTPException handler, so it looks like any other error (JSON under
    /api, the error page elsewhere)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        upload_bytes: int,
        upload_paths: Collection[str],
        upload_patterns: Sequence[tuple[str, int]] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes
        self.upload_paths = frozenset(upload_paths)
        self.upload_patterns = [(re.compile(p), limit) for p, limit in upload_patterns]

    def limit(self, scope: Scope, headers: Headers) -> int:
        upload = headers.get("content-type", "").lower().startswith(UPLOAD_TYPE)
        if scope["method"] != "POST" or not upload:
            return self.max_bytes
        if scope["path"] in self.upload_paths:
            return self.upload_bytes
        for pattern, limit in self.upload_patterns:
            if pattern.fullmatch(scope["path"]):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.limit(scope, headers)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self.refuse(scope, receive, send, limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(limit)
            return message

        await self.app(scope, counted, send)

    async def refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        handler = scope["app"].exception_handlers[HTTPException]
        response = handler(Request(scope, receive), too_large(limit))
        if inspect.isawaitable(response):
            response = await response
        await response(scope, receive, send)
