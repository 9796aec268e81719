"""The reference STIX 2.1 validator accepts every example and the extension definitions."""

from __future__ import annotations

from typing import Any

import pytest

from liaison.records import extension_definitions, liaison_identity
from liaison.records.examples import example_objects

from .conftest import PARTY_ID


@pytest.fixture(scope="module")
def validation() -> Any:
    """One validation run over a bundle of everything (the validator is slow to import)."""
    from stix2validator import ValidationOptions, validate_instance

    objects = [liaison_identity(), *extension_definitions(), *example_objects(PARTY_ID)]
    bundle = {
        "type": "bundle",
        "id": "bundle--6f1c2a7e-3b9d-4e0a-8c5f-1d2e3f4a5b6c",
        "objects": objects,
    }
    return validate_instance(bundle, ValidationOptions(version="2.1"))


def test_bundle_has_no_errors(validation: Any) -> None:
    errors = [str(e) for e in validation.errors]
    assert validation.is_valid, errors
    assert errors == []


def test_only_warnings_are_deterministic_uuid5_ids(validation: Any) -> None:
    # Extension definitions and the project identity have uuid5 ids (so every node
    # agrees on them); the validator notes that they are not UUIDv4. Nothing else.
    for warning in validation.warnings:
        assert "is not a valid UUIDv4 ID" in warning, warning
        assert warning.startswith(("extension-definition--", "identity--")), warning
