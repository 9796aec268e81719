"""A small TAXII 2.1 client (httpx) for sync: collections and pages of objects."""

from __future__ import annotations

import base64
import re
import ssl
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
import orjson

from liaison.exchange._taxii import TAXII_MEDIA

#: The largest answer sync reads (a page of 1,000 objects is a few megabytes).
MAX_ANSWER_BYTES = 64 * 1024 * 1024


_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")


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
    raw: bytes = b""  # the answer as received (the sync worker decodes it itself)


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
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        answer_deadline_s: float = 600.0,
    ) -> None:
        self.api_root = api_root if api_root.endswith("/") else api_root + "/"
        self.max_answer_bytes = max_answer_bytes
        self.answer_deadline_s = answer_deadline_s  # a whole answer, however it trickles
        headers = {"Accept": TAXII_MEDIA} | auth_header(credential)
        self._http = httpx.Client(
            headers=headers, verify=tls_context(verify, cert), timeout=timeout
        )

    def _get(self, url: str, params: dict[str, str] | None = None) -> tuple[Any, httpx.Response]:
        body, resp, _ = self._get_raw(url, params)
        return body, resp

    def _get_raw(
        self, url: str, params: dict[str, str] | None = None
    ) -> tuple[Any, httpx.Response, bytes]:
        try:
            with self._http.stream("GET", url, params=params) as resp:
                content = self._read(url, resp)
        except httpx.HTTPError as exc:
            raise TaxiiClientError(f"{url}: {exc}") from exc
        if resp.status_code != 200:
            text = content[:200].decode("utf-8", "replace")
            raise TaxiiClientError(f"{url}: HTTP {resp.status_code} {text}", resp.status_code)
        try:
            return orjson.loads(content), resp, content
        except orjson.JSONDecodeError as exc:
            raise TaxiiClientError(f"{url}: the answer is not JSON ({exc})") from exc

    def _read(self, url: str, resp: httpx.Response) -> bytes:
        """The answer's body, refused past ``max_answer_bytes`` (declared or streamed)
        or when it takes longer than ``answer_deadline_s`` to arrive."""
        limit, deadline = self.max_answer_bytes, time.monotonic() + self.answer_deadline_s
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TaxiiClientError(f"{url}: the answer declares {declared} bytes (over {limit})")
        chunks, size = [], 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise TaxiiClientError(f"{url}: the answer exceeds {limit} bytes; not read")
            if time.monotonic() > deadline:
                raise TaxiiClientError(
                    f"{url}: the answer took more than {self.answer_deadline_s:g} s; not read"
                )
            chunks.append(chunk)
        return b"".join(chunks)

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
        body, resp, content = self._get_raw(collection_url + "objects/", params)
        if not isinstance(body, dict):
            raise TaxiiClientError(f"{collection_url}: the answer is not a TAXII envelope")
        objects = body.get("objects") or []
        if not isinstance(objects, list):
            raise TaxiiClientError(f"{collection_url}: 'objects' is not a list")
        if len(objects) > limit:
            raise TaxiiClientError(
                f"{collection_url}: the page holds {len(objects)} objects for a limit of {limit}"
            )
        token = body.get("next")
        if token is not None and (not isinstance(token, str | int) or len(str(token)) > 1000):
            raise TaxiiClientError(f"{collection_url}: 'next' is not a short string")
        added_last = resp.headers.get("x-taxii-date-added-last")
        return Page(
            objects=objects,
            more=body.get("more", False) is True,
            next=str(token) if token not in (None, "") else None,
            date_added_last=added_last if added_last and _TIMESTAMP.fullmatch(added_last) else None,
            audit_head=resp.headers.get("x-liaison-audit-head"),
            raw=content,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TaxiiClient:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
