"""``decide``: what, if anything, a partner receives of one record version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from liaison.records import (
    EXT_SIGNATURE,
    KINDS,
    LOCAL_ONLY_KINDS,
    RecordIndex,
    format_timestamp,
    timestamp_ms,
)

from ._marking import ONWARD_RELEASE_MARKING_ID
from ._model import Policies, Rule
from ._select import DesignationLookup, mismatch
from ._transform import transform

__all__ = ["Decision", "decide", "release_time_ms", "revocation"]


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome for one partner and one record version.

    ``released``: ``obj`` is the object as released (transformed, unsigned).
    Not released with ``release_at_ms`` set: a rule releases it at that time
    (decide again then). ``rule`` is the label of the deciding rule, if any;
    ``reason`` says what happened, in words.
    """

    released: bool
    rule: str | None
    release_at_ms: int | None
    obj: dict[str, Any] | None
    reason: str


def release_time_ms(rule: Rule, index: RecordIndex) -> int | None:
    """When ``rule`` lets the record go: the end of its time window (or its start, or
    its ``modified`` if it has no time) plus the delay; ``None`` if the rule has no delay."""
    if not rule.delay_ms:
        return None
    base = index.time_end_ms if index.time_end_ms is not None else index.time_start_ms
    if base is None:
        base = timestamp_ms(index.modified)
    return base + rule.delay_ms


def _deny(reason: str, rule: str | None = None) -> Decision:
    return Decision(released=False, rule=rule, release_at_ms=None, obj=None, reason=reason)


def _no_match(partner: str, rules: tuple[Rule, ...], reasons: list[str], kind: str) -> Decision:
    if not rules:
        return _deny(f"partner {partner!r} has no rules (default deny)")
    if all(r.kinds is not None and kind not in r.kinds for r in rules):
        return _deny(f"no rule of partner {partner!r} selects kind {kind!r}")
    detail = "; ".join(reasons)
    return _deny(f"no rule of partner {partner!r} matches: {detail}")


def decide(
    policies: Policies,
    partner: str,
    obj: Mapping[str, Any],
    index: RecordIndex,
    *,
    now_ms: int,
    originator_is_self: bool,
    designation_of: DesignationLookup,
) -> Decision:
    """Whether ``partner`` receives this version of ``obj`` (with its ``index``) at ``now_ms``.

    Default deny. Person records are never released. Rules are tried in order and
    the first whose selectors all hold decides. A record received from another
    party (``originator_is_self`` false) goes no further unless it carries the
    onward-release marking. A delayed rule releases nothing before its time.
    """
    kind = index.kind
    if kind in LOCAL_ONLY_KINDS:
        return _deny(f"{kind} records are local only and are never released")
    if kind not in KINDS:  # fail closed until rules name STIX types and TLP is enforced
        return _deny(f"{kind} objects (a STIX type of no liaison kind) are not released yet")
    policy = policies.get(partner)
    if policy is None:
        return _deny(f"no policy for partner {partner!r} (default deny)")
    reasons: list[str] = []
    for rule in policy.rules:
        why = mismatch(rule, obj, index, designation_of)
        if why is not None:
            if rule.kinds is None or kind in rule.kinds:
                reasons.append(f"rule {rule.label!r}: {why}")
            continue
        label = rule.label
        if not originator_is_self and ONWARD_RELEASE_MARKING_ID not in (
            obj.get("object_marking_refs") or ()
        ):
            return _deny(
                f"rule {label!r} matches but the record was received from another party "
                "and carries no onward-release marking",
                label,
            )
        at = release_time_ms(rule, index)
        if at is not None and at > now_ms:
            return Decision(
                released=False,
                rule=label,
                release_at_ms=at,
                obj=None,
                reason=f"rule {label!r} matches; delayed until {format_timestamp(at)}",
            )
        released = transform(obj, rule, kind)
        return Decision(
            released=True,
            rule=label,
            release_at_ms=at,
            obj=released,
            reason=f"released by rule {label!r}",
        )
    return _no_match(partner, policy.rules, reasons, kind)


def revocation(released: Mapping[str, Any], revoked: Mapping[str, Any]) -> dict[str, Any]:
    """The revocation to send a partner that holds ``released`` (what it was sent).

    It is that released view with ``revoked: true`` and the ``modified`` of the
    ``revoked`` version, so it tells the partner nothing it did not already hold.
    Send it whatever the policies now say about ``revoked`` (a revoked version a
    rule still selects may instead go out through ``decide``, transformed as usual).
    """
    if released.get("id") != revoked.get("id"):
        raise ValueError("the revoked version is not a version of the released object")
    out = dict(released)
    extensions = out.get("extensions")
    if extensions is not None and EXT_SIGNATURE in extensions:
        extensions = {k: v for k, v in extensions.items() if k != EXT_SIGNATURE}
        if extensions:
            out["extensions"] = extensions
        else:
            del out["extensions"]
    out["revoked"] = True
    out["modified"] = revoked["modified"]
    return out
