"""What a partner may assert: the entitlement rule applied at sync.

A partner may assert only objects it created, about itself. Whatever it sends,
it is never entitled to

- this node's own identity, or a version of any object this node created;
- an object in this node's name (``created_by_ref`` = this node's party);
- a version of an object whose stored versions another party created (only an
  object's creator versions it);
- another party's identity (an ``identity`` whose id is not the partner's),
  designation (a ``liaison-designation`` whose ``party_ref`` is not the
  partner's party) or assessment (a ``liaison-assessment`` it did not create) —
  the onward-release marking does not extend to these;
- an object created by another registered partner (this node hears that partner
  directly, under its own pinned key);
- any other object it did not create, unless the object carries its originator's
  onward-release marking (it is then accepted as relayed).

``entitlement(obj, standing)`` is a pure function: the object (its signature
already verified and removed) and what the node knows (``Standing``) in, a
``Refusal`` naming the field and the reason out, or ``None`` when the partner is
entitled to the object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from liaison.policy import ONWARD_RELEASE_MARKING_ID
from liaison.records import EXT_PARTY

__all__ = ["PARTY_BOUND_TYPES", "Refusal", "Standing", "entitlement"]

#: STIX types that speak for a party: only that party may assert them, never relayed.
PARTY_BOUND_TYPES = frozenset({"identity", "liaison-designation", "liaison-assessment"})

_NAMES = {
    "identity": "identity",
    "liaison-designation": "designation",
    "liaison-assessment": "assessment",
}


@dataclass(frozen=True, slots=True)
class Standing:
    """What the receiving node knows when it judges one partner's objects.

    ``partner_party`` is the partner's party id, learnt from its identity signed by
    its pinned key; ``None`` for a partner registered ``unsigned`` (its objects'
    creators cannot be checked, so each is judged against the creator it claims).
    ``other_partners`` maps every other registered partner's party id to its name;
    ``creators`` maps each id already stored to the ``created_by_ref`` values of
    its stored versions (``""`` where a version has none).
    """

    own_party: str
    partner: str
    partner_party: str | None
    partner_key: str | None = None
    other_partners: Mapping[str, str] = field(default_factory=dict)
    creators: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a partner is not entitled to an object: the field at fault and the reason."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


def entitlement(obj: Mapping[str, Any], standing: Standing) -> Refusal | None:
    """``None`` when ``standing.partner`` may assert ``obj``, else the ``Refusal``."""
    oid = str(obj.get("id", ""))
    stix_type = str(obj.get("type", ""))
    raw_creator = obj.get("created_by_ref")
    creator = raw_creator if isinstance(raw_creator, str) and raw_creator else None
    own, name = standing.own_party, standing.partner
    held = standing.creators.get(oid, frozenset())

    if oid == own:
        return Refusal("id", f"{oid} is this node's own identity; only this node versions it")
    if own in held:
        return Refusal(
            "id", f"{oid} is an object this node created; a partner may not send a version of it"
        )
    if creator == own:
        return Refusal(
            "created_by_ref",
            f"names this node's own party ({own}); a partner cannot assert objects in its name",
        )
    if creator is None and (standing.partner_party is not None or stix_type in PARTY_BOUND_TYPES):
        return Refusal("created_by_ref", f"is missing; {name} may assert only objects it created")
    if held and (creator or "") not in held:
        return Refusal(
            "created_by_ref",
            f"{creator} is not the creator of the stored versions of {oid} "
            f"({', '.join(sorted(held))}); only an object's creator may version it",
        )
    if creator is not None and creator in standing.other_partners:
        other = standing.other_partners[creator]
        return Refusal(
            "created_by_ref",
            f"names {creator}, the party of partner {other!r}, whose objects this node "
            f"receives from {other!r} itself; {name} may not assert them",
        )
    subject = standing.partner_party or creator
    if creator != subject:
        if stix_type in PARTY_BOUND_TYPES:
            return Refusal(
                "created_by_ref",
                f"another party's {_NAMES[stix_type]} (created by {creator}, not by {name}, "
                f"{subject}) is never accepted from a partner, onward-release marking or not",
            )
        if ONWARD_RELEASE_MARKING_ID not in (obj.get("object_marking_refs") or ()):
            return Refusal(
                "created_by_ref",
                f"released by {name} but created by {creator!r} without the originator's "
                "onward-release marking",
            )
        return None
    return _about_itself(obj, stix_type, subject, standing)


def _about_itself(
    obj: Mapping[str, Any], stix_type: str, subject: str | None, standing: Standing
) -> Refusal | None:
    """A party-bound object created by the partner must be about the partner."""
    name = standing.partner
    if stix_type == "identity":
        oid = obj.get("id")
        if oid != subject:
            return Refusal(
                "id",
                f"{oid} is another party's identity; {name} may assert only its own ({subject})",
            )
        ext = (obj.get("extensions") or {}).get(EXT_PARTY)
        key = ext.get("public_key") if isinstance(ext, Mapping) else None
        if standing.partner_key is not None and key is not None and key != standing.partner_key:
            return Refusal(
                f"extensions.{EXT_PARTY}.public_key",
                f"names a key other than the one pinned for {name}",
            )
    elif stix_type == "liaison-designation":
        party = obj.get("party_ref")
        if party != subject:
            return Refusal(
                "party_ref",
                f"{party} is not {name}'s party ({subject}): a partner may assert only its "
                "own designations",
            )
    return None
