"""Builders of store inputs for the store conformance suite, and the view that keeps
the suite to the `Store` protocol."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, cast

import orjson

from liaison.records import RecordIndex
from liaison.store import ExchangeTables, NewVersion, Seal, Store, Writer

SEAL = Seal(root=b"\x00" * 32, signature=b"\x01" * 64, key_id="k" * 16, alg="test")


def version(
    *,
    rid: str | None = None,
    modified: str = "2016-01-01T00:00:00.000Z",
    kind: str = "strike-report",
    start: int | None = 1_000,
    end: int | None = 2_000,
    group: str | None = None,
    party: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    revoked: bool = False,
    note: str = "",
) -> NewVersion:
    record_id = rid or f"liaison-strike-report--{uuid.uuid4()}"
    body = orjson.dumps(
        {"id": record_id, "modified": modified, "note": note}, option=orjson.OPT_SORT_KEYS
    )
    index = RecordIndex(
        id=record_id,
        modified=modified,
        kind=kind,
        time_start_ms=start,
        time_end_ms=end,
        group_ref=group,
        party_ref=party,
        latitude=lat,
        longitude=lon,
        precision_m=None if lat is None else 100.0,
        revoked=revoked,
    )
    return NewVersion(index, body, hashlib.sha256(body).digest(), 0, b"")


def put(store: Store, versions: list[NewVersion]) -> int:
    with store.transaction() as tx:
        batch = tx.add_seal(SEAL)
        tx.add_versions(batch, versions)
    return batch


def protocol_members(proto: type) -> frozenset[str]:
    """The public names a protocol class declares (methods, properties, attributes)."""
    names = {n for n in vars(proto) if not n.startswith("_")}
    return frozenset(names | {n for n in proto.__annotations__ if not n.startswith("_")})


class ProtocolOnly:
    """A real store (or its writer, or its exchange tables) seen through its protocol
    only: any name the protocol does not declare is an AttributeError, so a suite
    run on these views cannot depend on the SQL classes behind them."""

    def __init__(self, target: object, proto: type) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_proto", proto)
        object.__setattr__(self, "_members", protocol_members(proto))

    def __getattr__(self, name: str) -> Any:
        if name not in self._members:
            raise AttributeError(f"{name!r} is not part of the {self._proto.__name__} protocol")
        value = getattr(self._target, name)
        if name == "exchange":
            return ProtocolOnly(value, ExchangeTables)
        if name == "transaction":
            return _viewed_transaction(value)
        return value

    def __setattr__(self, name: str, value: object) -> None:
        if name not in self._members:
            raise AttributeError(f"{name!r} is not part of the {self._proto.__name__} protocol")
        setattr(self._target, name, value)


def _viewed_transaction(
    transaction: Callable[[], AbstractContextManager[Writer]],
) -> Callable[[], AbstractContextManager[Writer]]:
    @contextmanager
    def viewed() -> Iterator[Writer]:
        with transaction() as tx:
            yield cast(Writer, ProtocolOnly(tx, Writer))

    return viewed


def through_protocol(store: Store) -> Store:
    """``store`` seen through the `Store` protocol only."""
    return cast(Store, ProtocolOnly(store, Store))
