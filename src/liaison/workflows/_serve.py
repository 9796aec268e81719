"""Serve a node over TAXII 2.1 with its release scheduler.

The scheduler re-runs release on its own connection to the node every interval, so
records ingested while serving and delays that end are released without a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from liaison.exchange import HttpLimits, TlsFiles
    from liaison.release import ReleaseReport

__all__ = ["ReleaseScheduler", "serve_node"]


class ReleaseScheduler:
    """Calls ``release`` every ``interval_s`` seconds in a background thread until
    stopped. A failing round is passed to ``on_error`` and the next round still runs."""

    def __init__(
        self,
        release: Callable[[], object],
        interval_s: float,
        *,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        if not interval_s > 0:
            raise ValueError(f"release interval must be positive, not {interval_s!r}")
        self._release = release
        self._interval = interval_s
        self._on_error = on_error
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.rounds = 0
        self.failures = 0

    def start(self) -> ReleaseScheduler:
        if self._thread is not None:
            raise RuntimeError("the release scheduler is already running")
        self._thread = threading.Thread(target=self._run, name="liaison-release", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop after the round in progress (waiting at most ``timeout_s``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._release()
            except Exception as exc:  # keep serving; report the problem
                self.failures += 1
                if self._on_error is not None:
                    self._on_error(exc)
            finally:
                self.rounds += 1

    def __enter__(self) -> ReleaseScheduler:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve_node(
    node_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    tls: TlsFiles | None = None,
    max_body_bytes: int | None = None,
    release_interval_s: float = 60.0,
    limits: HttpLimits | None = None,
    on_release: Callable[[ReleaseReport], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
) -> None:
    """Release once, then serve the node's release tables until interrupted, with
    a ``ReleaseScheduler`` every ``release_interval_s`` seconds; ``limits`` bound
    what each HTTP client may hold (docs/exchange.md)."""
    import uvicorn

    from liaison.exchange import DEFAULT_LIMITS, DEFAULT_MAX_BODY, create_app, uvicorn_config
    from liaison.node import open_node
    from liaison.release import materialise_releases

    def release_round() -> None:
        with open_node(node_dir) as node:
            materialise_releases(node)

    node = open_node(node_dir)
    try:
        first = materialise_releases(node)
        if on_release is not None:
            on_release(first)
        app = create_app(node, max_body_bytes=max_body_bytes or DEFAULT_MAX_BODY)
        with ReleaseScheduler(release_round, release_interval_s, on_error=on_error):
            config = uvicorn_config(app, host, port, tls, limits or DEFAULT_LIMITS)
            uvicorn.Server(config).run()
    finally:
        node.close()
