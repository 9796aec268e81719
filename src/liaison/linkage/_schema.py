"""The linkage schema: what both partners agree on before any record is encoded.

A schema is a TOML file (see ``schemas/person.toml``). Its fingerprint, the
SHA-256 of the canonical JSON of the parsed schema (every default filled in), is
carried by every token evaluation and encoding batch, so partners that do not
share a schema find out before anything is matched.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

from liaison.crypto import canonical_json
from liaison.linkage._errors import SchemaError

FieldKind = Literal["name", "skeleton", "text", "date", "digits", "exact"]
Mode = Literal["balance", "xor-fold"]
KINDS: Final = ("name", "skeleton", "text", "date", "digits", "exact")
MODES: Final = ("balance", "xor-fold")
#: The most positions one token may take in one filter.
MAX_K: Final = 64


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One linkage field: where its values come from, how they become tokens, and
    how many bit positions the field takes in an encoding (its weight)."""

    name: str
    source: str
    kind: FieldKind
    bits: int
    q: int = 2
    drop_words: tuple[str, ...] = ()
    date_parts: str = "ymd"


@dataclass(frozen=True, slots=True)
class Hardening:
    """Salting by a stable value (``salt`` names a source; empty: none) and
    balancing or XOR-folding."""

    salt: str = ""
    mode: Mode = "balance"


@dataclass(frozen=True, slots=True)
class Blocking:
    """Locality-sensitive blocking on the encodings: ``bands`` groups of
    ``band_bits`` sampled bit positions; pairs that agree on every bit of one band
    are compared. ``bands = 0`` compares every pair."""

    bands: int = 40
    band_bits: int = 18


@dataclass(frozen=True, slots=True)
class Schema:
    """A parsed linkage schema."""

    name: str
    version: int
    bits: int
    threshold: float
    fields: tuple[FieldSpec, ...]
    hardening: Hardening = field(default_factory=Hardening)
    blocking: Blocking = field(default_factory=Blocking)

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source value the schema reads (fields and salt)."""
        found = {f.source for f in self.fields}
        if self.hardening.salt:
            found.add(self.hardening.salt)
        return tuple(sorted(found))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of the canonical JSON of the parsed schema."""
        return hashlib.sha256(canonical_json(self.as_dict())).hexdigest()


def load_schema(path: Path) -> Schema:
    """Read and check a schema file; errors name the file and the key."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaError(str(path), "", f"cannot read: {exc.strerror or exc}") from exc
    return parse_schema(text, source=str(path))


def default_schema_text() -> str:
    """The shipped person schema (a starting point partners agree on)."""
    return resources.files("liaison.linkage").joinpath("schemas/person.toml").read_text("utf-8")


def default_schema() -> Schema:
    return parse_schema(default_schema_text(), source="person.toml (shipped)")


def parse_schema(text: str, *, source: str = "schema") -> Schema:
    """Parse the TOML text of a schema."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(source, "", f"not valid TOML: {exc}") from exc
    top = _table(raw, "linkage", source)
    unknown = set(raw) - {"linkage", "hardening", "blocking", "field"}
    if unknown:
        raise SchemaError(source, sorted(unknown)[0], "unknown section")
    bits = _int(top, "bits", source, "linkage", default=1024, low=128, high=8192)
    if bits % 128:
        raise SchemaError(source, "linkage.bits", f"must be a multiple of 128 (got {bits})")
    threshold = top.get("threshold", 0.8)
    if not isinstance(threshold, int | float) or not 0 < threshold <= 1:
        raise SchemaError(source, "linkage.threshold", f"must be in (0, 1] (got {threshold!r})")
    name = top.get("name")
    if not isinstance(name, str) or not name:
        raise SchemaError(source, "linkage.name", "must be a non-empty string")
    version = _int(top, "version", source, "linkage", default=1, low=1, high=2**31)
    _no_extra(top, {"name", "version", "bits", "threshold"}, source, "linkage")
    fields = _fields(raw.get("field"), source)
    hardening = _hardening(raw.get("hardening", {}), source)
    blocking = _blocking(raw.get("blocking", {}), source, bits)
    return Schema(name, version, bits, float(threshold), fields, hardening, blocking)


def _table(raw: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise SchemaError(source, key, "missing section")
    return value


def _int(
    t: dict[str, Any],
    key: str,
    source: str,
    where: str,
    *,
    default: int | None = None,
    low: int,
    high: int,
) -> int:
    value = t.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SchemaError(
            source, f"{where}.{key}", f"must be an integer in {low}…{high} (got {value!r})"
        )
    return value


def _no_extra(t: dict[str, Any], allowed: set[str], source: str, where: str) -> None:
    extra = sorted(set(t) - allowed)
    if extra:
        raise SchemaError(source, f"{where}.{extra[0]}", "unknown key")


def _fields(raw: object, source: str) -> tuple[FieldSpec, ...]:
    if not isinstance(raw, list) or not raw:
        raise SchemaError(source, "field", "at least one [[field]] is required")
    out: list[FieldSpec] = []
    for n, f in enumerate(raw):
        where = f"field[{n}]"
        if not isinstance(f, dict):
            raise SchemaError(source, where, "must be a table")
        _no_extra(
            f, {"name", "source", "kind", "bits", "q", "drop_words", "date_parts"}, source, where
        )
        name = f.get("name")
        if not isinstance(name, str) or not name or "\x1f" in name:
            raise SchemaError(source, f"{where}.name", "must be a non-empty string")
        if any(o.name == name for o in out):
            raise SchemaError(source, f"{where}.name", f"{name!r} is defined twice")
        kind = f.get("kind")
        if kind not in KINDS:
            raise SchemaError(
                source, f"{where}.kind", f"must be one of {', '.join(KINDS)} (got {kind!r})"
            )
        src = f.get("source", name)
        if not isinstance(src, str) or not src:
            raise SchemaError(source, f"{where}.source", "must be a non-empty string")
        bits = _int(f, "bits", source, where, low=1, high=4096)
        q = _int(f, "q", source, where, default=2, low=1, high=5)
        drop = f.get("drop_words", [])
        if not isinstance(drop, list) or not all(isinstance(w, str) and w for w in drop):
            raise SchemaError(source, f"{where}.drop_words", "must be a list of words")
        parts = f.get("date_parts", "ymd")
        if parts not in ("ymd", "md", "y"):
            raise SchemaError(
                source, f"{where}.date_parts", f"must be ymd, md or y (got {parts!r})"
            )
        out.append(FieldSpec(name, src, kind, bits, q, tuple(sorted(set(drop))), parts))
    return tuple(out)


def _hardening(raw: object, source: str) -> Hardening:
    if not isinstance(raw, dict):
        raise SchemaError(source, "hardening", "must be a table")
    _no_extra(raw, {"salt", "mode"}, source, "hardening")
    salt = raw.get("salt", "")
    if not isinstance(salt, str):
        raise SchemaError(source, "hardening.salt", "must be a source name (or empty: none)")
    mode = raw.get("mode", "balance")
    if mode not in MODES:
        raise SchemaError(
            source, "hardening.mode", f"must be one of {', '.join(MODES)} (got {mode!r})"
        )
    return Hardening(salt, mode)


def _blocking(raw: object, source: str, bits: int) -> Blocking:
    if not isinstance(raw, dict):
        raise SchemaError(source, "blocking", "must be a table")
    _no_extra(raw, {"bands", "band_bits"}, source, "blocking")
    bands = _int(raw, "bands", source, "blocking", default=40, low=0, high=1000)
    band_bits = _int(raw, "band_bits", source, "blocking", default=18, low=1, high=63)
    return Blocking(bands, band_bits)
