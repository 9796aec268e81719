"""Checking what a partner sends, object by object, before anything is stored.

An object is accepted when its signature verifies against the partner's pinned
key, the partner is entitled to assert it (``_entitlement``: objects it created,
about itself, never anything of this node's), it is not an older version than
the one already held, and it is a valid liaison record. Objects from a partner
marked ``unsigned`` skip the signature check and are stored marked unverified;
the entitlement rule still holds for them, against the creator they claim.

The partner's party id is learnt from its identity object, signed by the pinned
key and naming that same key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson

from liaison.crypto import (
    CanonicalizationError,
    PublicKey,
    RootCache,
    SignatureError,
    canonical_json,
    strip_signature,
    verify_attached,
)
from liaison.exchange._entitlement import Refusal, Standing, entitlement
from liaison.node import Checked
from liaison.records import EXT_PARTY, EXT_SIGNATURE, RecordError, index_of, parse_record
from liaison.store.exchange import PartnerRow, Receipt


class Refused(NamedTuple):
    """One object refused: which object, which field (``""`` when none), and why."""

    id: str
    modified: str
    reason: str
    field: str = ""
    entitlement: bool = False  # refused by the entitlement rule


@dataclass
class Verdicts:
    """The outcome of checking one page."""

    accepted: list[Checked] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    party_id: str | None = None


def learn_party(
    objects: Sequence[Mapping[str, Any]], key: PublicKey, cache: RootCache
) -> str | None:
    """The partner's party id, from a signed identity object naming the pinned key."""
    for obj in objects:
        if obj.get("type") != "identity" or obj.get("created_by_ref") != obj.get("id"):
            continue
        ext = (obj.get("extensions") or {}).get(EXT_PARTY)
        if not isinstance(ext, Mapping) or ext.get("public_key") != key.b64:
            continue
        try:
            verify_attached(obj, key, cache=cache)
        except SignatureError:
            continue
        return str(obj["id"])
    return None


def check_page(
    partner: PartnerRow,
    objects: Sequence[Any],
    *,
    latest: Mapping[str, str],
    stored: Mapping[tuple[str, str], bytes],
    cache: RootCache,
    received: str,
    own_party: str,
    creators: Mapping[str, frozenset[str]],
    other_partners: Mapping[str, str],
) -> Verdicts:
    """Check a page of objects from ``partner``; nothing is written here.

    ``creators`` holds the ``created_by_ref`` values of the stored versions of the
    page's ids, ``other_partners`` the party id -> name of the other partners
    (what the entitlement rule needs besides this node's ``own_party``).
    """
    out = Verdicts(party_id=partner.party_id)
    key = PublicKey.from_b64(partner.public_key) if partner.public_key else None
    if key is not None and out.party_id is None:
        learnt = learn_party([o for o in objects if isinstance(o, Mapping)], key, cache)
        if learnt != own_party and learnt not in other_partners:  # never another's party
            out.party_id = learnt
    seen = {i: set(c) for i, c in creators.items()}
    for n, obj in enumerate(objects):
        if not isinstance(obj, Mapping):
            out.refused.append(Refused("", "", f"object #{n} is not a JSON object"))
            continue
        oid, modified = str(obj.get("id", "")), str(obj.get("modified", ""))
        try:
            body, canonical, digest, envelope = _open(obj, partner, key, out.party_id, cache)
            standing = Standing(
                own_party=own_party,
                partner=partner.name,
                partner_party=out.party_id if key is not None else None,
                partner_key=partner.public_key,
                other_partners=other_partners,
                creators={oid: frozenset(seen[oid])} if oid in seen else {},
            )
            refusal = entitlement(body, standing)
            if refusal is not None:
                raise _NotEntitled(refusal)
            prior = latest.get(oid)
            if prior is not None and modified < prior and stored.get((oid, modified)) != digest:
                raise _Refusal(f"replayed older version (latest held is {prior})")
            record = parse_record(body)
        except _NotEntitled as exc:
            r = exc.refusal
            out.refused.append(Refused(oid, modified, f"not entitled: {r}", r.field, True))
            continue
        except _Refusal as exc:
            out.refused.append(Refused(oid, modified, str(exc)))
            continue
        except SignatureError as exc:
            out.refused.append(Refused(oid, modified, f"signature refused: {exc}", "signature"))
            continue
        except (RecordError, CanonicalizationError) as exc:
            out.refused.append(Refused(oid, modified, f"not a valid record: {exc}"))
            continue
        seen.setdefault(oid, set()).add(str(body.get("created_by_ref") or ""))
        where = f"{partner.name} object {oid}"
        out.accepted.append(Checked(index_of(record), canonical, digest, where))
        out.receipts.append(
            Receipt(oid, modified, partner.name, key is not None, envelope, received)
        )
    return out


class _Refusal(Exception):
    """An object is refused; the message says why."""


class _NotEntitled(Exception):
    """The partner is not entitled to assert an object."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


def _open(
    obj: Mapping[str, Any],
    partner: PartnerRow,
    key: PublicKey | None,
    party_id: str | None,
    cache: RootCache,
) -> tuple[dict[str, Any], bytes, bytes, str | None]:
    """Verify and unwrap one object: (body, canonical bytes, digest, signature JSON)."""
    if key is None:  # an unsigned partner: stored as unverified
        body = strip_signature(obj)
        canonical = canonical_json(body)
        return body, canonical, hashlib.sha256(canonical).digest(), None
    verified = verify_attached(obj, key, cache=cache)
    if party_id is None:
        raise _Refusal("the partner's identity (signed by its pinned key) is not known yet")
    envelope = orjson.dumps(obj["extensions"][EXT_SIGNATURE], option=orjson.OPT_SORT_KEYS)
    return verified.obj, verified.canonical, verified.digest, envelope.decode()
