"""A sovereign node: its directory, configuration, key, store, clock and ids.

The node is a plain container handed to library functions (ingest, export,
audit, release, …); it holds no logic of its own beyond opening and creating.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from liaison.audit import journal
from liaison.audit.anchor import ANCHOR_NAME
from liaison.crypto import KeyFileError, NodeKey, PublicKey, create_key, load_key
from liaison.node._clock import Clock, IdFactory, SteppingClock, SystemClock, seeded_ids
from liaison.node._config import (
    CONFIG_NAME,
    KEY_PATH,
    NodeConfig,
    NodeError,
    read_config,
    store_url_for,
    write_config,
)
from liaison.node._integrity import RecordCheck, audit_report, verify_record, verify_version
from liaison.node._write import (
    Checked,
    Classified,
    check_object,
    classify,
    conflict_message,
    store_objects,
    write_checked,
)
from liaison.records import EXT_PARTY, format_timestamp, new_id
from liaison.store import Store, open_store

__all__ = [
    "CONFIG_NAME",
    "Checked",
    "Classified",
    "Clock",
    "IdFactory",
    "Node",
    "NodeConfig",
    "NodeError",
    "RecordCheck",
    "SteppingClock",
    "SystemClock",
    "audit_report",
    "check_object",
    "classify",
    "conflict_message",
    "init_node",
    "open_node",
    "read_config",
    "seeded_ids",
    "store_objects",
    "verify_record",
    "verify_version",
    "write_checked",
]


@dataclass
class Node:
    """An open node. Close it (or use it as a context manager) when done."""

    root: Path
    config: NodeConfig
    store: Store
    key: NodeKey
    clock: Clock = field(default_factory=SystemClock)
    ids: IdFactory = field(default=uuid.uuid4)

    @property
    def party_id(self) -> str:
        return self.config.party_id

    @property
    def public_key(self) -> PublicKey:
        return PublicKey.from_b64(self.key.public_key_b64)

    def now(self) -> str:
        """The current time as a STIX timestamp, from the injected clock."""
        return format_timestamp(self.clock.now_ms())

    def new_id(self, stix_type: str) -> str:
        """A new STIX id from the injected id factory."""
        return new_id(stix_type, self.ids)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Node:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_node(root: Path, *, clock: Clock | None = None, ids: IdFactory | None = None) -> Node:
    """Open an existing node directory."""
    config = read_config(root)
    try:
        key = load_key(root / KEY_PATH)
    except KeyFileError as exc:
        raise NodeError(f"{root}: {exc}") from exc
    store = open_store(config.store_url, create=False)
    store.audit_anchor = root / ANCHOR_NAME  # the signed audit head, kept outside the store
    return Node(root, config, store, key, clock or SystemClock(), ids or uuid.uuid4)


def init_node(
    root: Path,
    party: str,
    *,
    store_url: str | None = None,
    node_url: str | None = None,
    clock: Clock | None = None,
    ids: IdFactory | None = None,
) -> Node:
    """Create a node: directory, key pair (0600), configuration, store, and the
    party's own signed identity record. Audited as ``key-create`` and ``ingest``."""
    if (root / CONFIG_NAME).exists():
        raise NodeError(f"{root} is already a node ({CONFIG_NAME} exists)")
    root.mkdir(parents=True, exist_ok=True)
    (root / KEY_PATH.parent).mkdir(mode=0o700, exist_ok=True)
    clock = clock or SystemClock()
    ids = ids or uuid.uuid4
    resolved = store_url_for(root, store_url)
    store = open_store(resolved)  # fails early, before anything is written
    store.audit_anchor = root / ANCHOR_NAME
    try:
        key = create_key(root / KEY_PATH)
    except KeyFileError as exc:
        store.close()
        raise NodeError(f"{root}: {exc}") from exc
    party_id = new_id("identity", ids)
    write_config(root, party, party_id, store_url or "sqlite:///store.db")
    node = Node(root, read_config(root), store, key, clock, ids)
    with store.transaction() as tx:
        journal.append(
            store, tx, key, [("key-create", key.key_id, {"public_key": key.public_key_b64})],
            node.now(),
        )  # fmt: skip
    now = node.now()
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": party_id,
        "created": now,
        "modified": now,
        "created_by_ref": party_id,
        "name": party,
        "identity_class": "organization",
        "extensions": {
            EXT_PARTY: {"extension_type": "property-extension", "public_key": key.public_key_b64}
            | ({"node_url": node_url} if node_url else {})
        },
    }
    store_objects(node, [identity], source="liaison init")
    return node
