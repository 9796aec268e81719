"""The exchange tables, on every backend, through `Store.exchange` only."""

from __future__ import annotations

import pytest

from liaison.store import (
    Cursor,
    NewRelease,
    PartnerRow,
    Receipt,
    ReleaseChanges,
    Selection,
    Store,
)

T = 1_460_000_000_000_000  # microseconds


def _partner(name: str, **changes: object) -> PartnerRow:
    base = {"name": name, "url": f"https://{name}.example/api/", "public_key": None,
            "party_id": None, "unsigned": False, "collection_id": f"c-{name}",
            "token_hash": None, "added": "2016-01-01T00:00:00.000Z"}  # fmt: skip
    return PartnerRow(**(base | changes))  # type: ignore[arg-type]


def _release(rid: str, modified: str, kind: str = "location") -> NewRelease:
    body = f'{{"id":"{rid}","modified":"{modified}"}}'.encode()
    return NewRelease(rid, modified, kind, False, "rule", body)


def _keys(store: Store, partner: str, sel: Selection) -> list[tuple[int, str, str]]:
    return [(r.pseq, r.id, r.modified) for r in store.exchange.select_releases(partner, sel)]


def test_partners_are_replaced_by_name_and_listed_in_order(store: Store) -> None:
    x = store.exchange
    x.put_partner(_partner("ru"))
    x.put_partner(_partner("de", unsigned=True))
    x.put_partner(_partner("ru", url="https://ru.example/other/"))
    assert [p.name for p in x.partners()] == ["de", "ru"]
    assert x.partner("ru") == _partner("ru", url="https://ru.example/other/")
    assert x.partner("uk") is None
    x.set_token_hash("de", "h1")
    x.set_party_id("de", "identity--d")
    got = x.partner("de")
    assert got is not None and (got.token_hash, got.party_id, got.unsigned) == (
        "h1", "identity--d", True)  # fmt: skip


def test_release_rows_are_numbered_dated_and_selected(store: Store) -> None:
    x = store.exchange
    x.put_partner(_partner("ru"))
    with store.transaction():
        first = x.add_releases("ru", [_release("a", "1"), _release("b", "1", "event")], T)
        second = x.add_releases("ru", [_release("a", "2")], T)  # same clock: still later
    assert first[:2] == (1, 2) and second[:2] == (3, 3) and second[2] > first[2]
    every = Selection(versions=("all",))
    assert _keys(store, "ru", every) == [(1, "a", "1"), (2, "b", "1"), (3, "a", "2")]
    assert _keys(store, "ru", Selection()) == [(2, "b", "1"), (3, "a", "2")]  # latest only
    assert _keys(store, "ru", Selection(versions=("first",))) == [(1, "a", "1"), (2, "b", "1")]
    assert _keys(store, "ru", Selection(after_pseq=1, limit=1, versions=("all",))) == [
        (2, "b", "1")
    ]
    assert _keys(store, "ru", Selection(types=("event",))) == [(2, "b", "1")]
    assert _keys(store, "ru", Selection(ids=("a",), modified=("1",), versions=())) == [
        (1, "a", "1")
    ]
    assert _keys(store, "ru", Selection(added_after_us=first[2], versions=("all",))) == [
        (3, "a", "2")
    ]
    latest = x.latest_release("ru", "a")
    assert latest is not None and (latest.modified, latest.latest) == ("2", True)
    old = x.release_row("ru", "a", "1")
    assert old is not None and not old.latest and old.body == _release("a", "1").body
    assert x.release_row("ru", "a", "9") is None
    assert x.has_releases("ru") and not x.has_releases("de")
    assert x.release_count("ru") == 3


def test_re_released_version_moves_to_the_end_never_served_twice(store: Store) -> None:
    x = store.exchange
    x.put_partner(_partner("ru"))
    with store.transaction():
        x.add_releases("ru", [_release("a", "1"), _release("b", "1")], T)
        x.add_releases("ru", [_release("a", "1")], T)
    assert _keys(store, "ru", Selection(versions=("all",))) == [(2, "b", "1"), (3, "a", "1")]


