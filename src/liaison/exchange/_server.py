"""Running the TAXII app: in the foreground (``liaison serve``) or in a thread
(tests, benchmarks, the demo) on a free loopback port, always under the HTTP
limits of ``_limits`` (read timeouts, keep-alive, connection cap)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import uvicorn

from liaison.exchange._limits import DEFAULT_LIMITS, HttpLimits, guarded_protocol


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """Server certificate and key; with ``client_ca``, clients must present a
    certificate signed by it (mutual TLS)."""

    certfile: str
    keyfile: str
    client_ca: str | None = None


def uvicorn_config(
    app: Any,
    host: str,
    port: int,
    tls: TlsFiles | None = None,
    limits: HttpLimits = DEFAULT_LIMITS,
) -> uvicorn.Config:
    """The uvicorn settings liaison serves with: TLS and mutual TLS when given, and
    ``limits`` (head and body read timeouts, keep-alive, connections, head size)."""
    extra: dict[str, Any] = {}
    if tls is not None:
        import ssl

        extra = {"ssl_certfile": tls.certfile, "ssl_keyfile": tls.keyfile}
        if tls.client_ca is not None:
            extra |= {"ssl_ca_certs": tls.client_ca, "ssl_cert_reqs": ssl.CERT_REQUIRED}
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        http=guarded_protocol(limits),
        timeout_keep_alive=limits.keep_alive_s,  # type: ignore[arg-type]  # a float works
        limit_concurrency=limits.max_connections,
        h11_max_incomplete_event_size=limits.max_header_bytes,
        **extra,
    )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class ServerThread:
    """Serve an ASGI app with uvicorn in a daemon thread; a context manager."""

    def __init__(
        self,
        app: Any,
        host: str = "127.0.0.1",
        port: int | None = None,
        tls: TlsFiles | None = None,
        limits: HttpLimits = DEFAULT_LIMITS,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.scheme = "https" if tls is not None else "http"
        self.server = uvicorn.Server(uvicorn_config(app, host, self.port, tls, limits))
        self.thread = threading.Thread(target=self.server.run, name="taxii-server", daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"TAXII server did not start on {self.url}")
            time.sleep(0.02)
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
