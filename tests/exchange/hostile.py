"""A hostile partner for the adversarial suite: a TAXII server whose every answer
the test scripts, served over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from liaison.exchange import TAXII_MEDIA
from liaison.exchange._server import ServerThread

COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"


@dataclass
class Answer:
    """One scripted answer of the objects endpoint."""

    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def envelope(
    objects: list[Any], *, more: bool = False, next_token: str | None = None, added: str = ""
) -> Answer:
    """A TAXII envelope answer (``added`` is its X-TAXII-Date-Added-Last)."""
    body: dict[str, Any] = {"objects": objects, "more": more}
    if next_token is not None:
        body["next"] = next_token
    headers = {"X-TAXII-Date-Added-Last": added} if added else {}
    return Answer(orjson.dumps(body), headers=headers)


@dataclass
class HostileServer:
    """Serves ``pages``: the first without ``next``, page ``n`` for ``next=n`` (the
    last one for any later or unknown token). ``requests`` records what was asked."""

    pages: list[Answer] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    @property
    def collection_url(self) -> str:
        return f"{self.url}/api/collections/{COLLECTION}/"

    async def _collections(self, request: Request) -> Response:
        body = {"collections": [{"id": COLLECTION, "title": "de", "can_read": True}]}
        return Response(orjson.dumps(body), media_type=TAXII_MEDIA)

    async def _objects(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.requests.append(params)
        token = params.get("next", "0")
        index = int(token) if token.isdigit() else len(self.pages) - 1
        answer = self.pages[min(index, len(self.pages) - 1)]
        return Response(
            answer.body, status_code=answer.status, headers=answer.headers, media_type=TAXII_MEDIA
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/collections/", self._collections),
                Route(f"/api/collections/{COLLECTION}/objects/", self._objects),
            ]
        )


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    """A running ``HostileServer`` (its ``url`` set)."""
    server = HostileServer()
    with ServerThread(server.app()) as thread:
        server.url = thread.url
        yield server
