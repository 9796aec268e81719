"""Exchange between sovereign nodes: release tables, the TAXII 2.1 server, and sync.

``materialise_releases`` writes each partner's release table (signed, audited);
``create_app`` serves it over TAXII 2.1; ``sync_partner`` pulls a partner's
collection, verifies every object and stores it with provenance.
"""

from __future__ import annotations

from liaison.exchange._app import DEFAULT_MAX_BODY, create_app
from liaison.exchange._auth import new_token, token_hash
from liaison.exchange._release import ReleaseReport, materialise_releases
from liaison.exchange._taxii import STIX_MEDIA, TAXII_MEDIA

__all__ = [
    "DEFAULT_MAX_BODY",
    "STIX_MEDIA",
    "TAXII_MEDIA",
    "ReleaseReport",
    "create_app",
    "materialise_releases",
    "new_token",
    "token_hash",
]
