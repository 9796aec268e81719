"""liaison's extension-definition ids (uuid5 in liaison's namespace, as liaison.records)."""

from __future__ import annotations

import uuid

__all__ = ["extension_id"]

_LIAISON_NAMESPACE = uuid.UUID("62c4c8f7-a763-48d2-9977-0284a616d292")


def extension_id(name: str) -> str:
    """The id of liaison's extension definition ``name``."""
    return f"extension-definition--{uuid.uuid5(_LIAISON_NAMESPACE, 'liaison/extension/' + name)}"
