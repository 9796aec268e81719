"""The standard profile: liaison's records in standard STIX 2.1 only, for platforms
that do not know liaison's types (MISP, OpenCTI, any STIX consumer).

``to_standard`` is a pure function over one record's STIX form, so the release
layer can apply it per partner. The kinds STIX has map to themselves (without
liaison's extensions); the others become the standard objects that say the same:

* strike report, harm allegation → ``incident`` + ``location`` (the place) +
  ``note`` (every core field as ``field: value`` lines) + ``relationship``s
  (``located-at`` the place, ``attributed-to`` the party, ``targets`` the group;
  the place ``related-to`` the group and the party, which MISP keeps);
* presence → ``sighting`` of the group (seen by the record's creator) + its
  ``location`` + ``note`` + relationships;
* logistics observation, event → ``location`` + ``note`` + relationships;
* designation → ``relationship`` from the party to the group (``designates``);
* corroboration → ``opinion``; assessment → ``note``; person → nothing (local only).

Derived objects get stable ids (uuid5 of the record's id and their role), carry
the record's ``created``/``modified``, creator and markings, and an external
reference naming the liaison record they come from.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from liaison.records import (
    EXT_SIGNATURE,
    EXTENSION_OF_KIND,
    LIAISON_NAMESPACE,
    RecordError,
    kind_of,
)
from liaison.store import StoredVersion

if TYPE_CHECKING:
    from liaison.node import Node

__all__ = ["CORE_FIELDS", "to_standard", "write_standard_bundle"]

#: The fields of each converted kind written into its note, in order.
CORE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "strike-report": ("time_start", "time_end", "party_ref", "means", "target_category",
                      "target_group_ref", "target_description", "strikes", "munitions",
                      "claimed_effect", "bda_phase", "latitude", "longitude", "precision",
                      "place_name", "country", "reliability", "credibility"),
    "presence": ("first_seen", "last_seen", "sighting_of_ref", "presence_kind", "strength",
                 "latitude", "longitude", "precision", "place_name", "country",
                 "reliability", "credibility"),
    "logistics": ("time_start", "time_end", "group_ref", "logistics_kind", "count", "volume",
                  "unit", "route", "latitude", "longitude", "precision", "place_name",
                  "country", "reliability", "credibility"),
    "event": ("time_start", "time_end", "event_type", "initiator_ref", "actor_refs",
              "fatalities_low", "fatalities_best", "fatalities_high", "latitude", "longitude",
              "precision", "place_name", "country", "source_dataset", "source_id",
              "reliability", "credibility"),
    "harm-allegation": ("time_start", "time_end", "alleged_party_ref", "grading",
                        "civilian_casualties_low", "civilian_casualties_high", "sources",
                        "latitude", "longitude", "precision", "place_name", "country"),
}  # fmt: skip
_COMMON = ("created_by_ref", "object_marking_refs", "granular_markings", "lang", "confidence",
           "labels", "revoked")  # fmt: skip
_LIAISON_EXTENSIONS = frozenset({*EXTENSION_OF_KIND.values(), EXT_SIGNATURE})


def _sid(stix_type: str, record_id: str, role: str) -> str:
    return f"{stix_type}--{uuid.uuid5(LIAISON_NAMESPACE, f'liaison/standard/{role}/{record_id}')}"


def _plain(obj: Mapping[str, Any]) -> dict[str, Any]:
    """``obj`` without liaison's extension entries (others' entries and x_ kept)."""
    out = dict(obj)
    extensions = {k: v for k, v in (obj.get("extensions") or {}).items()
                  if k not in _LIAISON_EXTENSIONS}  # fmt: skip
    out.pop("extensions", None)
    if extensions:
        out["extensions"] = extensions
    return out


def _flat(obj: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level properties and those of liaison's property extensions, in one dict."""
    out = dict(obj)
    for ext_id, entry in (obj.get("extensions") or {}).items():
        if ext_id in _LIAISON_EXTENSIONS and isinstance(entry, dict):
            out.update({k: v for k, v in entry.items() if k != "extension_type"})
    return out


