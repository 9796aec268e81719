"""The onward-release marking: the originator's permission to pass a record on.

A record received from a partner is never released to a third party unless its
``object_marking_refs`` holds this marking. The marking definition is the same on
every node: its id is uuid5 of liaison's namespace and a fixed name.
"""

from __future__ import annotations

import uuid
from typing import Any

from liaison.records import LIAISON_IDENTITY_ID, LIAISON_NAMESPACE

__all__ = ["ONWARD_RELEASE_MARKING_ID", "onward_release_marking"]

_MARKING_NAME = "liaison onward release permitted"

#: The id of the onward-release ``marking-definition``.
ONWARD_RELEASE_MARKING_ID = (
    f"marking-definition--{uuid.uuid5(LIAISON_NAMESPACE, 'liaison/marking/onward-release')}"
)


def onward_release_marking() -> dict[str, Any]:
    """The STIX 2.1 statement ``marking-definition`` of onward-release permission (a new dict)."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": ONWARD_RELEASE_MARKING_ID,
        "created": "2024-01-01T00:00:00.000Z",
        "created_by_ref": LIAISON_IDENTITY_ID,
        "name": _MARKING_NAME,
        "definition_type": "statement",
        "definition": {
            "statement": (
                "The originator permits the recipient to release this object onward "
                "to its own partners, under the recipient's release policies."
            )
        },
    }
