"""Fixtures of the policy tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy.md"


@pytest.fixture
def documented_toml() -> str:
    """The complete example configuration of docs/policy.md (its first ``toml`` block)."""
    match = re.search(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert match is not None, "docs/policy.md has no toml example"
    return match.group(1)
