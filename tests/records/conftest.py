"""Fixtures of the records tests: the example objects of every kind."""

from __future__ import annotations

from typing import Any

import pytest

from liaison.records import KINDS, kind_of
from liaison.records.examples import example_objects

PARTY_ID = "identity--5e0b3c52-7d8f-4c1a-9a63-2f7d7b1e9c40"


@pytest.fixture
def party_id() -> str:
    return PARTY_ID


@pytest.fixture
def examples() -> dict[str, dict[str, Any]]:
    """One example STIX dict per kind, by kind."""
    return {kind_of(obj): obj for obj in example_objects(PARTY_ID)}


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)
