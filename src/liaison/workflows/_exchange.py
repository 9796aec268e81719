"""Sync, then release: what partners sent may change what this node releases
(e.g. a partner's identity learnt, or records this node re-shares under its policy)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from liaison.exchange import SyncReport
    from liaison.node import Node
    from liaison.release import ReleaseReport

__all__ = ["SyncOutcome", "sync_and_release", "watch_and_release"]


@dataclass(frozen=True)
class SyncOutcome:
    """Each partner's sync report, and the release that followed."""

    reports: tuple[SyncReport, ...]
    release: ReleaseReport

    @property
    def ok(self) -> bool:
        return not any(r.refused or r.error for r in self.reports)


def sync_and_release(
    node: Node, names: list[str] | None = None, *, commit_objects: int | None = None
) -> SyncOutcome:
    """Pull, verify and store what ``names`` (default: every partner) released to
    this node, then materialise the release tables once. ``commit_objects``: objects
    per sync transaction at most (default: the exchange's ``COMMIT_OBJECTS``)."""
    from liaison.exchange import COMMIT_OBJECTS, sync_all
    from liaison.release import materialise_releases

    reports = tuple(sync_all(node, names, commit_objects=commit_objects or COMMIT_OBJECTS))
    return SyncOutcome(reports, materialise_releases(node))


def watch_and_release(
    node: Node,
    names: list[str] | None = None,
    *,
    interval_s: float,
    rounds: int | None = None,
    report: Callable[[SyncReport], None] | None = None,
    commit_objects: int | None = None,
) -> None:
    """Sync every ``interval_s`` seconds (``rounds`` times, or until interrupted),
    releasing after each round."""
    from liaison.exchange import COMMIT_OBJECTS, watch
    from liaison.release import materialise_releases

    def release() -> None:
        materialise_releases(node)

    watch(
        node,
        names,
        interval_s=interval_s,
        rounds=rounds,
        report=report,
        after_round=release,
        commit_objects=commit_objects or COMMIT_OBJECTS,
    )
