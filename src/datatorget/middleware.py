"""HTTP middleware of the portal, as plain ASGI (so that errors reach the app's handlers unwrapped).

- BodyLimit: a body announced larger than the limit is refused before it is read; one sent without a
  length (chunked) is counted as it arrives and refused once it passes the limit, so an upload can never
  fill the disk. Both answers come in the portal's own error shapes.
- SecurityHeaders: headers that every answer carries.
- HeadAsGet: HEAD answered as GET without the body, for link checkers and harvesters (FastAPI routes
  declare GET only).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from datatorget.errors import PayloadTooLarge

Render = Callable[[Request, Exception], Awaitable[Response]]


class BodyLimit:
    """`max_upload_bytes` for multipart bodies (file uploads), `max_other_bytes` for every other body
    (JSON, forms): those are parsed whole in memory, so they get a small limit."""

    def __init__(self, app: ASGIApp, *, max_upload_bytes: int, max_other_bytes: int, render: Render) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes
        self.max_other_bytes = max_other_bytes
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        uploading = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        limit = self.max_upload_bytes if uploading else self.max_other_bytes
        too_large = PayloadTooLarge(f"the request is larger than the limit of {limit} bytes")
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            response = await self.render(Request(scope), too_large)
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large  # the app's error handlers turn it into the 413 page or problem
            return message

        await self.app(scope, counting_receive, send)


SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",  # a downloaded CSV is never run as a script
    b"x-frame-options": b"DENY",  # no page of ours inside another site's frame (clickjacking)
    b"referrer-policy": b"strict-origin-when-cross-origin",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _value in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS.items() if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
