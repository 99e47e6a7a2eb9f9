"""What every request meets first: the browser security headers, and a bound on its body.

Pure ASGI middlewares (no request object, no buffering), added by ``create_app``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The screens load only their own files: module scripts and stylesheets (no inline ones, no
# style attributes; scripts set styles through the DOM, which CSP allows), images (the QR
# code is an SVG from the API), announcement audio from the API, and the event WebSocket.
# Nobody may frame them (a staff console in a hidden frame is a click-jacking target), and no
# address leaves in a Referer (the kiosk's and display's token is in the URL fragment, never
# sent, but a customer page's path holds a ticket token). deploy/nginx sends the same.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self' ws: wss:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The API reference (/docs): the vendored Swagger UI from this server (docs_ui/), no CDN and
# no inline script; Swagger UI's React components write style elements, hence style-src.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs",)
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    """Add PAGE_HEADERS to every HTTP answer (DOCS_CSP on the API docs pages), unless the
    answer set one of them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._page = [(k.lower().encode(), v.encode()) for k, v in PAGE_HEADERS.items()]
        self._docs = [
            (k, DOCS_CSP.encode() if k == b"content-security-policy" else v) for k, v in self._page
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._docs if scope.get("path") in DOCS_PATHS else self._page

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class _TooLarge(Exception):
    pass


@dataclass(frozen=True)
class BodyAllowance:
    """A route with a body limit of its own (an image upload), in place of the default one,
    and what a person reads when refused."""

    method: str
    path: str  # the route's path as declared: "/api/v1/admin/branches/{branch}/logo"
    max_bytes: int
    detail: str

    def pattern(self) -> re.Pattern[str]:
        """The request paths the route answers ("{branch}" is one path segment)."""
        return re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(self.path)))


class BodyLimit:
    """Answer 413 ``{detail, code}`` to a request whose body is over ``max_bytes`` (or over
    its route's own allowance): at once when its Content-Length says so, else as soon as the
    bytes received pass the limit (a chunked body), so no more than the limit is ever read
    into memory."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, allowances: Sequence[BodyAllowance] = ()
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.allowances = [(a, a.pattern()) for a in allowances]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = str(scope.get("path", "")), scope.get("method")
        allowance = next(
            (a for a, p in self.allowances if a.method == method and p.fullmatch(path)), None
        )
        limit = self.max_bytes if allowance is None else allowance.max_bytes
        detail = (
            f"the request body is larger than {limit} bytes"
            if allowance is None
            else allowance.detail
        )
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(send, detail)
            return
        received = 0
        over = False
        started = False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over:
                return  # the app's answer to a body cut short (e.g. a 400): ours replaces it
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except _TooLarge:
            pass
        if over and not started:
            await self._refuse(send, detail)

    async def _refuse(self, send: Send, detail: str) -> None:
        body = json.dumps({"detail": detail, "code": "too_large"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
