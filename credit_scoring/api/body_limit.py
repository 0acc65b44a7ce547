"""`BodySizeLimit`: request bodies over Lambda's 6 MB payload limit are refused with a JSON 413.

API Gateway and Lambda refuse larger payloads before they reach the function; `credit-scoring serve`
has no such guard in front of it, and the same app must answer the same way. A declared Content-Length
over the limit is refused before anything is read; a body streamed without one is counted as it
arrives. Starlette's own limit answers in plain text, which would break the API's uniform JSON errors.
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES: Final = 6 * 1024 * 1024
"""Largest request body accepted: Lambda's limit for a synchronous invocation's payload."""

_BODY_METHODS: Final = frozenset({"POST", "PUT", "PATCH"})


class BodyTooLargeError(HTTPException):
    """Raised while a body is read; FastAPI lets HTTP exceptions through to the JSON error handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body larger than the {limit} bytes accepted")


class BodySizeLimit:
    """ASGI middleware enforcing `max_bytes` on the bodies of POST, PUT and PATCH requests."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            # Refused before routing: the body is never read, whatever the route.
            receive = self._refusing_receive
        else:
            receive = self._counting(receive)
        await self.app(scope, receive, send)

    async def _refusing_receive(self) -> Message:
        raise BodyTooLargeError(self.max_bytes)

    def _counting(self, receive: Receive) -> Receive:
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLargeError(self.max_bytes)
            return message

        return counting_receive
