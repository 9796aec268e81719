"""The node's linkage endpoints, mounted at ``/linkage`` beside the TAXII API:

| endpoint | |
|---|---|
| ``POST /linkage/oprf`` | evaluate blinded tokens (counted, rate-limited, audited) |
| ``GET /linkage/batch`` | the encoding batch this node published for the caller |
| ``POST /linkage/requests`` | ask for the record behind a pseudonym |
| ``GET /linkage/requests/{id}`` | the answer (pending, denied, or the signed record) |

Every endpoint authenticates the caller as one partner with its bearer token,
exactly as the TAXII endpoints do; each request works in a worker thread on its
own store connection.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from liaison.exchange import authenticate, token_from_header
from liaison.linkage._errors import BudgetExceeded, LinkageError, MismatchError
from liaison.store import PartnerRow

if TYPE_CHECKING:
    from liaison.node import Clock, IdFactory, Node


def _json(status: int, body: Any) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def mount(node: Node) -> Mount:
    """The ``/linkage`` routes of ``node`` (a Starlette Mount)."""
    root, clock, ids = node.root, node.clock, node.ids
    return Mount(
        "/linkage",
        routes=[
            Route("/oprf", _endpoint(root, clock, ids, _oprf), methods=["POST"]),
            Route("/batch", _endpoint(root, clock, ids, _batch), methods=["GET"]),
            Route("/requests", _endpoint(root, clock, ids, _request), methods=["POST"]),
            Route("/requests/{rid}", _endpoint(root, clock, ids, _answer), methods=["GET"]),
        ],
    )


Work = Callable[["Node", PartnerRow, Any, dict[str, str]], Any]


def _endpoint(root: Path, clock: Clock, ids: IdFactory, work: Work) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        body = await request.body() if request.method == "POST" else b""
        header = request.headers.get("authorization")
        params = dict(request.path_params)
        return await run_in_threadpool(_serve, root, clock, ids, work, header, body, params)

    return endpoint


def _serve(
    root: Path,
    clock: Clock,
    ids: IdFactory,
    work: Work,
    header: str | None,
    body: bytes,
    params: dict[str, str],
) -> Response:
    from liaison.node import open_node

    with open_node(root, clock=clock, ids=ids) as node:
        token = token_from_header(header)
        partner = authenticate(node.store.exchange.partners(), token) if token else None
        if partner is None:
            return _json(401, {"error": "a valid partner token is required"})
        try:
            data = orjson.loads(body) if body else None
        except orjson.JSONDecodeError:
            return _json(400, {"error": "the body is not JSON"})
        try:
            return _json(200, work(node, partner, data, params))
        except LookupError:
            return _json(404, {"error": "not found"})
        except MismatchError as exc:
            return _json(409, {"error": str(exc)})
        except BudgetExceeded as exc:
            return _json(429, {"error": str(exc)})
        except LinkageError as exc:
            return _json(400, {"error": str(exc)})


def _oprf(node: Node, partner: PartnerRow, data: Any, params: dict[str, str]) -> Any:
    from liaison.linkage._evaluate import serve_evaluation

    return serve_evaluation(node, partner, data)


def _batch(node: Node, partner: PartnerRow, data: Any, params: dict[str, str]) -> Any:
    from liaison.linkage._publish import served_batch

    found = served_batch(node, partner.name)
    if found is None:
        raise LookupError("no batch")
    return found


def _request(node: Node, partner: PartnerRow, data: Any, params: dict[str, str]) -> Any:
    from liaison.linkage._disclose import receive_request

    return receive_request(node, partner, data)


def _answer(node: Node, partner: PartnerRow, data: Any, params: dict[str, str]) -> Any:
    from liaison.linkage._disclose import answer_of

    return answer_of(node, partner, params["rid"])
