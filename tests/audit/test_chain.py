"""The audit chain: any alteration, gap, reordering or truncation is detected."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.audit.chain import (
    ACTIONS,
    GENESIS,
    AuditEntry,
    ChainHead,
    batch_detail,
    entry_hash,
    extend_chain,
    verify_chain,
)

NOW = "2015-12-01T08:30:00.000Z"

details = st.dictionaries(
    st.sampled_from(["count", "root", "first", "last", "partner", "why"]),
    st.one_of(st.integers(0, 10**6), st.text(max_size=8), st.booleans()),
    max_size=4,
)
items = st.tuples(st.sampled_from(ACTIONS), st.text(max_size=10), details)


@st.composite
def chains(draw: st.DrawFn, min_size: int = 1) -> list[AuditEntry]:
    """A valid chain built by one to three appends."""
    entries: list[AuditEntry] = []
    for _ in range(draw(st.integers(1, 3))):
        batch = draw(st.lists(items, min_size=0, max_size=12))
        head = entries[-1].head if entries else None
        minute = len(entries) % 60
        entries += extend_chain(head, batch, f"2015-12-01T08:{minute:02d}:00Z")
    if len(entries) < min_size:
        head = entries[-1].head if entries else None
        entries += extend_chain(head, [("ingest", "x", {})] * (min_size - len(entries)), NOW)
    return entries


def rehash(entry: AuditEntry) -> AuditEntry:
    h = entry_hash(entry.seq, entry.at, entry.action, entry.subject, entry.detail, entry.prev)
    return dataclasses.replace(entry, hash=h)


_ALTERATIONS: dict[str, Any] = {
    "at": "2016-01-01T00:00:00Z",
    "action": "release",
    "subject": "someone else",
    "detail": {"count": -1},
}


@given(chains())
def test_valid_chains_verify(entries: list[AuditEntry]) -> None:
    report = verify_chain(entries, entries[-1].head)
    assert report.ok and report.first_bad_seq is None and report.reason is None
    assert report.checked == len(entries)
    assert report.head == entries[-1].head
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev == GENESIS
    assert "intact" in str(report)


def test_empty_log() -> None:
    assert verify_chain([]).ok
    report = verify_chain([], ChainHead(3, "ab" * 32))
    assert not report.ok
    assert (
        report.reason == "chain ends at 0 but the signed head says 3 "
        "(entries 1–3 deleted, or the store rolled back)"
    )


@given(chains(), st.data())
@settings(max_examples=300)
def test_single_alteration_is_detected(entries: list[AuditEntry], data: st.DataObject) -> None:
    k = data.draw(st.integers(1, len(entries)))
    field = data.draw(st.sampled_from(sorted(_ALTERATIONS)))
    value = _ALTERATIONS[field]
    original = entries[k - 1]
    if getattr(original, field) == value:
        value = "changed"
    altered = dataclasses.replace(original, **{field: value})
    # Naive tampering: the stored hash no longer matches.
    log = [*entries[: k - 1], altered, *entries[k:]]
    report = verify_chain(log)
    assert not report.ok
    assert report.first_bad_seq == k
    assert report.reason == f"entry {k} altered"
    assert report.checked == k - 1
    # Careful tampering: the hash is recomputed; the next link or the signed head breaks.
    log[k - 1] = rehash(altered)
    report = verify_chain(log, entries[-1].head)
    assert not report.ok
    assert report.first_bad_seq == k
    if k < len(entries):
        assert report.reason is not None and f"entry {k} altered" in report.reason
    else:
        assert report.reason == f"entry {k} differs from the signed head (log rewritten)"


@given(chains(min_size=2), st.data())
def test_relinking_is_detected(entries: list[AuditEntry], data: st.DataObject) -> None:
    k = data.draw(st.integers(1, len(entries)))
    altered = dataclasses.replace(entries[k - 1], prev="ff" * 32)
    log = [*entries[: k - 1], altered, *entries[k:]]
    assert verify_chain(log).first_bad_seq == k  # hash mismatch
    log[k - 1] = rehash(altered)
    report = verify_chain(log)
    # The break sits between k-1 and k: the earliest untrusted entry is k-1.
    assert report.first_bad_seq == max(k - 1, 1)


@given(chains(min_size=2), st.data())
def test_deletion_is_detected(entries: list[AuditEntry], data: st.DataObject) -> None:
    k = data.draw(st.integers(1, len(entries) - 1))
    log = entries[: k - 1] + entries[k:]
    report = verify_chain(log)
    assert not report.ok
    assert report.first_bad_seq == k
    assert report.reason == f"entry {k} missing (gap after {k - 1})"


@given(chains(min_size=2), st.data())
def test_swap_is_detected(entries: list[AuditEntry], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(entries) - 2))
    j = data.draw(st.integers(i + 1, len(entries) - 1))
    log = list(entries)
    log[i], log[j] = log[j], log[i]
    report = verify_chain(log)
    assert not report.ok
    assert report.first_bad_seq == i + 1
    if j == i + 1:
        assert report.reason == f"entry {i + 1} out of order"


@given(chains(min_size=2), st.data())
def test_truncation_needs_the_head(entries: list[AuditEntry], data: st.DataObject) -> None:
    m = data.draw(st.integers(0, len(entries) - 1))
    assert verify_chain(entries[:m]).ok  # undetectable from the log alone
    n = len(entries)
    report = verify_chain(entries[:m], entries[-1].head)
    assert not report.ok
    assert report.first_bad_seq == m + 1
    assert report.reason == (
        f"chain ends at {m} but the signed head says {n} "
        f"({'entry' if n == m + 1 else 'entries'} {m + 1}{'' if n == m + 1 else f'–{n}'} "
        "deleted, or the store rolled back)"
    )


@given(chains(min_size=3), st.data())
def test_rewritten_tail_is_caught_by_the_head(
    entries: list[AuditEntry], data: st.DataObject
) -> None:
    k = data.draw(st.integers(1, len(entries)))
    prefix = entries[: k - 1]
    rewritten = prefix + extend_chain(
        prefix[-1].head if prefix else None,
        [("refuse", "forged", {})] * (len(entries) - k + 1),
        NOW,
    )
    assert verify_chain(rewritten).ok
    report = verify_chain(rewritten, entries[-1].head)
    assert not report.ok and report.first_bad_seq == len(entries)


def test_duplicate_entry_is_out_of_order() -> None:
    entries = extend_chain(None, [("ingest", str(i), {}) for i in range(5)], NOW)
    report = verify_chain([*entries, entries[2]])
    assert report.first_bad_seq == 6
    assert report.reason == "entry 3 out of order (expected 6)"


def test_verification_streams() -> None:
    entries = extend_chain(None, [("sync", str(i), {}) for i in range(50)], NOW)
    served: list[int] = []

    def log() -> Iterator[AuditEntry]:
        for e in entries:
            if e.seq == 10:
                e = dataclasses.replace(e, subject="x")
            served.append(e.seq)
            yield e
        raise AssertionError("read past the fault")

    report = verify_chain(log())
    assert report.first_bad_seq == 10
    assert served == list(range(1, 11))


def test_verify_after_a_checkpoint() -> None:
    entries = extend_chain(None, [("sync", str(i), {}) for i in range(20)], NOW)
    checkpoint = entries[9].head
    assert verify_chain(entries[10:], entries[-1].head, after=checkpoint).checked == 10
    report = verify_chain(entries[11:], after=checkpoint)
    assert report.reason == "entry 11 missing (gap after 10)"
    other = extend_chain(None, [("sync", "other", {})] * 11, NOW)
    report = verify_chain(other[10:], after=checkpoint)
    assert report.first_bad_seq == 11
    assert report.reason == "entry 11 does not follow the checkpoint at 10"


def test_extend_chain_continues_and_validates() -> None:
    first = extend_chain(None, [("key-create", "node", {"key_id": "ab"})], NOW)
    more = extend_chain(
        first[-1].head,
        [("release", "partner-a", batch_detail(3, root="cd" * 32, first="a--1", last="a--3"))],
        "2015-12-01T09:00:00.5Z",
    )
    assert more[0].seq == 2 and more[0].prev == first[0].hash
    assert more[0].detail == {"count": 3, "root": "cd" * 32, "first": "a--1", "last": "a--3"}
    assert verify_chain(first + more).ok
    assert extend_chain(first[-1].head, [], NOW) == []
    with pytest.raises(ValueError, match="STIX timestamp"):
        extend_chain(None, [("ingest", "x", {})], "2015-12-01 08:30")
    with pytest.raises(ValueError, match="bad audit action"):
        extend_chain(None, [("Ingest!", "x", {})], NOW)


def test_entries_survive_serialisation() -> None:
    entries = extend_chain(None, [("ingest", "bundle", {"count": 2, "ids": ["a", "b"]})], NOW)
    wire = [orjson.loads(orjson.dumps(e.to_dict())) for e in entries]
    restored = [AuditEntry.from_dict(d) for d in wire]
    assert restored == entries
    assert verify_chain(restored).ok


def test_unhashable_detail_counts_as_altered() -> None:
    (entry,) = extend_chain(None, [("ingest", "x", {"n": 1})], NOW)
    broken = dataclasses.replace(entry, detail={"n": float("nan")})
    assert verify_chain([broken]).reason == "entry 1 altered"
