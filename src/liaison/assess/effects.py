"""placeholder"""

from __future__ import annotations

from typing import Any


def strike_effects(p: Any, prep: Any, params: Any, parties: Any, msgs: Any) -> list[dict[str, Any]]:
    return []
