"""Publishing encodings to a partner and matching the partner's against ours.

``publish`` encodes this node's own person records under the partnership's
token keys (evaluating new tokens with the partner first), gives each an opaque
pseudonym (fresh and random for every batch; only this node can resolve it),
shuffles, signs and keeps the batch for the partner to fetch. ``match`` fetches
the partner's batch, verifies it (pinned key, schema and key fingerprints —
before anything is compared) and lists candidate pairs with their scores.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from liaison.audit import journal
from liaison.crypto import PublicKey
from liaison.exchange import get_partner
from liaison.linkage import _state, _wire
from liaison.linkage._client import connected
from liaison.linkage._encode import encode
from liaison.linkage._errors import BatchError, LinkageError, MismatchError
from liaison.linkage._evaluate import obtain_keys, partnership_keys
from liaison.linkage._match import match as match_encodings
from liaison.linkage._person import person_values
from liaison.linkage._tokens import PERMUTATION_TOKEN, tokenize
from liaison.store import Query

if TYPE_CHECKING:
    from liaison.linkage._client import LinkageClient
    from liaison.node import Node


@dataclass(frozen=True, slots=True)
class Published:
    batch: str
    count: int
    skipped: list[str]
    evaluated: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A pair above the threshold: this node's record, the partner's pseudonym."""

    record: str
    pseudonym: str
    score: float


@dataclass(frozen=True, slots=True)
class MatchReport:
    own_batch: str
    partner_batch: str
    compared: int
    candidates: list[Candidate]


def own_persons(node: Node) -> list[dict[str, Any]]:
    """This node's own person records (latest versions, not revoked, not received)."""
    out = []
    for v in node.store.query(Query(kinds=("person",), latest_only=True)):
        if v.received_from is None and not v.index.revoked:
            out.append(orjson.loads(v.body))
    return out


def publish(
    node: Node, partner: str, client: LinkageClient | None = None, *, skip_unlinkable: bool = False
) -> Published:
    """Encode, pseudonymise, sign and keep this node's batch for ``partner``."""
    agreed = _state.agreement(node.store, partner)
    schema = agreed.schema
    records = own_persons(node)
    if not records:
        raise LinkageError("this node holds no person records of its own: nothing to publish")
    skipped: list[str] = []
    batch = tokenize(
        schema,
        [(o["id"], person_values(o)) for o in records],
        skipped=skipped if skip_unlinkable else None,
    )
    if not len(batch):
        raise LinkageError("no person record has a value in any linkage field")
    held_before = len(_state.token_keys(node.store, partner))
    with connected(node, partner, client) as c:
        keys = obtain_keys(node, partner, [*batch.vocab, PERMUTATION_TOKEN], c)
    evaluated = len(_state.token_keys(node.store, partner)) - held_before
    encodings = encode(schema, batch, keys)
    order = np.random.default_rng(secrets.randbits(64)).permutation(len(batch))
    pseudonyms = [f"lkp-{secrets.token_hex(12)}" for _ in range(len(batch))]
    body = _wire.Batch(
        batch=f"lkb-{secrets.token_hex(8)}",
        sender=node.party_id,
        recipient=partner,
        schema=agreed.fingerprint,
        keys=partnership_keys(node, partner),
        created=node.now(),
        pseudonyms=pseudonyms,
        encodings=encodings[order],
    ).body()
    signed = _wire.sign(node.key, _wire.BATCH_TYPE, body)
    resolve = {p: batch.ids[int(i)] for p, i in zip(pseudonyms, order, strict=True)}
    with node.store.transaction() as tx:
        _state.put(tx, f"{partner}/published", signed)
        retained = _state.get(node.store, f"{partner}/pseudonyms") or {}
        retained = {
            k: v for k, v in list(retained.items())[-2:]
        }  # the last batches stay resolvable
        retained[body["batch"]] = resolve
        _state.put(tx, f"{partner}/pseudonyms", retained)
        journal.append(
            node.store,
            tx,
            node.key,
            [
                (
                    "link-publish",
                    partner,
                    {
                        "batch": body["batch"],
                        "count": len(pseudonyms),
                        "schema": agreed.fingerprint,
                        "keys": body["keys"],
                        "skipped": len(skipped),
                    },
                )
            ],
            node.now(),
        )
    return Published(body["batch"], len(pseudonyms), skipped, evaluated)


