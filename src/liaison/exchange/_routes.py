"""The TAXII 2.1 endpoints. Each request is authenticated as one partner and can
reach only that partner's collection; anything else is "not found", exactly as
for a collection or object that does not exist."""

from __future__ import annotations

from dataclasses import dataclass, replace

from starlette.requests import Request
from starlette.responses import Response

from liaison.audit.witness import head_header
from liaison.exchange._auth import authenticate, token_from_header
from liaison.exchange._paging import encode_next, selection
from liaison.exchange._taxii import (
    STIX_MEDIA,
    TAXII_MEDIA,
    TaxiiError,
    accepts_taxii,
    format_us,
    json_response,
    taxii_response,
)
from liaison.store import PartnerRow, ReleaseRow, Selection, Store

_ALL_VERSIONS = "all"


@dataclass
class ServerContext:
    """What the routes share: the store (opened at startup) and settings."""

    store: Store | None
    title: str
    max_body_bytes: int

    def open_store(self) -> Store:
        if self.store is None:
            raise TaxiiError(503, "Unavailable", "the server is starting or stopping")
        return self.store


class TaxiiRoutes:
    """Endpoint functions bound to one server context."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    # -- helpers ----------------------------------------------------------------
    def _partner(self, request: Request) -> PartnerRow:
        token = token_from_header(request.headers.get("authorization"))
        found = authenticate(self.ctx.open_store().exchange.partners(), token) if token else None
        if found is None:
            raise TaxiiError(401, "Unauthorized", "a valid partner token is required")
        if not accepts_taxii(request.headers.get("accept")):
            raise TaxiiError(406, "Not acceptable", f"this server answers in {TAXII_MEDIA}")
        return found

    def _own(self, request: Request) -> PartnerRow:
        p = self._partner(request)
        if request.path_params.get("cid") != p.collection_id:
            raise TaxiiError(404, "Not found", "no such collection")
        return p

    def _rows(
        self, p: PartnerRow, request: Request, *, ids: tuple[str, ...] = (), version: str = "last"
    ) -> tuple[list[ReleaseRow], bool, Selection | None]:
        sel = selection(
            dict(request.query_params),
            ids=ids,
            default_version="all" if version == _ALL_VERSIONS else "last",
        )
        if sel is None:
            return [], False, None
        rows = self.ctx.open_store().exchange.select_releases(
            p.name, replace(sel, limit=sel.limit + 1)
        )
        more = len(rows) > sel.limit
        return rows[: sel.limit], more, sel

    @staticmethod
    def _headers(rows: list[ReleaseRow]) -> dict[str, str]:
        if not rows:
            return {}
        return {
            "X-TAXII-Date-Added-First": format_us(min(r.date_added_us for r in rows)),
            "X-TAXII-Date-Added-Last": format_us(max(r.date_added_us for r in rows)),
        }

    @staticmethod
    def _paging(rows: list[ReleaseRow], more: bool) -> bytes:
        if more:
            return b'{"more":true,"next":"' + encode_next(rows[-1].pseq).encode() + b'"'
        return b'{"more":false'

    def _collection_info(self, p: PartnerRow) -> dict[str, object]:
        return {
            "id": p.collection_id,
            "title": f"{self.ctx.title}: release to {p.name}",
            "description": f"What this node releases to {p.name}, signed by this node.",
            "can_read": True,
            "can_write": False,
            "media_types": [STIX_MEDIA],
        }

    # -- endpoints --------------------------------------------------------------
    async def discovery(self, request: Request) -> Response:
        self._partner(request)
        api = str(request.url_for("api_root"))
        return json_response(
            {
                "title": self.ctx.title,
                "description": "liaison TAXII 2.1 server",
                "default": api,
                "api_roots": [api],
            }
        )

    async def api_root(self, request: Request) -> Response:
        self._partner(request)
        return json_response(
            {
                "title": self.ctx.title,
                "versions": [TAXII_MEDIA],
                "max_content_length": self.ctx.max_body_bytes,
            }
        )

    async def collections(self, request: Request) -> Response:
        p = self._partner(request)
        return json_response({"collections": [self._collection_info(p)]})

    async def collection(self, request: Request) -> Response:
        return json_response(self._collection_info(self._own(request)))

    async def objects(self, request: Request) -> Response:
        p = self._own(request)
        if request.method == "POST":
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media != "application/taxii+json":
                raise TaxiiError(415, "Unsupported media type", f"send {TAXII_MEDIA}")
            raise TaxiiError(403, "Forbidden", "this collection is read-only")
        rows, more, _ = self._rows(p, request)
        body = self._paging(rows, more)
        if rows:
            body += b',"objects":[' + b",".join(r.body for r in rows) + b"]"
        # The node's signed audit head: the partner keeps it as a witness (audit.witness).
        headers = self._headers(rows) | head_header(self.ctx.open_store())
        return taxii_response(body + b"}", headers)

    async def object(self, request: Request) -> Response:
        p = self._own(request)
        if request.method == "DELETE":
            raise TaxiiError(403, "Forbidden", "this collection is read-only")
        oid = request.path_params["oid"]
        rows, more, _ = self._rows(p, request, ids=(oid,))
        if not rows and not more:
            raise TaxiiError(404, "Not found", "no such object")
        body = self._paging(rows, more)
        body += b',"objects":[' + b",".join(r.body for r in rows) + b"]}"
        return taxii_response(body, self._headers(rows))

    async def versions(self, request: Request) -> Response:
        p = self._own(request)
        oid = request.path_params["oid"]
        rows, more, _ = self._rows(p, request, ids=(oid,), version=_ALL_VERSIONS)
        if not rows:
            raise TaxiiError(404, "Not found", "no such object")
        out: dict[str, object] = {"more": more}
        if more:
            out["next"] = encode_next(rows[-1].pseq)
        out["versions"] = [r.modified for r in rows]
        return json_response(out, self._headers(rows))

    async def manifest(self, request: Request) -> Response:
        p = self._own(request)
        rows, more, _ = self._rows(p, request)
        out: dict[str, object] = {"more": more}
        if more:
            out["next"] = encode_next(rows[-1].pseq)
        if rows:
            out["objects"] = [
                {"id": r.id, "date_added": format_us(r.date_added_us), "version": r.modified,
                 "media_type": STIX_MEDIA}
                for r in rows
            ]  # fmt: skip
        return json_response(out, self._headers(rows))

    async def status(self, request: Request) -> Response:
        self._partner(request)
        raise TaxiiError(404, "Not found", "no such status")
