"""The MISP export: one MISP event (``{"Event": …}``, the form MISP imports) made
with PyMISP, holding one MISP object per record.

Each liaison kind has a MISP object template of its own (``liaison-strike-report``,
…; defined here, checked strictly by PyMISP), whose attributes are the record's
core fields with MISP types (``datetime``, ``float``, ``counter``, ``text``), the
names of its party and group beside their ids, and its liaison id. The object's
``first_seen``/``last_seen`` are the record's time window; its place is also a
standard ``geolocation`` object it references (``located-at``); TLP markings
become ``tlp:`` tags on its attributes. Parties are ``organization`` objects and
groups ``liaison-group`` objects. Person records never go to MISP.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from liaison.records import LIAISON_NAMESPACE, TLP_MARKING_IDS, kind_of
from liaison.store import StoredVersion

if TYPE_CHECKING:
    from pymisp import MISPEvent, MISPObject

    from liaison.node import Node

__all__ = ["MISP_FIELDS", "misp_object_template", "write_misp_event"]

_TIME = "datetime"
_NUM = "float"
_INT = "counter"
_TEXT = "text"

#: kind -> (field, MISP attribute type), in order; ``*_ref`` fields also get a name.
MISP_FIELDS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "strike-report": (("time_start", _TIME), ("time_end", _TIME), ("party_ref", _TEXT),
                      ("means", _TEXT), ("target_category", _TEXT),
                      ("target_group_ref", _TEXT), ("target_description", _TEXT),
                      ("strikes", _INT), ("munitions", _INT), ("claimed_effect", _TEXT),
                      ("bda_phase", _TEXT), ("reliability", _TEXT), ("credibility", _INT)),
    "presence": (("first_seen", _TIME), ("last_seen", _TIME), ("sighting_of_ref", _TEXT),
                 ("presence_kind", _TEXT), ("strength", _INT), ("reliability", _TEXT),
                 ("credibility", _INT)),
    "logistics": (("time_start", _TIME), ("time_end", _TIME), ("group_ref", _TEXT),
                  ("logistics_kind", _TEXT), ("count", _INT), ("volume", _NUM), ("unit", _TEXT),
                  ("reliability", _TEXT), ("credibility", _INT)),
    "event": (("time_start", _TIME), ("time_end", _TIME), ("event_type", _TEXT),
              ("initiator_ref", _TEXT), ("fatalities_low", _INT), ("fatalities_best", _INT),
              ("fatalities_high", _INT), ("source_dataset", _TEXT), ("source_id", _TEXT),
              ("reliability", _TEXT), ("credibility", _INT)),
    "harm-allegation": (("time_start", _TIME), ("time_end", _TIME),
                        ("alleged_party_ref", _TEXT), ("grading", _TEXT),
                        ("civilian_casualties_low", _INT), ("civilian_casualties_high", _INT),
                        ("description", _TEXT)),
    "designation": (("party_ref", _TEXT), ("group_ref", _TEXT), ("status", _TEXT),
                    ("since", _TIME), ("basis", _TEXT)),
    "group": (("name", _TEXT), ("description", _TEXT)),
    "corroboration": (("opinion", _TEXT), ("explanation", _TEXT), ("agreement", _NUM)),
    "assessment": (("assessment_type", _TEXT), ("method_version", _TEXT),
                   ("inputs_digest", _TEXT)),
}  # fmt: skip
_POINT = (("latitude", _NUM), ("longitude", _NUM), ("precision", _NUM), ("place_name", _TEXT),
          ("country", _TEXT))  # fmt: skip
_POINT_KINDS = frozenset({"strike-report", "presence", "logistics", "event", "harm-allegation"})


def _relation(field: str) -> str:
    return field.replace("_", "-")


def _fields(kind: str) -> list[tuple[str, str]]:
    """The fields of a kind's object: its own, its point, who reported it."""
    return [*MISP_FIELDS[kind], *(_POINT if kind in _POINT_KINDS else ()),
            ("created_by_ref", _TEXT)]  # fmt: skip


def _attributes(kind: str) -> list[tuple[str, str]]:
    fields = _fields(kind)
    out: list[tuple[str, str]] = [("liaison-id", _TEXT)]
    for field, misp_type in fields:
        out.append((_relation(field), misp_type))
        if field.endswith("_ref"):
            out.append((_relation(field.removesuffix("_ref")) + "-name", _TEXT))
    return out


def misp_object_template(kind: str) -> dict[str, Any]:
    """The MISP object template of a liaison kind (the misp-objects format)."""
    return {
        "name": f"liaison-{kind}",
        "meta-category": "misc",
        "description": f"A liaison {kind} record (https://example.invalid/liaison/records).",
        "version": 1,
        "uuid": str(uuid.uuid5(LIAISON_NAMESPACE, f"liaison/misp-template/{kind}")),
        "attributes": {
            relation: {
                "misp-attribute": misp_type,
                "ui-priority": 1,
                "description": relation.replace("-", " "),
            }
            for relation, misp_type in _attributes(kind)
        },
        "required": ["liaison-id"],
    }


