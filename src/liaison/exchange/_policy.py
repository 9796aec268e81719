"""What release needs from the node beyond the policy engine: the policies as
currently configured, this node's designations, and a fingerprint of both the
policies and the partner registry (a change triggers a full re-evaluation)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import orjson

from liaison.node import CONFIG_NAME, read_config
from liaison.policy import DesignationLookup, Policies, load_policies
from liaison.store import Query
from liaison.store.exchange import PartnerRow

if TYPE_CHECKING:
    from liaison.node import Node

#: Keys of a ``[partners.NAME]`` table that belong to the partner registry.
REGISTRY_KEYS = ("url", "public_key", "unsigned")


def node_policies(node: Node) -> Policies:
    """The policies of the node's configuration file as it is now (re-read)."""
    raw = read_config(node.root).raw
    return load_policies(raw, source=str(node.root / CONFIG_NAME), extra_partner_keys=REGISTRY_KEYS)


def policies_fingerprint(node: Node, partner_rows: Sequence[PartnerRow]) -> str:
    """SHA-256 over the ``[partners]`` configuration and the registered partner names."""
    raw = read_config(node.root).raw.get("partners", {})
    text = orjson.dumps(
        {"policies": raw, "partners": sorted(p.name for p in partner_rows)},
        option=orjson.OPT_SORT_KEYS,
        default=str,
    )
    return hashlib.sha256(text).hexdigest()


def designations(node: Node) -> DesignationLookup:
    """This node's own designation status of each group (latest designation wins)."""
    status: dict[str, tuple[str, str]] = {}
    for v in node.store.query(Query(kinds=("designation",), party=node.party_id)):
        if v.index.revoked or v.index.group_ref is None:
            continue
        body = orjson.loads(v.body)
        seen = status.get(v.index.group_ref)
        since = str(body.get("since", ""))
        if seen is None or since >= seen[0]:
            status[v.index.group_ref] = (since, str(body.get("status")))
    table = {group: s for group, (_, s) in status.items()}
    return table.get
