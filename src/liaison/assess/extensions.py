"""liaison's extension-definition ids, as `liaison.records` owns them (re-exported
for the assessment code and its callers)."""

from __future__ import annotations

from liaison.records._ids import extension_id

__all__ = ["extension_id"]
