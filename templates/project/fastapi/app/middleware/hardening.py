"""Security headers on every answer (a pure ASGI middleware: no per-request task or copy)."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.http_headers import API_HEADERS, API_PREFIX, SECURITY_HEADERS

_API_ANSWER_HEADERS = {**SECURITY_HEADERS, **API_HEADERS}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = _API_ANSWER_HEADERS if scope["path"].startswith(API_PREFIX) else SECURITY_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
