"""The TAXII 2.1 server: a Starlette ASGI app over a node's release table.

``create_app(node_or_store)`` builds the app; it holds no global state. It reads
only the partners and release tables of the store; every request is
authenticated as one partner, which sees exactly one collection: its own.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from liaison.exchange._routes import ServerContext, TaxiiRoutes
from liaison.exchange._taxii import TaxiiError, error_response
from liaison.store import Store, open_store

if TYPE_CHECKING:
    from liaison.node import Node

log = logging.getLogger("liaison.exchange")

DEFAULT_MAX_BODY = 1_048_576
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def create_app(
    source: Node | Store | str,
    *,
    title: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY,
) -> Starlette:
    """A TAXII 2.1 ASGI app serving the release table of ``source``.

    ``source`` is a Node or a store URL (the app opens its own store connection
    at startup and closes it at shutdown), or an open Store (used as is, by the
    event loop's thread only).
    """
    if isinstance(source, Store):
        opener: Callable[[], Store] | None = None
        ctx = ServerContext(source, title or "liaison", max_body_bytes)
    else:
        url = source if isinstance(source, str) else source.config.store_url
        name = title or (f"liaison node {source.config.party}" if not isinstance(source, str)
                         else "liaison")  # fmt: skip
        ctx = ServerContext(None, name, max_body_bytes)

        def opener() -> Store:
            return open_store(url, create=False)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if opener is not None:
            ctx.store = opener()
        try:
            yield
        finally:
            if opener is not None and ctx.store is not None:
                ctx.store.close()
                ctx.store = None

    routes = TaxiiRoutes(ctx)
    app = Starlette(
        routes=[
            Route("/taxii2/", routes.discovery, methods=["GET"]),
            Route("/api/", routes.api_root, methods=["GET"]),
            Route("/api/collections/", routes.collections, methods=["GET"]),
            Route("/api/collections/{cid}/", routes.collection, methods=["GET"]),
            Route("/api/collections/{cid}/objects/", routes.objects, methods=["GET", "POST"]),
            Route(
                "/api/collections/{cid}/objects/{oid}/", routes.object, methods=["GET", "DELETE"]
            ),
            Route(
                "/api/collections/{cid}/objects/{oid}/versions/", routes.versions, methods=["GET"]
            ),
            Route("/api/collections/{cid}/manifest/", routes.manifest, methods=["GET"]),
            Route("/api/status/{sid}/", routes.status, methods=["GET"]),
        ],
        exception_handlers={
            HTTPException: _http_error,
            TaxiiError: _taxii_error,
            ClientDisconnect: _client_gone,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    if not isinstance(source, Store | str):  # a node also serves its linkage endpoints
        from liaison.linkage.routes import mount

        app.router.routes.append(mount(source))
    app.add_middleware(_BodyLimit, limit=max_body_bytes)
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    titles = {404: "Not found", 405: "Method not allowed"}
    return error_response(exc.status_code, titles.get(exc.status_code, "Bad request"), "")


async def _taxii_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TaxiiError)
    return error_response(exc.status, exc.title, exc.description)


async def _client_gone(request: Request, exc: Exception) -> Response:
    """The client went away (or was cut by a read timeout) mid-request: nobody to answer."""
    log.info("client left before its request to %s was read", request.url.path)
    return Response(status_code=400)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("internal error serving %s", request.url.path)
    return error_response(500, "Internal error", "the server could not answer this request")


class _BodyLimit:
    """Refuses request bodies above a size limit (413), declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await _send_error(scope, receive, send, 413, self.limit)
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TaxiiError(413, "Request too large", f"bodies over {self.limit} bytes")
            return message

        await self.app(scope, limited, send)


async def _send_error(scope: Scope, receive: Receive, send: Send, status: int, limit: int) -> None:
    response = error_response(status, "Request too large", f"bodies over {limit} bytes")
    await response(scope, receive, send)
