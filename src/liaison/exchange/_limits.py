"""HTTP hygiene for the TAXII server: read timeouts and a connection limit.

uvicorn bounds the idle time between requests (``timeout_keep_alive``) and the
size of a request head (h11's ``max_incomplete_event_size``), and answers 503
above ``limit_concurrency`` — but only once a request has fully arrived, and it
has no timeout on reading a request: a client that trickles its head byte by
byte, or sends part of a body and goes silent, holds its connection for ever.

``guarded_protocol(limits)`` is uvicorn's h11 protocol with two deadlines per
request, on the connection itself (whatever the app does):

- the **head** (request line and headers) must be complete within
  ``header_timeout_s`` of the connection opening, or of the first byte of a
  later request on a kept-alive connection — else the server answers 408 and
  closes;
- the **body** must be complete within ``body_timeout_s`` of the end of the
  head — else the connection is closed (the app, if it is reading, sees the
  client disconnect).

Trickling bytes never extend a deadline. A connection opened while
``max_connections`` are already open is answered 503 and closed at once,
before it can hold a slot.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["DEFAULT_LIMITS", "HttpLimits", "guarded_protocol"]

log = logging.getLogger("liaison.exchange")


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """Bounds on what one HTTP client may hold of the server."""

    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    keep_alive_s: float = 5.0
    max_connections: int = 100
    max_header_bytes: int = 16_384

    def __post_init__(self) -> None:
        for name in ("header_timeout_s", "body_timeout_s", "keep_alive_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"HttpLimits.{name} must be > 0 (got {getattr(self, name)})")
        for name in ("max_connections", "max_header_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"HttpLimits.{name} must be >= 1 (got {getattr(self, name)})")


DEFAULT_LIMITS = HttpLimits()


def _raw_response(status: int, reason: str) -> bytes:
    body = b'{"title":"' + reason.encode() + b'","http_status":"' + str(status).encode() + b'"}'
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/taxii+json;version=2.1\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


_TIMEOUT = _raw_response(408, "Request Timeout")
_BUSY = _raw_response(503, "Service Unavailable")


class _GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with per-request read deadlines and a connection cap."""

    limits: ClassVar[HttpLimits] = DEFAULT_LIMITS

    _phase: str | None = None
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            log.warning(
                "refusing a connection from %s: %d connections already open",
                _peer(self.client), self.limits.max_connections,
            )  # fmt: skip
            transport.write(_BUSY)
            transport.close()
            return
        self._watch()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._arm(None)
        super().connection_lost(exc)

    def _watch(self) -> None:
        """Arm the deadline of what is being read now (none while the app works)."""
        if self.transport.is_closing():
            self._arm(None)
            return
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            self._arm("body")
        elif state is h11.IDLE and (self.cycle is None or self.conn.trailing_data[0]):
            self._arm("head")  # a first request, or a new one begun after keep-alive
        else:
            self._arm(None)  # request read; between requests keep-alive rules

    def _arm(self, phase: str | None) -> None:
        if phase == self._phase:
            return  # a trickle never extends a deadline
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._phase = phase
        if phase is not None:
            wait = self.limits.header_timeout_s if phase == "head" else self.limits.body_timeout_s
            self._deadline = self.loop.call_later(wait, self._expired, phase, wait)

    def _expired(self, phase: str, wait: float) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        log.info(
            "closing the connection from %s: request %s not received within %.1f s",
            _peer(self.client), phase, wait,
        )  # fmt: skip
        if phase == "head" and (self.cycle is None or self.cycle.response_complete):
            self.transport.write(_TIMEOUT)
        self.transport.close()


def _peer(client: tuple[str, int] | None) -> str:
    return f"{client[0]}:{client[1]}" if client else "a client"


def guarded_protocol(limits: HttpLimits) -> type[H11Protocol]:
    """The h11 protocol class to give uvicorn (``Config(http=…)``) for ``limits``."""
    attrs: dict[str, Any] = {"limits": limits}
    return type("GuardedH11Protocol", (_GuardedH11,), attrs)
