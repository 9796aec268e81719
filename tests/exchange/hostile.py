"""A hostile partner for the adversarial suite: a TAXII server whose every answer
the test scripts, served over real HTTP on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from liaison.exchange import TAXII_MEDIA, ServerThread

COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"


@dataclass
class Answer:
    """One scripted answer of the objects endpoint."""

    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    trickle_s: float = 0.0  # > 0: sent in 20 pieces, this long apart


def envelope(
    objects: list[Any], *, more: bool = False, next_token: str | None = None, added: str = ""
) -> Answer:
    """A TAXII envelope answer (``added`` is its X-TAXII-Date-Added-Last)."""
    body: dict[str, Any] = {"objects": objects, "more": more}
    if next_token is not None:
        body["next"] = next_token
    headers = {"X-TAXII-Date-Added-Last": added} if added else {}
    return Answer(orjson.dumps(body), headers=headers)


async def _trickle(answer: Answer) -> AsyncIterator[bytes]:
    step = max(1, len(answer.body) // 20)
    for start in range(0, len(answer.body), step):
        yield answer.body[start : start + step]
        await asyncio.sleep(answer.trickle_s)


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
        if answer.trickle_s:
            return StreamingResponse(_trickle(answer), media_type=TAXII_MEDIA)
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
