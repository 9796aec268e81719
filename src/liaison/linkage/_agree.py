"""Agreeing a linkage schema with a partner (both sides run it with the same file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from liaison.audit import journal
from liaison.exchange import get_partner
from liaison.linkage import _state
from liaison.linkage._errors import LinkageError
from liaison.linkage._schema import load_schema

if TYPE_CHECKING:
    from liaison.node import Node


@dataclass(frozen=True, slots=True)
class Agreed:
    partner: str
    name: str
    fingerprint: str
    replaced: str | None


def agree(node: Node, partner: str, schema_file: Path) -> Agreed:
    """Record ``schema_file`` as the schema agreed with ``partner``; create this
    node's OPRF secret for the partnership. A new schema makes earlier token
    keys and batches useless: they are dropped."""
    row = get_partner(node, partner)
    if not row.public_key:
        raise LinkageError(f"{partner} is registered --unsigned: linkage needs its pinned key")
    schema = load_schema(schema_file)
    text = schema_file.read_text(encoding="utf-8")
    _state.oprf_key(node, partner)
    previous = _state.get(node.store, f"{partner}/agreement")
    old = None if previous is None else str(previous["fingerprint"])
    with node.store.transaction() as tx:
        _state.put(
            tx,
            f"{partner}/agreement",
            {"text": text, "fingerprint": schema.fingerprint, "agreed": node.now()},
        )
        if old is not None and old != schema.fingerprint:
            for key in ("token-keys", "published", "received", "matches"):
                _state.put(tx, f"{partner}/{key}", None)
        journal.append(
            node.store,
            tx,
            node.key,
            [
                (
                    "link-agree",
                    partner,
                    {
                        "schema": schema.fingerprint,
                        "name": schema.name,
                        "version": schema.version,
                        "previous": old,
                    },
                )
            ],
            node.now(),
        )
    return Agreed(partner, schema.name, schema.fingerprint, old)
