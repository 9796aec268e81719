"""placeholder"""

from __future__ import annotations

from typing import Any


def corroboration(prep: Any, params: Any, parties: Any, msgs: Any) -> list[dict[str, Any]]:
    return []


def harm_links(prep: Any, params: Any, parties: Any) -> list[dict[str, Any]]:
    return []