def test_write_releases_withdraws_replaces_and_reflags_latest(store: Store) -> None:
    x = store.exchange
    x.put_partner(_partner("ru"))
    with store.transaction():
        x.add_releases("ru", [_release("a", "1"), _release("a", "2"), _release("b", "1")], T)
    with store.transaction():
        existing = x.served_versions("ru", ["a", "b"])
        assert set(existing) == {("a", "1"), ("a", "2"), ("b", "1")}
        assert existing[("a", "2")].latest and not existing[("a", "1")].latest
        renamed = NewRelease("b", "1", "location", True, "other", b'{"id":"b"}')
        changes = ReleaseChanges(existing, replace=[renamed], withdraw=[("a", "2")])
        assert x.write_releases("ru", changes, T) == (0, -1, 0)  # nothing added
    after = x.served_versions("ru", ["a", "b"])
    assert set(after) == {("a", "1"), ("b", "1")}
    assert after[("a", "1")].latest  # the older version is the latest again
    assert (after[("b", "1")].rule, after[("b", "1")].revoked) == ("other", True)
    row = x.release_row("ru", "b", "1")
    assert row is not None and row.pseq == 3  # re-rendered in place


def test_delayed_releases_and_release_state(store: Store) -> None:
    x = store.exchange
    for name in ("de", "ru"):
        x.put_partner(_partner(name))
    with store.transaction():
        x.put_pending("ru", [("a", "1", 300), ("b", "1", 100)])
        x.put_pending("de", [("a", "1", 200)])
        x.set_fingerprint("ru", "f1")
        x.set_fingerprint("de", "f2")
        x.set_fingerprint("ru", "f3")
    assert x.pending_of("ru", ["a", "b", "c"]) == {("a", "1"): 300, ("b", "1"): 100}
    assert x.due_pending(250) == [("ru", "b", "1"), ("de", "a", "1")]
    assert x.due_pending(1000, limit=1) == [("ru", "b", "1")]
    assert x.pending_count() == 3 and x.fingerprints() == {"de": "f2", "ru": "f3"}
    with store.transaction():
        x.drop_pending("ru", [("b", "1")])
    assert x.pending_of("ru", ["b"]) == {}
    with store.transaction():
        x.forget_partners(["ru"])
    assert x.pending_count() == 1 and x.fingerprints() == {"ru": "f3"}
    with store.transaction():
        x.forget_partners([])
    assert x.pending_count() == 0 and x.fingerprints() == {}


def test_cursors_and_receipts(store: Store) -> None:
    x = store.exchange
    assert x.cursor("ru") is None
    with store.transaction():
        x.set_cursor("ru", Cursor("t1", None, 10), "2016-01-01T00:00:00.000Z")
        x.set_cursor("ru", Cursor(None, "2016-01-02T00:00:00.000Z", 20), "later")
    assert x.cursor("ru") == Cursor(None, "2016-01-02T00:00:00.000Z", 20)
    first = Receipt("a", "2", "ru", True, "sig", "2016-01-03T00:00:00.000Z")
    with store.transaction():
        x.add_receipts([first, Receipt("a", "1", "de", False, None, "r")])
        x.add_receipts([Receipt("a", "2", "ru", False, None, "again")])  # kept: first
        x.add_receipts([])
    assert x.receipts_of("a") == [Receipt("a", "1", "de", False, None, "r"), first]
    assert x.receipts_of("b") == []


def test_exchange_writes_roll_back_with_their_transaction(store: Store) -> None:
    x = store.exchange
    x.put_partner(_partner("ru"))
    with pytest.raises(RuntimeError), store.transaction():
        x.add_releases("ru", [_release("a", "1")], T)
        x.put_pending("ru", [("b", "1", 5)])
        x.set_cursor("ru", Cursor("t", None, 1), "now")
        x.put_partner(_partner("de"))
        raise RuntimeError("crash mid-page")
    assert x.release_count("ru") == 0 and x.pending_count() == 0
    assert x.cursor("ru") is None and [p.name for p in x.partners()] == ["ru"]
