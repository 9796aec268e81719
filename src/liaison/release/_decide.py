"""The one release decision: whether, when and in what form a partner receives one
stored version, against the node's state.

Every path of the release room — the table, ``explain``, ``withheld`` — calls
`decide_version`. In order:

1. A partner without a policy section receives nothing (default deny).
2. A version received from the partner itself is not sent back to it.
3. This node's own identity, in every version it created itself, goes to every
   partner with a policy section (the **own-identity rule**): a partner verifies
   everything else against it. A version of it that a partner sent is never
   released, whatever a rule or marking says.
4. A revocation reaches a partner in the form the partner is now allowed of the
   last earlier version: the rendered view with ``revoked: true``, or nothing when
   no earlier version is released to it (delayed with it when that one is).
5. Everything else: the partner's rules (`liaison.policy.decide`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from liaison.crypto import strip_signature
from liaison.policy import Decision, Explanation, decide, explain, revocation
from liaison.release._state import ReleaseState
from liaison.store import StoredVersion

__all__ = ["OWN_IDENTITY_RULE", "Decision", "decide_version", "explain_version"]

OWN_IDENTITY_RULE = "own-identity"


def _deny(reason: str) -> Decision:
    return Decision(released=False, rule=None, release_at_ms=None, obj=None, reason=reason)


def _own_identity(state: ReleaseState, version: StoredVersion) -> bool:
    ix = version.index
    return ix.id == state.party_id and ix.kind == "party" and version.received_from is None


def decide_version(
    state: ReleaseState,
    partner: str,
    version: StoredVersion,
    obj: Mapping[str, Any],
    earlier: Sequence[tuple[StoredVersion, Mapping[str, Any]]] = (),
) -> Decision:
    """What ``partner`` receives of ``version`` (its parsed body ``obj``).

    ``earlier``: the record's earlier stored versions, oldest first (needed only
    for a revoked version). See the module doc for the order of the rules.
    """
    return _decide(state, partner, version, obj, earlier, explain_rules=False)[0]


def explain_version(
    state: ReleaseState,
    partner: str,
    version: StoredVersion,
    obj: Mapping[str, Any],
    earlier: Sequence[tuple[StoredVersion, Mapping[str, Any]]] = (),
) -> Explanation:
    """`decide_version`, with the verdict of each rule tried (when rules decided)."""
    decision, trace = _decide(state, partner, version, obj, earlier, explain_rules=True)
    return Explanation(
        partner=partner, object_id=str(obj.get("id")), decision=decision, trace=trace
    )


def _decide(
    state: ReleaseState,
    partner: str,
    version: StoredVersion,
    obj: Mapping[str, Any],
    earlier: Sequence[tuple[StoredVersion, Mapping[str, Any]]],
    *,
    explain_rules: bool,
) -> tuple[Decision, tuple[tuple[str, str], ...]]:
    ix = version.index
    if state.policies.get(partner) is None:
        return _deny(f"no policy for partner {partner!r} (default deny)"), ()
    if version.received_from == partner:
        return _deny(f"received from {partner!r}: its own record is not sent back"), ()
    if ix.revoked:
        return _revocation(state, partner, version, obj, earlier), ()
    if ix.id == state.party_id and version.received_from is not None:
        reason = f"a version of this node's identity received from {version.received_from!r}"
        return _deny(reason + ": never released"), ()
    if _own_identity(state, version):
        released = strip_signature(obj)
        reason = f"released by the {OWN_IDENTITY_RULE} rule (this node's identity)"
        decision = Decision(True, OWN_IDENTITY_RULE, None, released, reason)
        return decision, ()
    args = (state.policies, partner, obj, ix)
    kw: dict[str, Any] = {
        "now_ms": state.now_ms,
        "originator_is_self": version.received_from is None,
        "designation_of": state.designation_of,
    }
    if explain_rules:
        e = explain(*args, **kw)
        return e.decision, e.trace
    return decide(*args, **kw), ()


def _revocation(
    state: ReleaseState,
    partner: str,
    version: StoredVersion,
    obj: Mapping[str, Any],
    earlier: Sequence[tuple[StoredVersion, Mapping[str, Any]]],
) -> Decision:
    """A revoked version: the partner's allowed view of the last earlier version."""
    before = [
        (v, o)
        for v, o in earlier
        if not v.index.revoked and v.index.modified < version.index.modified
    ]
    if not before:
        return _deny("revoked, and no earlier version of the record is stored")
    prior_version, prior = before[-1]
    d = decide_version(state, partner, prior_version, prior)
    if d.released and d.obj is not None:
        reason = f"revocation of the view released by rule {d.rule!r}"
        return Decision(True, d.rule, d.release_at_ms, revocation(d.obj, obj), reason)
    if d.release_at_ms is not None:
        reason = f"revocation, delayed with the version it revokes: {d.reason}"
        return Decision(False, d.rule, d.release_at_ms, None, reason)
    return _deny(f"revoked; its last version is not released to {partner!r}: {d.reason}")
