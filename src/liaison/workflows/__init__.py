"""One workflow layer above ingest, sync and release.

Each function here is what one command of the CLI (or one step of the demo) does,
as a single library call: library users get exactly the CLI's behaviour.

- ``ingest_and_release``: ingest files, then bring every partner's table up to date.
- ``sync_and_release`` / ``watch_and_release``: pull partners, then re-release.
- ``connect_partner``: registry entry, credential and TLS files in one atomic step.
- ``ReleaseScheduler`` / ``serve_node``: the TAXII server with its release ticker.
"""

from __future__ import annotations

from liaison.workflows._exchange import SyncOutcome, sync_and_release, watch_and_release
from liaison.workflows._partners import PartnerConnected, PartnerTls, connect_partner
from liaison.workflows._records import FileOutcome, IngestOutcome, ingest_and_release
from liaison.workflows._serve import ReleaseScheduler, serve_node

__all__ = [
    "FileOutcome",
    "IngestOutcome",
    "PartnerConnected",
    "PartnerTls",
    "ReleaseScheduler",
    "SyncOutcome",
    "connect_partner",
    "ingest_and_release",
    "serve_node",
    "sync_and_release",
    "watch_and_release",
]
