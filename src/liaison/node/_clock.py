"""Injected time and identifiers, so signatures, audit chains and reports can be
reproduced in tests."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from typing import Protocol

IdFactory = Callable[[], uuid.UUID]


class Clock(Protocol):
    """Something that tells the time in epoch milliseconds (UTC)."""

    def now_ms(self) -> int: ...


class SystemClock:
    """The real clock."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


class SteppingClock:
    """A deterministic clock: starts at ``start_ms`` and advances ``step_ms`` per reading."""

    def __init__(self, start_ms: int, step_ms: int = 1) -> None:
        self._next = start_ms
        self._step = step_ms

    def now_ms(self) -> int:
        now = self._next
        self._next += self._step
        return now


def seeded_ids(seed: int) -> IdFactory:
    """A deterministic factory of version-4-shaped UUIDs."""
    rng = random.Random(seed)

    def make() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    return make
