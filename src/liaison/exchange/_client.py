"""A small TAXII 2.1 client (httpx) for sync: collections and pages of objects."""

from __future__ import annotations

import base64
import ssl
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
import orjson

from liaison.exchange._taxii import TAXII_MEDIA


class TaxiiClientError(Exception):
    """The partner's server answered with an error or something that is not TAXII."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a collection's objects."""

    objects: list[dict[str, Any]]
    more: bool
    next: str | None
    date_added_last: str | None
    audit_head: str | None = None  # the server's signed audit head (X-Liaison-Audit-Head)


def auth_header(credential: str | None) -> dict[str, str]:
    """``Authorization`` for a credential: ``USER:PASSWORD`` is HTTP Basic, anything
    else a bearer token."""
    if not credential:
        return {}
    if ":" in credential:
        return {"Authorization": "Basic " + base64.b64encode(credential.encode()).decode()}
    return {"Authorization": f"Bearer {credential}"}


def tls_context(verify: bool | str, cert: tuple[str, str] | None) -> ssl.SSLContext | bool:
    """The TLS settings of a client: ``verify`` is True (system CAs), False, or a CA
    file; ``cert`` is a client certificate and key (for mutual TLS)."""
    if verify is False:
        return False
    ctx = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
    if cert is not None:
        ctx.load_cert_chain(*cert)
    return ctx


class TaxiiClient:
    """Talks to one TAXII 2.1 API root."""

    def __init__(
        self,
        api_root: str,
        credential: str | None = None,
        *,
        verify: bool | str = True,
        cert: tuple[str, str] | None = None,
        timeout: float = 120.0,
    ) -> None:
        self.api_root = api_root if api_root.endswith("/") else api_root + "/"
        headers = {"Accept": TAXII_MEDIA} | auth_header(credential)
        self._http = httpx.Client(
            headers=headers, verify=tls_context(verify, cert), timeout=timeout
        )

    def _get(self, url: str, params: dict[str, str] | None = None) -> tuple[Any, httpx.Response]:
        try:
            resp = self._http.get(url, params=params)
        except httpx.HTTPError as exc:
            raise TaxiiClientError(f"{url}: {exc}") from exc
        if resp.status_code != 200:
            raise TaxiiClientError(
                f"{url}: HTTP {resp.status_code} {resp.text[:200]}", resp.status_code
            )
        try:
            return orjson.loads(resp.content), resp
        except orjson.JSONDecodeError as exc:
            raise TaxiiClientError(f"{url}: the answer is not JSON ({exc})") from exc

    def collections(self) -> list[dict[str, Any]]:
        body, _ = self._get(self.api_root + "collections/")
        found = body.get("collections", []) if isinstance(body, dict) else []
        return [c for c in found if isinstance(c, dict)]

    def objects(
        self,
        collection_url: str,
        *,
        added_after: str | None = None,
        next_token: str | None = None,
        limit: int = 1000,
    ) -> Page:
        params = {"limit": str(limit)}
        if added_after:
            params["added_after"] = added_after
        if next_token:
            params["next"] = next_token
        body, resp = self._get(collection_url + "objects/", params)
        if not isinstance(body, dict):
            raise TaxiiClientError(f"{collection_url}: the answer is not a TAXII envelope")
        objects = body.get("objects") or []
        if not isinstance(objects, list):
            raise TaxiiClientError(f"{collection_url}: 'objects' is not a list")
        token = body.get("next")
        return Page(
            objects=objects,
            more=bool(body.get("more", False)),
            next=str(token) if token not in (None, "") else None,
            date_added_last=resp.headers.get("x-taxii-date-added-last"),
            audit_head=resp.headers.get("x-liaison-audit-head"),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TaxiiClient:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