def served_batch(node: Node, partner: str) -> dict[str, Any] | None:
    """The signed batch this node published for ``partner`` (what the route serves)."""
    found = _state.get(node.store, f"{partner}/published")
    return found if isinstance(found, dict) else None


def check_batch(node: Node, partner: str, body: Any) -> _wire.Batch:
    """Verify a partner's batch: shape, signature by its pinned key, addressed to
    this node, same schema, same keys. Nothing is compared before this passes."""
    agreed = _state.agreement(node.store, partner)
    what = f"{partner}'s encoding batch"
    if not isinstance(body, dict):
        raise BatchError(f"{what} is not a JSON object")
    if body.get("schema") != agreed.fingerprint:
        raise MismatchError(
            f"{what} was made with schema {body.get('schema')!r}, not the one agreed "
            f"({agreed.fingerprint}): refused before matching"
        )
    row = get_partner(node, partner)
    if not row.public_key:
        raise LinkageError(f"{partner} has no pinned node key: linkage needs a signing partner")
    _wire.verify(PublicKey.from_b64(row.public_key), _wire.BATCH_TYPE, body, what)
    batch = _wire.parse_batch(body, bits=agreed.schema.bits, what=what)
    if batch.recipient != node.config.party:
        raise BatchError(f"{what} is addressed to {batch.recipient!r}, not to this node")
    if row.party_id and batch.sender != row.party_id:
        raise BatchError(f"{what} claims to come from {batch.sender}, not {row.party_id}")
    if batch.keys != partnership_keys(node, partner):
        raise MismatchError(
            f"{what} was made under other OPRF keys than this partnership's: "
            "refused before matching"
        )
    return batch


def match(
    node: Node, partner: str, client: LinkageClient | None = None, *, threshold: float | None = None
) -> MatchReport:
    """Fetch ``partner``'s batch, verify it, and list candidate pairs (best first)."""
    agreed = _state.agreement(node.store, partner)
    with connected(node, partner, client) as c:
        theirs = check_batch(node, partner, c.call("GET", "batch"))
    mine_raw = served_batch(node, partner)
    if mine_raw is None:
        raise LinkageError(
            f"publish to {partner} first ('liaison link publish {partner}'): "
            "matching compares the partner's batch with this node's"
        )
    mine = _wire.parse_batch(mine_raw, bits=agreed.schema.bits, what="this node's batch")
    resolve = (_state.get(node.store, f"{partner}/pseudonyms") or {}).get(mine.batch, {})
    pairs = match_encodings(agreed.schema, mine.encodings, theirs.encodings, threshold=threshold)
    candidates = [
        Candidate(resolve[mine.pseudonyms[int(i)]], theirs.pseudonyms[int(j)], float(s))
        for i, j, s in zip(pairs.left, pairs.right, pairs.score, strict=True)
    ]
    t = agreed.schema.threshold if threshold is None else threshold
    with node.store.transaction() as tx:
        _state.put(
            tx, f"{partner}/received", {"batch": theirs.batch, "pseudonyms": theirs.pseudonyms}
        )
        _state.put(
            tx,
            f"{partner}/matches",
            [[c.record, c.pseudonym, round(c.score, 4)] for c in candidates],
        )
        journal.append(
            node.store,
            tx,
            node.key,
            [
                (
                    "link-match",
                    partner,
                    {
                        "own_batch": mine.batch,
                        "partner_batch": theirs.batch,
                        "own": len(mine.pseudonyms),
                        "theirs": len(theirs.pseudonyms),
                        "compared": pairs.compared,
                        "threshold": t,
                        "candidates": len(candidates),
                    },
                )
            ],
            node.now(),
        )
    return MatchReport(mine.batch, theirs.batch, pairs.compared, candidates)
