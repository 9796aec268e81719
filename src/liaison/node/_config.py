"""The node's configuration file (``liaison.toml`` in the node directory)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_NAME = "liaison.toml"
KEY_PATH = Path("keys") / "node.key"


class NodeError(Exception):
    """The node directory or its configuration is unusable; the message says why."""


@dataclass(frozen=True, slots=True)
class NodeConfig:
    """What ``liaison init`` decided: who this node is and where its store lives."""

    party: str
    party_id: str
    store_url: str
    raw: dict[str, Any]


def store_url_for(root: Path, url: str | None) -> str:
    """The store URL, with a relative ``sqlite:///`` path resolved against the node dir."""
    if url is None:
        return f"sqlite:///{(root / 'store.db').resolve()}"
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        return f"sqlite:///{(root / url[len('sqlite:///') :]).resolve()}"
    return url


def write_config(root: Path, party: str, party_id: str, store_url: str) -> None:
    """Write a fresh configuration (refuses to overwrite one)."""
    path = root / CONFIG_NAME
    if path.exists():
        raise NodeError(f"{path} already exists: this directory is already a node")
    text = (
        "# liaison node configuration\n"
        "[node]\n"
        f"party = {_toml_str(party)}\n"
        f"party_id = {_toml_str(party_id)}\n"
        f"store = {_toml_str(store_url)}\n"
    )
    path.write_text(text, encoding="utf-8")


def read_config(root: Path) -> NodeConfig:
    """Read and check ``liaison.toml``; errors name the file and the key."""
    path = root / CONFIG_NAME
    if not path.is_file():
        raise NodeError(
            f"{root} is not a liaison node (no {CONFIG_NAME}); "
            f"run 'liaison init {root} --party NAME'"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise NodeError(f"{path}: not valid TOML: {exc}") from exc
    node = raw.get("node")
    if not isinstance(node, dict):
        raise NodeError(f"{path}: missing [node] section")
    values = {}
    for key in ("party", "party_id", "store"):
        value = node.get(key)
        if not isinstance(value, str) or not value:
            raise NodeError(f"{path}: [node] {key} must be a non-empty string")
        values[key] = value
    return NodeConfig(
        party=values["party"],
        party_id=values["party_id"],
        store_url=store_url_for(root, values["store"]),
        raw=raw,
    )


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    if any(ord(c) < 0x20 for c in escaped):
        raise NodeError(f"control characters are not allowed in {value!r}")
    return f'"{escaped}"'
