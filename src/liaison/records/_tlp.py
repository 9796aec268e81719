"""Traffic Light Protocol markings (TLP 1.0 and 2.0) as STIX marking-definitions.

The standard marking-definition ids of each level are fixed; a marking-definition
that carries one of these ids but states another level is refused (a partner
cannot redefine TLP:RED as TLP:CLEAR).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from typing import Any

from ._errors import RecordError

__all__ = ["EXT_TLP2", "TLP_LEVELS", "TLP_MARKING_IDS", "check_tlp_marking", "tlp_level"]

#: The OASIS extension-definition of TLP 2.0 markings (property ``tlp_2_0``).
EXT_TLP2 = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

#: TLP levels from least to most restricted (TLP 1.0 ``white`` is 2.0 ``clear``).
TLP_LEVELS: tuple[str, ...] = ("clear", "green", "amber", "amber+strict", "red")

#: The standard marking-definition id of each level, TLP 1.0 (STIX 2.1 §7.2.1.4) and 2.0.
TLP_MARKING_IDS: MappingProxyType[str, str] = MappingProxyType(
    {
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",  # 1.0 white
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "clear",  # 2.0
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "green",
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "amber",
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "amber+strict",
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "red",
    }
)


def _stated_level(marking: dict[str, Any]) -> str | None:
    """The TLP level a marking-definition object states, if it states one."""
    extensions = marking.get("extensions")
    if isinstance(extensions, dict):
        entry = extensions.get(EXT_TLP2)
        level = entry.get("tlp_2_0") if isinstance(entry, dict) else None
        if isinstance(level, str):
            return level.lower()
    definition = marking.get("definition")
    if marking.get("definition_type") == "tlp" and isinstance(definition, dict):
        old = definition.get("tlp")
        if isinstance(old, str):
            old = old.lower()
            return "clear" if old == "white" else old
    return None


def tlp_level(marking_refs: Iterable[str]) -> str | None:
    """The most restrictive TLP level among standard marking ids, or None if none is TLP."""
    found = [TLP_MARKING_IDS[r] for r in marking_refs if r in TLP_MARKING_IDS]
    return max(found, key=TLP_LEVELS.index) if found else None


def check_tlp_marking(marking: dict[str, Any]) -> None:
    """Refuse a marking-definition that states a TLP level its standard id contradicts,
    or an unknown TLP level."""
    object_id = marking.get("id")
    stated = _stated_level(marking)
    if stated is not None and stated not in TLP_LEVELS:
        raise RecordError(str(object_id), "definition", f"unknown TLP level {stated!r}")
    standard = TLP_MARKING_IDS.get(object_id) if isinstance(object_id, str) else None
    if standard is not None and stated is not None and stated != standard:
        reason = (
            f"this is the standard TLP:{standard.upper()} marking id, "
            f"but it states TLP:{stated.upper()}"
        )
        raise RecordError(str(object_id), "definition", reason)