class _Builder:
    """Derived objects of one record, sharing its version, creator and markings."""

    def __init__(self, obj: Mapping[str, Any], kind: str, names: Mapping[str, str]) -> None:
        self.obj, self.kind, self.names = obj, kind, names
        self.id = str(obj["id"])
        self.flat = _flat(obj)
        self.out: list[dict[str, Any]] = []

    def make(self, stix_type: str, role: str, **props: Any) -> dict[str, Any]:
        made: dict[str, Any] = {
            "type": stix_type,
            "spec_version": "2.1",
            "id": _sid(stix_type, self.id, role),
            "created": self.obj["created"],
            "modified": self.obj["modified"],
        }
        made.update({k: self.obj[k] for k in _COMMON if k in self.obj})
        made["external_references"] = [
            {"source_name": "liaison", "external_id": self.id,
             "description": f"liaison {self.kind} record"}
        ]  # fmt: skip
        made.update({k: v for k, v in props.items() if v is not None and v != []})
        self.out.append(made)
        return made

    def name(self, ref: Any) -> str:
        if not isinstance(ref, str):
            return ""
        return self.names.get(ref, ref)

    def relate(self, source: str, relationship_type: str, target: Any, role: str) -> None:
        if isinstance(target, str) and "--" in target:
            self.make("relationship", f"{role}/{target}", relationship_type=relationship_type,
                      source_ref=source, target_ref=target)  # fmt: skip

    def location(self) -> dict[str, Any] | None:
        f = self.flat
        if f.get("latitude") is None or f.get("longitude") is None:
            return None
        return self.make(
            "location", "place", name=f.get("place_name"), latitude=f["latitude"],
            longitude=f["longitude"], precision=f.get("precision"), country=f.get("country"),
            description=self.summary(),
        )  # fmt: skip

    def note(self, refs: list[str]) -> dict[str, Any]:
        lines = []
        for field in CORE_FIELDS[self.kind]:
            value = self.flat.get(field)
            if value is None:
                continue
            if field.endswith("_ref") and self.name(value) != value:
                value = f"{self.name(value)} ({value})"
            elif isinstance(value, list):
                value = "; ".join(self.name(v) if isinstance(v, str) else str(v) for v in value)
            lines.append(f"{field}: {value}")
        creator = self.obj.get("created_by_ref")
        if creator:
            lines.append(f"reported_by: {self.name(creator)} ({creator})")
        lines.append(f"liaison_id: {self.id}")
        author = self.name(self.obj.get("created_by_ref"))
        return self.make("note", "note", abstract=self.summary(), content="\n".join(lines),
                         authors=[author] if author else None, object_refs=refs,
                         labels=[*self.obj.get("labels", []), f"liaison:{self.kind}"])  # fmt: skip

    def summary(self) -> str:
        f, n = self.flat, self.name
        place = f.get("place_name") or f"{f.get('latitude')}, {f.get('longitude')}"
        when = f.get("time_start") or f.get("first_seen")
        if self.kind == "strike-report":
            target = n(f.get("target_group_ref")) or f.get("target_category")
            return (
                f"{n(f.get('party_ref'))} {f.get('means')} strike at {place} on {when}: "
                f"{f.get('target_category')} of {target}, claimed {f.get('claimed_effect')}"
            )
        if self.kind == "presence":
            return f"{n(f.get('sighting_of_ref'))} {f.get('presence_kind')} at {place} from {when}"
        if self.kind == "logistics":
            return f"{f.get('logistics_kind')} of {n(f.get('group_ref'))} at {place} from {when}"
        if self.kind == "event":
            best = f.get("fatalities_best")
            dead = f", {best} killed (best estimate)" if best is not None else ""
            return f"{f.get('event_type')} event at {place} on {when}{dead}"
        return f"alleged civilian harm ({f.get('grading')}) at {place} on {when}"  # fmt: skip


