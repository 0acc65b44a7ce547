"""`HeadAsGet`: HEAD is answered wherever GET is, with GET's status and headers and no body (RFC 9110).

FastAPI's routes answer only the methods they declare, and declaring HEAD beside every GET would list
each operation twice in the OpenAPI document. This middleware runs a HEAD request as the GET it mirrors
and drops the body; `Content-Length` stays the GET body's, as RFC 9110 allows. A HEAD of a decision
route decides, as its GET does: the decision id comes back in X-Decision-Id.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware answering HEAD requests as GET requests without their body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
