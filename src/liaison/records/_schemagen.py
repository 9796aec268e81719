"""Build the JSON schemas shipped in ``schemas/`` from the typed record classes.

Run ``python -m liaison.records._schemagen`` to rewrite the files after changing a
kind; a test fails while the shipped files and the classes disagree.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

import msgspec

from ._common import SignatureExtension
from ._kinds import CLASS_OF_KIND

__all__ = ["SCHEMA_NAMES", "build_schema", "schema_text"]

#: One schema per kind, plus the signature extension entry.
SCHEMA_NAMES: tuple[str, ...] = (*CLASS_OF_KIND, "signature")
_CUSTOM_PROPERTY = "^x_[a-z0-9_]{1,248}$"


def _drop_null(node: Any) -> Any:
    """Optional fields are absent, never null: strip the ``null`` alternatives.

    Descriptions are docstrings; they are cleaned here (``inspect.cleandoc``) because
    how msgspec and the interpreter indent them differs between versions.
    """
    if isinstance(node, list):
        return [_drop_null(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _drop_null(v) for k, v in node.items() if not (k == "default" and v is None)}
    if isinstance(out.get("description"), str):
        out["description"] = inspect.cleandoc(out["description"])
    options = out.get("anyOf")
    if isinstance(options, list):
        kept = [o for o in options if o != {"type": "null"}]
        if len(kept) == 1:
            del out["anyOf"]
            out.update(kept[0])
        else:
            out["anyOf"] = kept
    return out


def build_schema(name: str) -> dict[str, Any]:
    """The JSON schema (draft 2020-12) of a kind's STIX form, or of the signature entry."""
    cls: type = SignatureExtension if name == "signature" else CLASS_OF_KIND[name]
    generated = msgspec.json.schema(cls)
    defs: dict[str, Any] = _drop_null(generated["$defs"])
    root = defs.pop(cls.__name__)
    if name != "signature":
        root["properties"].pop("custom")
        root["properties"].pop("foreign_extensions")
        root["patternProperties"] = {_CUSTOM_PROPERTY: {}}
        # Other projects' extension entries (e.g. OpenCTI's) are kept verbatim.
        for def_name, definition in defs.items():
            if def_name.endswith("Extensions"):
                definition["additionalProperties"] = {"type": "object"}
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:liaison:schema:{name}",
        **root,
    }
    if defs:
        schema["$defs"] = defs
    return schema


def schema_text(name: str) -> str:
    """``build_schema(name)`` as the JSON text that is shipped."""
    return msgspec.json.format(msgspec.json.encode(build_schema(name)), indent=2).decode() + "\n"


def main(argv: list[str]) -> int:
    """Write every schema into the package's ``schemas/`` directory."""
    target = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / "schemas"
    target.mkdir(parents=True, exist_ok=True)
    for name in SCHEMA_NAMES:
        (target / f"{name}.json").write_text(schema_text(name), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