def to_standard(
    obj: Mapping[str, Any], names: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The standard STIX 2.1 objects that say what one record says.

    ``names`` maps party and group ids to names (for the notes' text). Raises
    ``RecordError`` for an object of no kind at all.
    """
    kind = kind_of(dict(obj))
    names = names or {}
    if kind == "person":
        return []  # local only: never in clear
    if kind in ("party", "group", "location") or (
        kind not in CORE_FIELDS and kind not in ("designation", "corroboration", "assessment")
    ):
        return [_plain(obj)]
    b = _Builder(obj, kind, names)
    f = b.flat
    if kind == "designation":
        since = f["since"]
        b.make("relationship", "designation", relationship_type="designates",
               source_ref=f["party_ref"], target_ref=f["group_ref"], start_time=since,
               description=(f"{b.name(f['party_ref'])} designates {b.name(f['group_ref'])} "
                            f"as {f['status']} since {since}"
                            + (f" ({f['basis']})" if f.get("basis") else "")))  # fmt: skip
        return b.out
    if kind == "corroboration":
        opinion = _plain(obj)
        extra = [f"agreement: {f['agreement']}"] if f.get("agreement") is not None else []
        if f.get("evidence_refs"):
            extra.append("evidence: " + ", ".join(f["evidence_refs"]))
        if extra:
            opinion["explanation"] = "\n".join([*filter(None, [obj.get("explanation")]), *extra])
        return [opinion]
    if kind == "assessment":
        keys = ("assessment_type", "method_version", "period_start", "period_end", "parameters",
                "results", "inputs_digest")  # fmt: skip
        summary = {k: obj[k] for k in keys if k in obj}
        content = orjson.dumps(summary, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode()
        refs = list(obj.get("subject_refs") or [obj.get("created_by_ref") or b.id])
        b.make("note", "note", abstract=f"liaison assessment: {obj['assessment_type']}",
               content=content, object_refs=refs)  # fmt: skip
        return b.out
    place = b.location()
    refs = [place["id"]] if place else []
    party = f.get("party_ref") or f.get("alleged_party_ref")
    group = f.get("target_group_ref") or f.get("sighting_of_ref") or f.get("group_ref")
    actors = [r for r in [f.get("initiator_ref"), *(f.get("actor_refs") or [])] if r]
    if kind in ("strike-report", "harm-allegation"):
        incident = b.make("incident", "incident", name=b.summary(), description=b.summary())
        refs.insert(0, incident["id"])
        if place:
            b.relate(incident["id"], "located-at", place["id"], "at")
        b.relate(incident["id"], "attributed-to", party, "by")
        b.relate(incident["id"], "targets", group, "targets")
    if kind == "presence":
        # who saw it (stix2-validator takes only identities here); the place is in the
        # location, related to the group, and in the note
        seen_by = [obj["created_by_ref"]] if obj.get("created_by_ref") else None
        sighting = b.make("sighting", "sighting", sighting_of_ref=group,
                          first_seen=f["first_seen"], last_seen=f["last_seen"],
                          where_sighted_refs=seen_by, description=b.summary())  # fmt: skip
        refs.insert(0, sighting["id"])
    if place:  # the place names who and what it is about (MISP keeps these)
        for role, target in (("party", party), ("group", group)):
            b.relate(place["id"], "related-to", target, f"place-{role}")
        for actor in dict.fromkeys(actors):
            b.relate(place["id"], "related-to", actor, "place-actor")
    # The note is about the place first (MISP attaches it there), then the incident
    # or sighting.
    b.note(sorted(refs, key=lambda r: not r.startswith("location--")) or [b.id])
    return b.out


def write_standard_bundle(path: Path, versions: Iterable[StoredVersion], node: Node) -> int:
    """Write the standard-profile bundle of ``versions``; returns how many records.

    The bundle ends with a ``report`` listing every object (MISP makes it the
    event; OpenCTI a container), created by the node's party.
    """
    from liaison.registry import names_by_id

    names = {**names_by_id(node.store, "party"), **names_by_id(node.store, "group")}
    count = 0
    ids: list[str] = []
    with path.open("wb") as fh:
        fh.write(b'{"type":"bundle","id":"' + node.new_id("bundle").encode() + b'","objects":[')
        for objects in _converted(versions, names):
            count += 1
            for obj in objects:
                fh.write(orjson.dumps(obj) + b",")
                ids.append(obj["id"])
        now = node.now()
        report = {
            "type": "report", "spec_version": "2.1", "id": node.new_id("report"),
            "created": now, "modified": now, "created_by_ref": node.party_id,
            "name": f"liaison export from {node.config.party}", "published": now,
            "report_types": ["threat-report"], "object_refs": ids or [node.party_id],
        }  # fmt: skip
        fh.write(orjson.dumps(report) + b"]}\n")
    return count


def _converted(
    versions: Iterable[StoredVersion], names: Mapping[str, str]
) -> Iterator[list[dict[str, Any]]]:
    for v in versions:
        if v.index.kind == "extension-definition":
            continue  # liaison's (and others') type definitions mean nothing here
        try:
            yield to_standard(orjson.loads(v.body), names)
        except (RecordError, KeyError) as exc:  # stored records are valid: a bug
            raise RuntimeError(f"{v.index.id}: cannot be converted: {exc}") from exc
