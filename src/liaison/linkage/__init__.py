"""Privacy-preserving record linkage of person records between two partners.

Person records never leave a node. Each node encodes its own as hardened keyed
Bloom filters (1,024 bits; salted by a stable field, balanced or XOR-folded)
whose token keys need both nodes' secrets (a two-party oblivious PRF), publishes
the encodings under opaque pseudonyms, matches the partner's against its own
(Dice with blocking), and discloses a matched record only on request, after its
operator approves and as its disclosure policy allows.

This module is light to import; the numeric work (numpy, numba) loads when used.

Library (one call per CLI command)::

    agree(node, partner, schema_file)           # liaison link agree PARTNER FILE
    publish(node, partner, client)              # liaison link publish PARTNER
    match(node, partner, client)                # liaison link match PARTNER
    request(node, partner, pseudonym, client)   # liaison link request PARTNER PSEUDONYM
    requests(node), approve(node, request_id), deny(node, request_id, reason)
    collect(node, partner, client)              # liaison link collect PARTNER

Pure core: ``parse_schema`` / ``load_schema`` / ``default_schema``, ``tokenize``,
``encode``, ``match_encodings``; ``liaison.linkage.generate`` makes generated
(never real) person records; ``liaison.linkage.attacks`` runs the known attacks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liaison.linkage._errors import (
    BatchError,
    BudgetExceeded,
    LinkageError,
    LinkageInputError,
    MismatchError,
    SchemaError,
)
from liaison.linkage._schema import (
    Blocking,
    FieldSpec,
    Hardening,
    Schema,
    default_schema,
    default_schema_text,
    load_schema,
    parse_schema,
)

if TYPE_CHECKING:
    from liaison.linkage._agree import Agreed, agree
    from liaison.linkage._client import LinkageClient, PartnerUnreachable
    from liaison.linkage._disclose import Request, approve, collect, deny, request, requests
    from liaison.linkage._encode import encode
    from liaison.linkage._match import Pairs
    from liaison.linkage._match import match as match_encodings
    from liaison.linkage._person import person_values
    from liaison.linkage._publish import Candidate, MatchReport, Published, match, publish
    from liaison.linkage._tokens import Tokenized, tokenize

_LAZY = {
    "Agreed": "_agree",
    "agree": "_agree",
    "LinkageClient": "_client",
    "PartnerUnreachable": "_client",
    "Request": "_disclose",
    "approve": "_disclose",
    "collect": "_disclose",
    "deny": "_disclose",
    "request": "_disclose",
    "requests": "_disclose",
    "encode": "_encode",
    "Pairs": "_match",
    "person_values": "_person",
    "Candidate": "_publish",
    "MatchReport": "_publish",
    "Published": "_publish",
    "match": "_publish",
    "publish": "_publish",
    "Tokenized": "_tokens",
    "tokenize": "_tokens",
}


def __getattr__(name: str) -> Any:
    if name == "match_encodings":
        from liaison.linkage._match import match as found

        return found
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'liaison.linkage' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"liaison.linkage.{module}"), name)


__all__ = [
    "Agreed",
    "BatchError",
    "Blocking",
    "BudgetExceeded",
    "Candidate",
    "FieldSpec",
    "Hardening",
    "LinkageClient",
    "LinkageError",
    "LinkageInputError",
    "MatchReport",
    "MismatchError",
    "Pairs",
    "PartnerUnreachable",
    "Published",
    "Request",
    "Schema",
    "SchemaError",
    "Tokenized",
    "agree",
    "approve",
    "collect",
    "default_schema",
    "default_schema_text",
    "deny",
    "encode",
    "load_schema",
    "match",
    "match_encodings",
    "parse_schema",
    "person_values",
    "publish",
    "request",
    "requests",
    "tokenize",
]
