"""docs/records.md documents every field of every kind, under that kind."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from liaison.records import (
    CLASS_OF_KIND,
    EXT_SIGNATURE,
    EXTENSION_OF_KIND,
    KIND_OF_TYPE,
    SignatureExtension,
)
from liaison.records._common import RecordBase

DOC = Path(__file__).resolve().parents[2] / "docs" / "records.md"
SHARED_GROUPS = {
    "point location": {"latitude", "longitude", "precision", "place_name", "country"},
    "source grading": {"reliability", "credibility"},
}


def _sections() -> dict[str, str]:
    """Text of each ``##``/``###`` section, by heading."""
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^(#{2,3} .*)$", text, flags=re.MULTILINE)
    return {parts[i].lstrip("# ").strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _kind_sections() -> dict[str, str]:
    out: dict[str, str] = {}
    for heading, body in _sections().items():
        m = re.search(r"— `([a-z-]+)`", heading)
        if m and m.group(1) in KIND_OF_TYPE:
            out[KIND_OF_TYPE[m.group(1)]] = body
    return out


def _documented(name: str, text: str) -> bool:
    return f"`{name}`" in text


def _names(cls: type) -> list[str]:
    return [f.encode_name for f in msgspec.structs.fields(cls)]


def _missing_in_kind(kind: str, names: list[str], section: str, shared: str) -> list[str]:
    missing = []
    for name in names:
        if _documented(name, section):
            continue
        groups = [g for g, fields in SHARED_GROUPS.items() if name in fields]
        if any(g in section for g in groups) and _documented(name, shared):
            continue
        missing.append(name)
    return missing


def _struct_in(annotation: object) -> object:
    """The Struct class of an annotation, itself or inside an optional union."""
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, msgspec.Struct):
            return candidate
    return annotation


def test_every_kind_has_a_section() -> None:
    assert set(_kind_sections()) == set(CLASS_OF_KIND)


def test_common_properties_documented() -> None:
    common = _sections()["Common properties"]
    names = [*_names(RecordBase), "type", "id", "extensions", "extension_type"]
    assert [n for n in names if not _documented(n, common)] == []


@pytest.mark.parametrize("kind", sorted(CLASS_OF_KIND))
def test_every_field_documented_under_its_kind(kind: str) -> None:
    section = _kind_sections()[kind]
    shared = _sections()["Shared field groups"]
    cls = CLASS_OF_KIND[kind]
    base = set(_names(RecordBase)) | {"type", "id", "extensions"}
    own = [n for n in _names(cls) if n not in base]
    assert _missing_in_kind(kind, own, section, shared) == [], f"undocumented in {kind}"
    if kind in EXTENSION_OF_KIND:
        ext_id = EXTENSION_OF_KIND[kind]
        assert ext_id in section, f"extension id of {kind} not in its section"
        container = _struct_in(
            next(f.type for f in msgspec.structs.fields(cls) if f.name == "extensions")
        )
        entry = _struct_in(
            next(f.type for f in msgspec.structs.fields(container) if f.encode_name == ext_id)
        )
        if isinstance(entry, type) and issubclass(entry, msgspec.Struct):
            ext_fields = [n for n in _names(entry) if n != "extension_type"]
            missing = _missing_in_kind(kind, ext_fields, section, shared)
            assert missing == [], f"undocumented extension fields in {kind}"


def test_signature_extension_documented() -> None:
    section = next(b for h, b in _sections().items() if h.startswith("Signature extension"))
    assert EXT_SIGNATURE in section
    assert [n for n in _names(SignatureExtension) if not _documented(n, section)] == []
