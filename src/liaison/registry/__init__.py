"""The registry of parties and armed groups: create them as proper records, and
turn the names people use (``nl``, ``Islamic State``) into the ids records carry.

Parties are STIX ``identity`` records (organization): the node's own and its
partners' (with their key), and external parties added here (without one).
Groups are STIX ``threat-actor`` records, with their aliases. Both are created
through the node's one write path (checked, sealed, stored, audited).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import orjson

from liaison.node import store_objects
from liaison.records import EXT_PARTY, LIAISON_IDENTITY_ID
from liaison.store import Query, Store

if TYPE_CHECKING:
    from liaison.node import Node

__all__ = [
    "Entry",
    "NameKind",
    "RegistryError",
    "UnknownName",
    "add_group",
    "add_party",
    "entries",
    "name_table",
    "names_by_id",
    "resolve",
]

NameKind = Literal["party", "group"]


class RegistryError(ValueError):
    """A party or group cannot be added (a name already taken, an empty name)."""


class UnknownName(LookupError):
    """A name (or id) that names no party or group; the message lists the known ones."""

    def __init__(self, kind: str, name: str, known: Sequence[str], *, ambiguous: bool = False):
        self.kind, self.name, self.known = kind, name, tuple(known)
        if ambiguous:
            message = f"{kind} name {name!r} is ambiguous: it names {', '.join(known)}; use an id"
        else:
            listed = ", ".join(known[:30]) + (" …" if len(known) > 30 else "")
            hint = listed or f"none yet; add one with 'liaison {kind} add NAME'"
            message = f"no {kind} named {name!r} in this node (known: {hint})"
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class Entry:
    """One party or group as the registry shows it."""

    id: str
    kind: NameKind
    name: str
    aliases: tuple[str, ...] = ()
    runs_node: bool = False  # a party with a node key
    created_by_ref: str | None = None
    received_from: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _check_kind(kind: str) -> None:
    if kind not in ("party", "group"):
        raise ValueError(f"the registry holds parties and groups, not {kind!r}")


def entries(store: Store, kind: NameKind) -> list[Entry]:
    """Every current party (or group) the node holds, by name."""
    _check_kind(kind)
    out: list[Entry] = []
    for v in store.query(Query(kinds=(kind,), include_revoked=False)):
        if v.index.id == LIAISON_IDENTITY_ID:
            continue  # the liaison project (author of the extension definitions)
        obj = orjson.loads(v.body)
        aliases = obj.get("aliases", []) if kind == "group" else []
        extensions = obj.get("extensions") or {}
        out.append(
            Entry(
                id=v.index.id,
                kind=kind,
                name=str(obj.get("name", "")),
                aliases=tuple(a for a in aliases if isinstance(a, str)),
                runs_node=kind == "party" and EXT_PARTY in extensions,
                created_by_ref=obj.get("created_by_ref"),
                received_from=v.received_from,
            )
        )
    return sorted(out, key=lambda e: (e.name.casefold(), e.id))


def _by_name(found: Sequence[Entry]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for e in found:
        for name in {n.casefold() for n in e.names}:
            ids = table.setdefault(name, [])
            if e.id not in ids:
                ids.append(e.id)
    return table


def name_table(store: Store, kind: NameKind) -> dict[str, str]:
    """Each unambiguous name and alias (as written and case-folded) -> its id."""
    found = entries(store, kind)
    table: dict[str, str] = {}
    for name, ids in _by_name(found).items():
        if len(ids) == 1:
            table[name] = ids[0]
    for e in found:
        for name in e.names:
            if table.get(name.casefold()) == e.id:
                table[name] = e.id
    return table


def names_by_id(store: Store, kind: NameKind) -> dict[str, str]:
    """Each party (or group) id -> its name, to show beside ids."""
    return {e.id: e.name for e in entries(store, kind)}


def resolve(store: Store, kind: NameKind, text: str) -> str:
    """The id a name (or alias, any case) stands for; an id is returned as it is if
    the node holds it. Raises ``UnknownName`` listing the known names."""
    _check_kind(kind)
    stix_type = "identity" if kind == "party" else "threat-actor"
    found = entries(store, kind)
    if text.startswith(f"{stix_type}--"):
        if any(e.id == text for e in found):
            return text
        raise UnknownName(kind, text, [e.name for e in found])
    ids = _by_name(found).get(text.casefold(), [])
    if len(ids) == 1:
        return ids[0]
    if len(ids) > 1:
        raise UnknownName(kind, text, ids, ambiguous=True)
    raise UnknownName(kind, text, [e.name for e in found])


def _new(node: Node, kind: NameKind, name: str, aliases: Sequence[str]) -> tuple[str, str]:
    name = name.strip()
    if not name:
        raise RegistryError(f"a {kind} needs a name")
    taken = _by_name(entries(node.store, kind))
    for n in (name, *aliases):
        if n.casefold() in taken:
            raise RegistryError(f"a {kind} named {n!r} already exists ({taken[n.casefold()][0]})")
    return name, node.now()


def add_party(node: Node, name: str, *, description: str | None = None) -> Entry:
    """Add an external party (one that runs no liaison node): a STIX identity."""
    name, now = _new(node, "party", name, ())
    obj = {
        "type": "identity",
        "spec_version": "2.1",
        "id": node.new_id("identity"),
        "created": now,
        "modified": now,
        "created_by_ref": node.party_id,
        "name": name,
        "identity_class": "organization",
    } | ({"description": description} if description else {})
    return _store(node, obj, "party")


def add_group(
    node: Node,
    name: str,
    *,
    aliases: Sequence[str] = (),
    description: str | None = None,
) -> Entry:
    """Add an armed group: a STIX threat-actor with its aliases."""
    clean = [a.strip() for a in aliases if a.strip()]
    name, now = _new(node, "group", name, clean)
    obj = (
        {
            "type": "threat-actor",
            "spec_version": "2.1",
            "id": node.new_id("threat-actor"),
            "created": now,
            "modified": now,
            "created_by_ref": node.party_id,
            "name": name,
        }
        | ({"aliases": clean} if clean else {})
        | ({"description": description} if description else {})
    )
    return _store(node, obj, "group")


def _store(node: Node, obj: Mapping[str, object], kind: NameKind) -> Entry:
    store_objects(node, [dict(obj)], source=f"liaison {kind} add")
    aliases = obj.get("aliases")
    return Entry(
        id=str(obj["id"]),
        kind=kind,
        name=str(obj["name"]),
        aliases=tuple(aliases) if isinstance(aliases, list) else (),
        created_by_ref=node.party_id,
    )
