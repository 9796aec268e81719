"""Deterministic identifiers and timestamps for a simulated scenario (no wall clock)."""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from .config import GROUPS

__all__ = ["SIM_NAMESPACE", "Ids", "masked", "scenario_uuid"]

#: Namespace of the simulator's uuid5 ids.
SIM_NAMESPACE = uuid.UUID("9b0e4a52-51c1-4c0e-9a4e-5d3f3c1b7a10")


def scenario_uuid(seed: int, name: str) -> str:
    return str(uuid.uuid5(SIM_NAMESPACE, f"{seed}/{name}"))


def masked(values: npt.NDArray[Any], keep: npt.NDArray[np.bool_]) -> pl.Series:
    """``values`` where ``keep``, null elsewhere."""
    return pl.select(pl.when(pl.Series(keep)).then(pl.Series(values))).to_series()


@dataclass
class Ids:
    """Issues a scenario's ids: fixed for parties and groups, counted for records."""

    seed: int
    party_keys: tuple[str, ...]
    identity_of: dict[str, str] = field(default_factory=dict)
    _calls: int = field(default=0, repr=False)

    @property
    def parties(self) -> npt.NDArray[np.str_]:
        """Identity ids of the parties, in ``party_keys`` order."""
        return np.array(
            [
                self.identity_of.get(p, f"identity--{scenario_uuid(self.seed, 'party/' + p)}")
                for p in self.party_keys
            ]
        )

    @property
    def groups(self) -> npt.NDArray[np.str_]:
        """Threat-actor ids of the groups, in ``GROUPS`` order."""
        return np.array(
            [f"threat-actor--{scenario_uuid(self.seed, 'group/' + g[0])}" for g in GROUPS]
        )

    @property
    def monitor(self) -> str:
        """Identity id of the open-source monitor that publishes open events."""
        return f"identity--{scenario_uuid(self.seed, 'monitor')}"

    def party_name(self, key: str) -> str:
        """Display name of a party."""
        return f"Party {key} (simulated)"

    def public_key(self, identity: str) -> str:
        """A stand-in Ed25519 public key (32 bytes derived from the id), base64."""
        return base64.b64encode(hashlib.sha256(identity.encode()).digest()).decode()

    def make(self, stix_type: str, n: int) -> pl.Series:
        """``n`` new ids of ``stix_type``: unique per scenario, reproducible per seed."""
        self._calls += 1
        head = hashlib.sha256(f"{self.seed}/{stix_type}".encode()).hexdigest()[:8]
        prefix = f"{stix_type}--{head}-{self._calls:04d}-4000-8000-"
        counter = pl.Series("id", np.arange(n, dtype=np.int64))
        return (prefix + counter.cast(pl.String).str.zfill(12)).alias("id")

    @staticmethod
    def stamps(ms: npt.NDArray[np.int64]) -> pl.Series:
        """STIX timestamps (millisecond precision) of epoch-ms values."""
        series = pl.Series("t", np.asarray(ms, dtype=np.int64))
        return pl.from_epoch(series, "ms").dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")

    def party_frame(self) -> pl.DataFrame:
        """The parties frame (the open monitor included)."""
        ids = [*self.parties.tolist(), self.monitor]
        names = [*(self.party_name(p) for p in self.party_keys), "Open Monitor (simulated)"]
        return pl.DataFrame({"id": ids, "modified": [_EPOCH_STAMP] * len(ids), "name": names})

    def group_frame(self) -> pl.DataFrame:
        """The groups frame."""
        n = len(GROUPS)
        return pl.DataFrame(
            {
                "id": self.groups.tolist(),
                "modified": [_EPOCH_STAMP] * n,
                "name": [g[1] for g in GROUPS],
            }
        )


_EPOCH_STAMP = "2015-01-01T00:00:00.000Z"
