"""The HTTP client a node uses to reach a partner's linkage endpoints (same
host as its TAXII API root, path ``/linkage/``), with the credential and TLS
settings registered for that partner, and timeouts on every request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import httpx
import orjson

from liaison.exchange import auth_header, get_partner, load_credential, load_tls, tls_context
from liaison.linkage._errors import LinkageError

if TYPE_CHECKING:
    from liaison.node import Node


class PartnerUnreachable(LinkageError):
    """The partner's node did not answer, or answered with an error."""


class LinkageClient:
    """Talks to one partner's ``/linkage/`` endpoints."""

    def __init__(
        self,
        base_url: str,
        credential: str | None,
        *,
        verify: bool | str = True,
        cert: tuple[str, str] | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.base = urljoin(base_url, "/linkage/")
        headers = {"Accept": "application/json"} | auth_header(credential)
        self._http = httpx.Client(
            headers=headers,
            verify=tls_context(verify, cert),
            timeout=httpx.Timeout(timeout, connect=10.0),
        )

    @classmethod
    def for_partner(cls, node: Node, partner: str) -> LinkageClient:
        row = get_partner(node, partner)
        verify, cert = load_tls(node, partner)
        return cls(row.url, load_credential(node, partner), verify=verify, cert=cert)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        url = self.base + path
        try:
            resp = self._http.request(
                method,
                url,
                content=None if body is None else orjson.dumps(body),
                headers={"Content-Type": "application/json"} if body is not None else None,
            )
        except httpx.HTTPError as exc:
            raise PartnerUnreachable(f"{url}: {exc}") from exc
        try:
            data = orjson.loads(resp.content) if resp.content else None
        except orjson.JSONDecodeError:
            data = None
        if resp.status_code >= 400:
            detail = data.get("error") if isinstance(data, dict) else resp.text[:200]
            raise PartnerUnreachable(f"{url}: HTTP {resp.status_code}: {detail}")
        return data

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LinkageClient:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


@contextmanager
def connected(node: Node, partner: str, client: LinkageClient | None) -> Iterator[LinkageClient]:
    """``client`` if given (tests, the demo), else one for ``partner``, closed after."""
    if client is not None:
        yield client
        return
    with LinkageClient.for_partner(node, partner) as made:
        yield made
