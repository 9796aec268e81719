"""What every connector needs from the node: its party, stable ids, and the
groups and parties it already holds (so that a name means one record).

Names resolve to what the node holds (a group by its name or any alias, a party
by its name); a name the node does not know yet becomes a new record, emitted
once with the first record that refers to it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from liaison.records import RecordError, parse_record

if TYPE_CHECKING:
    from liaison.ingest.geocode import Gazetteer
    from liaison.node import Node

__all__ = ["Context", "GroupSpec", "group_specs", "record_id"]

#: Namespace of the ids the open-data connectors derive (uuid5).
NAMESPACE = uuid.UUID("5d0e6a3c-2c1f-5b8e-9f35-61d1c0a7e215")


def record_id(stix_type: str, created_by_ref: str, key: str) -> str:
    """A stable id for ``key`` (e.g. ``ucdp-ged/214797``) as created by one party:
    re-ingesting the same source row gives the same record; two nodes ingesting
    the same dataset make records of their own."""
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, f'{created_by_ref}|{key}')}"


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """One entry of the group table (``groups.toml``)."""

    name: str
    aliases: tuple[str, ...] = ()
    ucdp: tuple[str, ...] = ()
    presence: bool = True


def group_specs(table: dict[str, Any]) -> dict[str, GroupSpec]:
    """The ``[groups."NAME"]`` entries of a merged group table."""
    out = {}
    for name, entry in (table.get("groups") or {}).items():
        out[name] = GroupSpec(
            name,
            tuple(entry.get("aliases", ())),
            tuple(entry.get("ucdp", ())),
            bool(entry.get("presence", True)),
        )
    return out


@dataclass
class Context:
    """The node-side state of one connector run."""

    created_by_ref: str
    now: str
    specs: dict[str, GroupSpec]
    not_groups: frozenset[str] = frozenset()
    known_groups: dict[str, str] = field(default_factory=dict)  # casefolded name/alias → id
    known_parties: dict[str, str] = field(default_factory=dict)  # casefolded name → id
    gazetteer_factory: Callable[[], Gazetteer] | None = None
    node: Node | None = None
    _gazetteer: Gazetteer | None = None
    _pending: list[dict[str, Any]] = field(default_factory=list)
    _made: dict[str, str] = field(default_factory=dict)
    _ucdp: dict[str, str] = field(default_factory=dict)
    unlisted_actors: dict[str, int] = field(default_factory=dict)
    external_parties: dict[str, str] = field(default_factory=dict)  # name → id

    @classmethod
    def for_node(
        cls,
        node: Node,
        table: dict[str, Any],
        *,
        gazetteer_factory: Callable[[], Gazetteer] | None = None,
    ) -> Context:
        """A context over what ``node`` holds, with the merged group table."""
        from liaison.store import Query

        groups: dict[str, str] = {}
        parties: dict[str, str] = {}
        for v in node.store.query(Query(kinds=("group", "party"), include_revoked=False)):
            obj = orjson.loads(v.body)
            if v.index.kind == "group":
                for name in (obj.get("name"), *(obj.get("aliases") or ())):
                    if isinstance(name, str):
                        groups.setdefault(name.casefold(), v.index.id)
            elif isinstance(obj.get("name"), str):
                parties.setdefault(obj["name"].casefold(), v.index.id)
        return cls(
            created_by_ref=node.party_id,
            now=node.now(),
            specs=group_specs(table),
            not_groups=frozenset((table.get("not_groups") or {}).get("ucdp", ())),
            known_groups=groups,
            known_parties=parties,
            gazetteer_factory=gazetteer_factory,
            node=node,
        )

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer, built on first use (loading GeoNames takes a second)."""
        if self._gazetteer is None:
            if self.gazetteer_factory is None:
                from liaison.ingest.geocode import load_gazetteer

                self._gazetteer = load_gazetteer()
            else:
                self._gazetteer = self.gazetteer_factory()
        return self._gazetteer

    def group(self, name: str) -> str:
        """The id of the group called ``name`` (a canonical name or an alias)."""
        spec = self._spec_named(name)
        canonical = spec.name if spec else name
        if canonical in self._made:
            return self._made[canonical]
        names = (canonical, *(spec.aliases if spec else ()))
        for n in names:
            held = self.known_groups.get(n.casefold())
            if held is not None:
                self._made[canonical] = held
                return held
        gid = record_id("threat-actor", self.created_by_ref, f"group/{canonical}")
        obj: dict[str, Any] = {
            "type": "threat-actor",
            "spec_version": "2.1",
            "id": gid,
            "created": self.now,
            "modified": self.now,
            "created_by_ref": self.created_by_ref,
            "name": canonical,
        }
        if spec and spec.aliases:
            obj["aliases"] = list(spec.aliases)
        self._pending.append(obj)
        self._made[canonical] = gid
        return gid

    def ucdp_group(self, actor: str) -> GroupSpec | None:
        """The group of a UCDP actor name (None for civilians); an actor in no
        table entry is a group of its own (counted in ``unlisted_actors``)."""
        if actor in self.not_groups:
            return None
        if not self._ucdp:
            self._ucdp = {u: s.name for s in self.specs.values() for u in s.ucdp}
        canonical = self._ucdp.get(actor)
        if canonical is None:
            self.unlisted_actors[actor] = self.unlisted_actors.get(actor, 0) + 1
            return GroupSpec(actor)
        return self.specs[canonical]

    def party(self, name: str) -> str:
        """The id of the party called ``name``: one the node holds (its own party
        included), else an external party (a plain STIX identity)."""
        held = self.known_parties.get(name.casefold())
        if held is not None:
            return held
        if name in self.external_parties:
            return self.external_parties[name]
        pid = record_id("identity", self.created_by_ref, f"party/{name}")
        self.external_parties[name] = pid
        obj = {
            "type": "identity",
            "spec_version": "2.1",
            "id": pid,
            "created": self.now,
            "modified": self.now,
            "created_by_ref": self.created_by_ref,
            "name": name,
            "identity_class": "organization",
            "description": "A party named by an open data source; it runs no liaison node.",
        }
        if _accepts(obj):
            self._pending.append(obj)
        return pid

    def take_new(self) -> list[dict[str, Any]]:
        """Group and party records made since the last call (to emit first)."""
        out, self._pending = self._pending, []
        return out

    def _spec_named(self, name: str) -> GroupSpec | None:
        folded = name.casefold()
        for spec in self.specs.values():
            if folded == spec.name.casefold() or folded in (a.casefold() for a in spec.aliases):
                return spec
        return None


def _accepts(obj: dict[str, Any]) -> bool:
    """Whether the records layer takes an identity without the party extension.

    Until it does (docs/connectors.md, "Parties"), external parties are named by
    id only: their records carry the id, the report carries the name.
    """
    try:
        parse_record(obj)
    except RecordError:
        return False
    return True
