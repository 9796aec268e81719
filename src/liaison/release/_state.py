"""What release decides against: the node's policies as configured now, the
designations this node itself made, and per partner a fingerprint of both.

A partner's table is decided under one fingerprint; when it changes (its policy
section, or a designation of this node that its rules select on) the whole table
is decided again. The designation lookup counts only designations this node
created about itself (``party_ref`` and ``created_by_ref`` both its own identity,
stored by this node, not received): nothing a partner sends can set them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from liaison.node import CONFIG_NAME, read_config
from liaison.policy import DesignationLookup, Policies, load_policies
from liaison.store import Query

if TYPE_CHECKING:
    from liaison.node import Node

__all__ = [
    "REGISTRY_KEYS",
    "ReleaseState",
    "fingerprint",
    "node_policies",
    "own_designations",
    "release_state",
]

#: Keys of a ``[partners.NAME]`` table that belong to the partner registry.
REGISTRY_KEYS = ("url", "public_key", "unsigned")


@dataclass(frozen=True, slots=True)
class ReleaseState:
    """Everything one release decision depends on, besides the record itself."""

    party_id: str
    policies: Policies
    designations: Mapping[str, str]
    now_ms: int
    #: The raw ``[partners]`` configuration (for fingerprints).
    raw: Mapping[str, Any]

    @property
    def designation_of(self) -> DesignationLookup:
        return self.designations.get


def node_policies(node: Node) -> Policies:
    """The policies of the node's configuration file as it is now (re-read)."""
    raw = read_config(node.root).raw
    return load_policies(raw, source=str(node.root / CONFIG_NAME), extra_partner_keys=REGISTRY_KEYS)


def own_designations(node: Node) -> dict[str, str]:
    """This node's own designation status of each group (latest ``since`` wins).

    Counted: designations stored by this node itself (not received), about this
    node's party (``party_ref``) and created by it (``created_by_ref``); never
    one a partner sent, whatever it claims.
    """
    status: dict[str, tuple[str, str]] = {}
    query = Query(kinds=("designation",), party=node.party_id)
    for v in node.store.query(query):
        if v.index.revoked or v.index.group_ref is None or v.received_from is not None:
            continue
        body = orjson.loads(v.body)
        if body.get("created_by_ref") != node.party_id:
            continue
        seen = status.get(v.index.group_ref)
        since = str(body.get("since", ""))
        if seen is None or since >= seen[0]:
            status[v.index.group_ref] = (since, str(body.get("status")))
    return {group: s for group, (_, s) in status.items()}


def release_state(node: Node) -> ReleaseState:
    """The state release decides against, read now."""
    raw = read_config(node.root).raw
    policies = load_policies(
        raw, source=str(node.root / CONFIG_NAME), extra_partner_keys=REGISTRY_KEYS
    )
    return ReleaseState(
        party_id=node.party_id,
        policies=policies,
        designations=own_designations(node),
        now_ms=node.clock.now_ms(),
        raw=raw.get("partners", {}),
    )


def fingerprint(state: ReleaseState, partner: str) -> str:
    """SHA-256 over what decides a partner's table: its policy section (registry keys
    left out), and this node's designations when one of its rules selects on them."""
    section = state.raw.get(partner)
    if isinstance(section, Mapping):
        section = {k: v for k, v in section.items() if k not in REGISTRY_KEYS}
    policy = state.policies.get(partner)
    uses = policy is not None and any(r.designation is not None for r in policy.rules)
    text = orjson.dumps(
        {
            "party": state.party_id,
            "policy": section,
            "designations": sorted(state.designations.items()) if uses else None,
        },
        option=orjson.OPT_SORT_KEYS,
        default=str,
    )
    return hashlib.sha256(text).hexdigest()


def fingerprints(state: ReleaseState, partners: Sequence[str]) -> dict[str, str]:
    return {name: fingerprint(state, name) for name in partners}
