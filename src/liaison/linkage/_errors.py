"""Errors of the linkage package; each message says which record, field or
batch, and why."""

from __future__ import annotations


class LinkageError(Exception):
    """Something in linkage cannot be done; the message says what and why."""


class SchemaError(LinkageError):
    """A linkage schema file is not valid."""

    def __init__(self, source: str, key: str, reason: str) -> None:
        super().__init__(f"{source}: {key}: {reason}" if key else f"{source}: {reason}")
        self.source, self.key, self.reason = source, key, reason


class LinkageInputError(LinkageError):
    """A record cannot be encoded: which record, which field, why."""

    def __init__(self, record: str, field: str, reason: str) -> None:
        where = f"record {record}" if record else "a record"
        super().__init__(f"{where}: field {field!r}: {reason}" if field else f"{where}: {reason}")
        self.record, self.field, self.reason = record, field, reason


class MismatchError(LinkageError):
    """Two sides do not share a schema or keys (found from the fingerprints,
    before anything is matched or evaluated)."""


class BatchError(LinkageError):
    """An encoding batch is malformed, unsigned, or not what it claims."""


class BudgetExceeded(LinkageError):
    """A partner asked for more token evaluations than its budget allows."""
