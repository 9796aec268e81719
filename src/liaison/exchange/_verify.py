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
from liaison.exchange._entitlement import Standing, entitlement
from liaison.node import Checked
from liaison.records import (
    EXT_PARTY,
    EXT_SIGNATURE,
    RecordError,
    RecordIndex,
    index_of,
    parse_record,
)
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


#: What opening one object gives: ``("refused", reason, field)`` when its signature
#: (or its canonical form) fails, else ``("ok", canonical, digest, envelope,
#: index fields or None, why it is not a valid record, body or None)``.
Opened = tuple[Any, ...]


def open_objects(objects: Sequence[Any], key: PublicKey | None, cache: RootCache) -> list[Opened]:
    """Verify, canonicalise, parse and index each object: the work that needs no
    store (pure CPU; `open_page` runs it in the sync worker process)."""
    return [_open_one(obj, key, cache) for obj in objects]


_WORKER_CACHES: dict[str, RootCache] = {}


def open_page(raw: bytes, key_b64: str) -> list[Opened]:
    """`open_objects` over a page's answer as received (in the sync worker: the
    root cache lives as long as the worker). Bodies are not sent back."""
    cache = _WORKER_CACHES.setdefault(key_b64, RootCache())
    objects = orjson.loads(raw).get("objects") or []
    opened = open_objects(objects, PublicKey.from_b64(key_b64), cache)
    return [(*o[:6], None) if o[0] == "ok" else o for o in opened]


def _open_one(obj: Any, key: PublicKey | None, cache: RootCache) -> Opened:
    if not isinstance(obj, Mapping):
        return ("refused", "not a JSON object", "")
    try:
        body, canonical, digest, envelope = _open(obj, key, cache)
    except SignatureError as exc:
        return ("refused", f"signature refused: {exc}", "signature")
    except CanonicalizationError as exc:
        return ("refused", f"not a valid record: {exc}", "")
    try:
        ix = index_of(parse_record(body))
    except (RecordError, CanonicalizationError) as exc:
        return ("ok", canonical, digest, envelope, None, f"not a valid record: {exc}", body)
    fields = (ix.id, ix.modified, ix.kind, ix.time_start_ms, ix.time_end_ms, ix.group_ref,
              ix.party_ref, ix.latitude, ix.longitude, ix.precision_m, ix.revoked)  # fmt: skip
    return ("ok", canonical, digest, envelope, fields, "", body)


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
    opened: Sequence[Opened] | None = None,
) -> Verdicts:
    """Check a page of objects from ``partner``; nothing is written here.

    ``creators`` holds the ``created_by_ref`` values of the stored versions of the
    page's ids, ``other_partners`` the party id -> name of the other partners
    (what the entitlement rule needs besides this node's ``own_party``).
    ``opened`` is `open_objects` of the page when it was already run (by the sync
    worker); the order of the checks, and so every refusal's reason, is the same.
    """
    out = Verdicts(party_id=partner.party_id)
    key = PublicKey.from_b64(partner.public_key) if partner.public_key else None
    if key is not None and out.party_id is None:
        learnt = learn_party([o for o in objects if isinstance(o, Mapping)], key, cache)
        if learnt != own_party and learnt not in other_partners:  # never another's party
            out.party_id = learnt
    if opened is None or len(opened) != len(objects):
        opened = open_objects(objects, key, cache)
    # the creators of each id's stored versions and of those accepted so far
    seen = dict(creators)
    standing = Standing(
        own_party=own_party,
        partner=partner.name,
        partner_party=out.party_id if key is not None else None,
        partner_key=partner.public_key,
        other_partners=other_partners,
        creators=seen,
    )
    for n, (obj, op) in enumerate(zip(objects, opened, strict=True)):
        if not isinstance(obj, Mapping):
            out.refused.append(Refused("", "", f"object #{n} is not a JSON object"))
            continue
        oid, modified = str(obj.get("id", "")), str(obj.get("modified", ""))
        if op[0] == "refused":
            out.refused.append(Refused(oid, modified, op[1], op[2]))
            continue
        _, canonical, digest, envelope, fields, invalid, body = op
        if key is not None and out.party_id is None:
            reason = "the partner's identity (signed by its pinned key) is not known yet"
            out.refused.append(Refused(oid, modified, reason))
            continue
        if body is None:
            body = orjson.loads(canonical)
        refusal = entitlement(body, standing)
        if refusal is not None:
            why = f"not entitled: {refusal}"
            out.refused.append(Refused(oid, modified, why, refusal.field, True))
            continue
        prior = latest.get(oid)
        if prior is not None and modified < prior and stored.get((oid, modified)) != digest:
            why = f"replayed older version (latest held is {prior})"
            out.refused.append(Refused(oid, modified, why))
            continue
        if fields is None:
            out.refused.append(Refused(oid, modified, invalid))
            continue
        seen[oid] = seen.get(oid, frozenset()) | {str(body.get("created_by_ref") or "")}
        where = f"{partner.name} object {oid}"
        out.accepted.append(Checked(RecordIndex(*fields), canonical, digest, where))
        out.receipts.append(
            Receipt(oid, modified, partner.name, key is not None, envelope, received)
        )
    return out


def _open(
    obj: Mapping[str, Any], key: PublicKey | None, cache: RootCache
) -> tuple[dict[str, Any], bytes, bytes, str | None]:
    """Verify and unwrap one object: (body, canonical bytes, digest, signature JSON)."""
    if key is None:  # an unsigned partner: stored as unverified
        body = strip_signature(obj)
        canonical = canonical_json(body)
        return body, canonical, hashlib.sha256(canonical).digest(), None
    verified = verify_attached(obj, key, cache=cache)
    envelope = orjson.dumps(obj["extensions"][EXT_SIGNATURE], option=orjson.OPT_SORT_KEYS)
    return verified.obj, verified.canonical, verified.digest, envelope.decode()
