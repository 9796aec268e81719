"""The release room (R5): what leaves this node, for whom, in what form — decided,
transformed, materialised, withdrawn, explained and listed as withheld by one code
path.

``decide_version`` is the one decision (policy rules via `liaison.policy`, plus the
rules that depend on the node: default deny without a policy section, nothing sent
back to where it came from, the own-identity rule, revocations in the partner's
current view); ``materialise_releases`` brings every partner's table to exactly
what it allows (re-deciding every served version when a partner's policy or this
node's designations change), exactly once; ``explain_release`` and ``withheld``
read the same decisions back. ``liaison.exchange`` serves the tables over TAXII.
The reference is ``docs/policy.md``.
"""

from __future__ import annotations

from liaison.release._decide import OWN_IDENTITY_RULE, decide_version, explain_version
from liaison.release._explain import ReleaseExplanation, Withheld, explain_release, withheld
from liaison.release._materialise import BATCH, materialise_releases
from liaison.release._settle import ReleaseReport
from liaison.release._state import (
    REGISTRY_KEYS,
    ReleaseState,
    fingerprint,
    node_policies,
    own_designations,
    release_state,
)

__all__ = [
    "BATCH",
    "OWN_IDENTITY_RULE",
    "REGISTRY_KEYS",
    "ReleaseExplanation",
    "ReleaseReport",
    "ReleaseState",
    "Withheld",
    "decide_version",
    "explain_release",
    "explain_version",
    "fingerprint",
    "materialise_releases",
    "node_policies",
    "own_designations",
    "release_state",
    "withheld",
]
