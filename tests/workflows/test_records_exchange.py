"""ingest_and_release, sync_and_release and the release scheduler, on real nodes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from liaison.exchange import issue_token, materialise_releases
from liaison.node import Node
from liaison.records.examples import example_objects
from liaison.store import Query
from liaison.workflows import (
    ReleaseScheduler,
    connect_partner,
    ingest_and_release,
    sync_and_release,
)
from tests.exchange.conftest import STRIKE_POLICY, set_policy


def _bundle(path: Path, objects: list[dict[str, object]]) -> Path:
    path.write_bytes(orjson.dumps({"type": "bundle", "id": "bundle--" + "0" * 36,
                                   "objects": objects}))  # fmt: skip
    return path


def _records(node: Node) -> list[dict[str, object]]:
    return [o for o in example_objects(node.party_id) if o["type"] != "identity"]


def test_ingest_then_release_fills_the_partners_table_and_reports_missing_files(
    make_node: Callable[..., Node], tmp_path: Path
) -> None:
    fr, ru = make_node("fr"), make_node("ru")
    set_policy(fr, STRIKE_POLICY)
    connect_partner(fr, "ru", "http://127.0.0.1:9/api/", public_key=ru.key.public_key_b64)
    before = fr.store.exchange.release_count("ru")
    bundle = _bundle(tmp_path / "b.json", _records(fr))
    done = ingest_and_release(fr, [tmp_path / "absent.json", bundle])
    assert done.missing == (tmp_path / "absent.json",)
    assert not done.ok  # a missing file is a failure of the command …
    assert done.files[1].report is not None and done.files[1].report.accepted > 0  # … not of all
    assert done.release.released.get("ru", 0) > 0
    assert fr.store.exchange.release_count("ru") == before + done.release.released["ru"]


def test_sync_then_release_stores_what_the_partner_released(
    make_node: Callable[..., Node], served: Callable[[Node], str]
) -> None:
    fr, ru = make_node("fr"), make_node("ru")
    set_policy(fr, STRIKE_POLICY)
    connect_partner(fr, "ru", "http://127.0.0.1:9/api/", public_key=ru.key.public_key_b64)
    from liaison.ingest import ingest_objects

    assert ingest_objects(fr, _records(fr), source="t").ok
    materialise_releases(fr)
    url = served(fr)
    token = issue_token(fr, "ru")
    connect_partner(ru, "fr", f"{url}/api/", public_key=fr.key.public_key_b64, credential=token)
    done = sync_and_release(ru)
    (report,) = done.reports
    assert done.ok and report.accepted > 0 and report.error is None
    received = {v.index.id for v in ru.store.query(Query()) if v.received_from == "fr"}
    assert len(received) == report.accepted


def test_scheduler_releases_records_stored_while_it_runs(
    make_node: Callable[..., Node],
) -> None:
    fr, ru = make_node("fr"), make_node("ru")
    set_policy(fr, STRIKE_POLICY)
    connect_partner(fr, "ru", "http://127.0.0.1:9/api/", public_key=ru.key.public_key_b64)
    start = fr.store.exchange.release_count("ru")
    lock = threading.Lock()  # the test node's store is shared with the scheduler thread

    def release() -> None:
        with lock:
            materialise_releases(fr)

    from liaison.ingest import ingest_objects

    with ReleaseScheduler(release, 0.05) as scheduler:
        with lock:
            assert ingest_objects(fr, _records(fr), source="t").ok
        deadline = time.monotonic() + 20
        while fr.store.exchange.release_count("ru") == start and time.monotonic() < deadline:
            time.sleep(0.05)
    assert fr.store.exchange.release_count("ru") > start
    assert scheduler.rounds >= 1 and scheduler.failures == 0


def test_scheduler_reports_a_failing_round_and_keeps_going() -> None:
    errors: list[Exception] = []
    calls = 0

    def release() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("store busy")

    with ReleaseScheduler(release, 0.01, on_error=errors.append) as scheduler:
        deadline = time.monotonic() + 20
        while calls < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert calls >= 3
    assert [str(e) for e in errors] == ["store busy"]
    assert scheduler.failures == 1


@pytest.mark.parametrize("interval", [0, -1.0])
def test_scheduler_refuses_a_non_positive_interval(interval: float) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        ReleaseScheduler(lambda: None, interval)
