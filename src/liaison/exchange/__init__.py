"""Exchange between sovereign nodes: the wire — partners, the TAXII 2.1 server and
client, and sync.

``create_app`` serves each partner's release table over TAXII 2.1;
``sync_partner`` pulls a partner's collection, verifies every object and stores
it with provenance. What goes into the tables is decided in `liaison.release`
(``materialise_releases``, ``explain_release``, ``withheld`` are re-exported
here for compatibility).
"""

from __future__ import annotations

from liaison.exchange._app import DEFAULT_MAX_BODY, create_app
from liaison.exchange._auth import authenticate, new_token, token_from_header, token_hash
from liaison.exchange._client import auth_header, tls_context
from liaison.exchange._limits import DEFAULT_LIMITS, HttpLimits
from liaison.exchange._partners import (
    PartnerError,
    add_partner,
    get_partner,
    issue_token,
    list_partners,
    load_credential,
    load_tls,
    save_credential,
    save_tls,
)
from liaison.exchange._server import ServerThread, TlsFiles, free_port, uvicorn_config
from liaison.exchange._sync import COMMIT_OBJECTS, SyncReport, sync_all, sync_partner, watch
from liaison.exchange._taxii import STIX_MEDIA, TAXII_MEDIA
from liaison.release import (
    REGISTRY_KEYS,
    ReleaseExplanation,
    ReleaseReport,
    Withheld,
    explain_release,
    materialise_releases,
    node_policies,
    withheld,
)

__all__ = [
    "COMMIT_OBJECTS",
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_BODY",
    "REGISTRY_KEYS",
    "STIX_MEDIA",
    "TAXII_MEDIA",
    "HttpLimits",
    "PartnerError",
    "ReleaseExplanation",
    "ReleaseReport",
    "ServerThread",
    "SyncReport",
    "TlsFiles",
    "Withheld",
    "add_partner",
    "auth_header",
    "authenticate",
    "create_app",
    "explain_release",
    "free_port",
    "get_partner",
    "issue_token",
    "list_partners",
    "load_credential",
    "load_tls",
    "materialise_releases",
    "new_token",
    "node_policies",
    "save_credential",
    "save_tls",
    "sync_all",
    "sync_partner",
    "tls_context",
    "token_from_header",
    "token_hash",
    "uvicorn_config",
    "watch",
    "withheld",
]
