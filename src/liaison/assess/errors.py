"""The method's error class and the messages it attaches to a result."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["AssessmentError", "Messages"]


class AssessmentError(ValueError):
    """The assessment cannot be computed; the message says why and what to change."""


@dataclass
class Messages:
    """Notes gathered while assessing: ``info`` and ``warning`` entries with a stable code."""

    entries: list[dict[str, str]] = field(default_factory=list)

    def warn(self, code: str, text: str) -> None:
        """Record a warning (a figure is missing, partial or to be read with care)."""
        self.entries.append({"level": "warning", "code": code, "text": text})

    def info(self, code: str, text: str) -> None:
        """Record an informative note."""
        self.entries.append({"level": "info", "code": code, "text": text})