def _object_uuid(record_id: str, role: str) -> str:
    return str(uuid.uuid5(LIAISON_NAMESPACE, f"liaison/misp/{role}/{record_id}"))


def _flat(obj: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(obj)
    for entry in (obj.get("extensions") or {}).values():
        if isinstance(entry, dict):
            out.update({k: v for k, v in entry.items() if k not in out})
    return out


def _tlp_tags(obj: Mapping[str, Any]) -> list[str]:
    return [f"tlp:{TLP_MARKING_IDS[m]}" for m in obj.get("object_marking_refs", [])
            if m in TLP_MARKING_IDS]  # fmt: skip


class _Event:
    def __init__(self, names: Mapping[str, str]) -> None:
        from pymisp import MISPEvent

        self.event: MISPEvent = MISPEvent()
        self.names = names
        self.templates: dict[str, dict[str, Any]] = {}

    def _new(self, name: str, record_id: str, role: str, template: dict[str, Any] | None = None
             ) -> MISPObject:  # fmt: skip
        from pymisp import MISPObject

        kwargs: dict[str, Any] = {"strict": True, "standalone": False}
        if template is not None:
            kwargs["misp_objects_template_custom"] = template
        made = MISPObject(name, **kwargs)
        made.uuid = _object_uuid(record_id, role)
        return made

    def add(self, obj: dict[str, Any]) -> bool:
        kind = kind_of(obj)
        if kind == "person":
            return False  # never to MISP
        tags = _tlp_tags(obj)
        if kind == "party":
            made = self._new("organization", obj["id"], "party")
            self._attr(made, "name", obj["name"], tags)
            if obj.get("description"):
                self._attr(made, "description", obj["description"], tags)
            made.comment = f"liaison party {obj['id']}"
        elif kind == "location":
            geo = self._geolocation(obj, obj["id"], "location", tags)
            if geo is None:
                return False
            made = geo
        elif kind in MISP_FIELDS:
            made = self._record(kind, obj, tags)
        else:
            return False  # other STIX types: the STIX exports carry them
        self.event.add_object(made)
        return True

    def _record(self, kind: str, obj: dict[str, Any], tags: list[str]) -> MISPObject:
        template = self.templates.setdefault(kind, misp_object_template(kind))
        made = self._new(f"liaison-{kind}", obj["id"], "record", template)
        flat = _flat(obj)
        self._attr(made, "liaison-id", obj["id"], tags)
        for field, _ in _fields(kind):
            value = flat.get(field)
            if value is None:
                continue
            self._attr(made, _relation(field), value, tags)
            if field.endswith("_ref"):
                name = self.names.get(value, value)
                self._attr(made, _relation(field.removesuffix("_ref")) + "-name", name, tags)
        start = flat.get("time_start") or flat.get("first_seen")
        end = flat.get("time_end") or flat.get("last_seen")
        if start:
            made.first_seen = start
        if end:
            made.last_seen = end
        place = self._geolocation(flat, obj["id"], "place", tags)
        if place is not None:
            self.event.add_object(place)
            made.add_reference(place.uuid, "located-at")
        return made

    def _geolocation(
        self, flat: Mapping[str, Any], record_id: str, role: str, tags: list[str]
    ) -> MISPObject | None:
        if flat.get("latitude") is None or flat.get("longitude") is None:
            return None
        geo = self._new("geolocation", record_id, role)
        self._attr(geo, "latitude", flat["latitude"], tags)
        self._attr(geo, "longitude", flat["longitude"], tags)
        if flat.get("precision") is not None:
            self._attr(geo, "accuracy-radius", float(flat["precision"]) / 1000, tags)  # km
        if flat.get("country"):
            self._attr(geo, "countrycode", flat["country"], tags)
        if flat.get("place_name") or flat.get("name"):
            self._attr(geo, "text", flat.get("place_name") or flat.get("name"), tags)
        return geo

    @staticmethod
    def _attr(made: MISPObject, relation: str, value: Any, tags: list[str]) -> None:
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        attribute = made.add_attribute(relation, value=value, disable_correlation=True)
        if attribute is None:  # PyMISP refused the value (strict template)
            raise ValueError(f"MISP refused {relation} = {value!r} in {made.name}")
        for tag in tags:
            attribute.add_tag(tag)


def write_misp_event(path: Path, versions: Iterable[StoredVersion], node: Node) -> int:
    """Write one MISP event holding ``versions`` as MISP objects; returns how many records."""
    from liaison.registry import names_by_id

    names = {**names_by_id(node.store, "party"), **names_by_id(node.store, "group")}
    out = _Event(names)
    event = out.event
    event.uuid = node.new_id("bundle").split("--")[1]
    event.info = f"liaison export from {node.config.party} ({node.party_id})"
    event.set_date(node.now()[:10])
    event.add_tag("liaison:export")
    count = sum(1 for v in versions if out.add(orjson.loads(v.body)))
    path.write_text('{"Event": ' + event.to_json() + "}\n", encoding="utf-8")
    return count
