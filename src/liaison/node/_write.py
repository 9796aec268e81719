"""How a node stores records: check each object (validate, canonicalise, hash,
index), classify against the store, seal the new ones in one signed batch, write
them and audit the batch — the one write path of ingest, sync and the node itself."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from liaison.audit import journal
from liaison.crypto import canonical_json, seal_batch
from liaison.records import RecordIndex, index_of, parse_record
from liaison.store import NewVersion, Seal, Store, Writer

if TYPE_CHECKING:
    from liaison.node import Node


@dataclass(frozen=True, slots=True)
class Checked:
    """One valid object, ready to be classified and written; ``where`` says where
    it came from (for messages)."""

    index: RecordIndex
    body: bytes
    digest: bytes
    where: str


def check_object(obj: dict[str, Any], where: str) -> Checked:
    """Validate and canonicalise one STIX object.

    Raises ``RecordError`` or ``CanonicalizationError`` with a clear message.
    """
    record = parse_record(obj)
    body = canonical_json(obj)
    return Checked(index_of(record), body, hashlib.sha256(body).digest(), where)


@dataclass
class Classified:
    """A batch split against the store: versions to write, versions already held,
    versions clashing with a held one; and the held latest ``modified`` per id."""

    new: list[Checked] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[Checked] = field(default_factory=list)
    latest: dict[str, str] = field(default_factory=dict)


def classify(store: Store, checked: Sequence[Checked]) -> Classified:
    """Same ``(id, modified)`` and body: unchanged; another body: a conflict."""
    out = Classified()
    seen: dict[tuple[str, str], bytes] = {}
    unique: list[Checked] = []
    for c in checked:
        key = (c.index.id, c.index.modified)
        prior = seen.get(key)
        if prior is None:
            seen[key] = c.digest
            unique.append(c)
        elif prior == c.digest:
            out.unchanged += 1
        else:
            out.conflicts.append(c)
    stored, out.latest = store.stored_versions_of([k[0] for k in seen])
    for c in unique:
        digest = stored.get((c.index.id, c.index.modified))
        if digest is None:
            out.new.append(c)
        elif digest == c.digest:
            out.unchanged += 1
        else:
            out.conflicts.append(c)
    return out


def conflict_message(c: Checked) -> str:
    """Why a clashing version is refused."""
    return (
        f"{c.where}: {c.index.id}: version {c.index.modified} already exists with a different "
        "body (a changed record needs a new 'modified')"
    )


def write_checked(
    node: Node,
    tx: Writer,
    new: Sequence[Checked],
    latest: Mapping[str, str],
    *,
    source: str,
    received_from: str | None = None,
) -> None:
    """Seal ``new`` in one signed batch, write it and audit it, inside ``tx``."""
    if not new:
        return
    sealed = seal_batch(node.key, [c.digest for c in new])
    batch_id = tx.add_seal(Seal(sealed.root, sealed.signature, sealed.key_id, sealed.alg))
    tx.add_versions(
        batch_id,
        [
            NewVersion(c.index, c.body, c.digest, i, sealed.proofs[i], received_from)
            for i, c in enumerate(new)
        ],
        latest=latest,
    )
    detail: dict[str, Any] = {
        "count": len(new),
        "batch": batch_id,
        "root": sealed.root.hex(),
        "first": new[0].index.id,
        "last": new[-1].index.id,
    }
    if received_from is not None:
        detail["received_from"] = received_from
    journal.append(node.store, tx, node.key, [("ingest", source, detail)], node.now())


def store_objects(node: Node, objects: Iterable[dict[str, Any]], *, source: str) -> int:
    """Store objects the node itself made (its identity, its assessments): all or
    nothing; an invalid one raises. Returns how many versions were new."""
    checked = [check_object(o, f"{source} object #{n}") for n, o in enumerate(objects, 1)]
    with node.store.transaction() as tx:
        split = classify(node.store, checked)
        if split.conflicts:
            raise ValueError(conflict_message(split.conflicts[0]))
        write_checked(node, tx, split.new, split.latest, source=source)
    return len(split.new)
