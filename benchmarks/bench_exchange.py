"""Exchange between two nodes on loopback: release materialisation, a TAXII page of
1,000 at N stored, full sync (serve + verify + store), and medallion vs liaison
serving the same 2,000 location objects to taxii2-client.

The serving node runs ``liaison serve`` in its own process (as in production);
``--quick`` shrinks N from 1,000,000 to 20,000 (``--n=N`` sets it; run this module
directly: ``python -m benchmarks.bench_exchange --n=100000``). After the first
release, a coarser rule re-decides (and re-renders) every served version.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from benchmarks._data import strike_and_presence
from liaison.exchange import TAXII_MEDIA
from liaison.exchange._partners import add_partner, issue_token, save_credential
from liaison.exchange._server import free_port
from liaison.exchange._sync import sync_partner
from liaison.ingest import ingest_objects
from liaison.node import CONFIG_NAME, Node, init_node
from liaison.release import materialise_releases

POLICY = """
[[partners.ru.rules]]
name = "strikes and presence, coarsened"
kinds = ["strike-report", "presence", "location"]
coarsen_m = 10000
"""


def _policy(node: Node, text: str) -> None:
    path = node.root / CONFIG_NAME
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@contextmanager
def _serving(node_dir: Path) -> Iterator[str]:
    """``liaison serve`` for a node, in its own process; yields the base URL."""
    port = free_port()
    env = os.environ | {"LIAISON_NODE": str(node_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "liaison", "serve", "--port", str(port),
         "--release-interval", "86400"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                httpx.get(url + "/taxii2/", timeout=2)
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("liaison serve did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _page_latency(url: str, token: str, total: int, samples: int = 60) -> float:
    """Median ms of a 1,000-object page at random places in the collection."""
    h = {"Authorization": f"Bearer {token}", "Accept": TAXII_MEDIA}
    with httpx.Client(base_url=url, headers=h, timeout=60) as c:
        cid = c.get("/api/collections/").json()["collections"][0]["id"]
        rng = random.Random(1)
        times = []
        for i in range(samples):
            params = {"limit": "1000"}
            if i:
                params["next"] = str(rng.randrange(0, max(total - 1000, 1)))
            t = time.perf_counter()
            r = c.get(f"/api/collections/{cid}/objects/", params=params)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200 and r.content.count(b'"spec_version"') >= 1000
        return statistics.median(times)


def exchange(n: int, work: Path) -> None:
    fr, ru = init_node(work / "fr", "fr"), init_node(work / "ru", "ru")
    t = time.perf_counter()
    ingest_objects(fr, strike_and_presence(n, fr.party_id), source="bench")
    print(f"   ingest {n:,} records at fr: {n / (time.perf_counter() - t):,.0f} objects/s")
    add_partner(fr, "ru", "http://127.0.0.1:1/api/", public_key=ru.key.public_key_b64)
    token = issue_token(fr, "ru")
    _policy(fr, POLICY)
    t = time.perf_counter()
    report = materialise_releases(fr)
    dt = time.perf_counter() - t
    print(f"   release materialisation: {report.total:,} objects in {dt:.1f} s = "
          f"{report.total / dt:,.0f} objects/s (target ≥ 5,000)")  # fmt: skip
    # a coarser rule: every served version is decided again (and re-rendered)
    path = fr.root / CONFIG_NAME
    path.write_text(path.read_text(encoding="utf-8").replace("coarsen_m = 10000",
                                                             "coarsen_m = 50000"))  # fmt: skip
    t = time.perf_counter()
    again = materialise_releases(fr)
    dt = time.perf_counter() - t
    print(f"   re-decision after a policy change: {again.scanned:,} versions in {dt:.1f} s = "
          f"{again.scanned / dt:,.0f} versions/s ({again.rerendered:,} re-rendered)")  # fmt: skip
    fr.close()
    with _serving(work / "fr") as url:
        ms = _page_latency(url, token, report.total)
        print(f"   TAXII page of 1,000 at {report.total:,} stored: median {ms:.1f} ms "
              "(target ≤ 50 ms)")  # fmt: skip
        add_partner(ru, "fr", f"{url}/api/", public_key=init_key(work / "fr"))
        save_credential(ru, "fr", token)
        t = time.perf_counter()
        synced = sync_partner(ru, "fr", limit=1000)
        dt = time.perf_counter() - t
    assert synced.error is None and synced.refused == 0, synced
    print(f"   full sync fr → ru (serve + verify + store): {synced.accepted:,} objects in "
          f"{dt:.1f} s = {synced.accepted / dt:,.0f} objects/s (target ≥ 3,000)")  # fmt: skip
    ru.close()


def init_key(node_dir: Path) -> str:
    from liaison.node import open_node

    with open_node(node_dir) as node:
        return node.key.public_key_b64


def _locations(party: str, n: int) -> list[dict[str, object]]:
    from tests.exchange.conftest import bulk_objects

    return bulk_objects(party, n, seed=11)


def _taxii2_client_rate(collection_url: str, auth: object, expected: int) -> float:
    from taxii2client.v21 import Collection, as_pages

    t = time.perf_counter()
    coll = Collection(collection_url, auth=auth)  # type: ignore[arg-type]
    got = 0
    for envelope in as_pages(coll.get_objects, per_request=1000):
        got += len(envelope.get("objects", []))
    dt = time.perf_counter() - t
    assert got == expected, (got, expected)
    return got / dt


def side_by_side(work: Path) -> None:
    from requests.auth import HTTPBasicAuth
    from taxii2client.common import TokenAuth
    from tests.exchange.medallion import PASSWORD, USER, MedallionUnavailable, medallion

    fr = init_node(work / "fr2", "fr")
    objs = _locations(fr.party_id, 2000)
    ingest_objects(fr, objs, source="bench")
    add_partner(fr, "ru", "http://127.0.0.1:1/api/", public_key=fr.key.public_key_b64)
    token = issue_token(fr, "ru")
    _policy(fr, '\n[[partners.ru.rules]]\nkinds = ["location"]\n')
    released = materialise_releases(fr).total
    fr.close()
    with _serving(work / "fr2") as url:
        c = httpx.get(f"{url}/api/collections/", headers={"Authorization": f"Bearer {token}"})
        cid = c.json()["collections"][0]["id"]
        ours = _taxii2_client_rate(f"{url}/api/collections/{cid}/", TokenAuth(token), released)
    print(
        f"   liaison → taxii2-client, {released:,} objects, pages of 1,000: {ours:,.0f} objects/s"
    )
    try:
        with medallion(objs, work / "medallion", page_size=1000) as murl:
            theirs = _taxii2_client_rate(murl, HTTPBasicAuth(USER, PASSWORD), len(objs))
    except MedallionUnavailable as exc:
        print(f"   medallion: not available ({exc})")
        return
    print(f"   medallion → taxii2-client, {len(objs):,} objects: {theirs:,.1f} objects/s")
    print(f"   ratio liaison / medallion: {ours / theirs:,.0f}× (goal ≥ 100×)")


def main(argv: list[str]) -> None:
    """``--quick``: 20,000 records; ``--n=N``: N records (default 1,000,000)."""
    quick = "--quick" in argv
    n = 20_000 if quick else 1_000_000
    for arg in argv:
        if arg.startswith("--n="):
            n = int(arg.removeprefix("--n="))
    with tempfile.TemporaryDirectory(prefix="liaison-bench-exchange-") as tmp:
        work = Path(tmp)
        exchange(n, work)
        side_by_side(work)


if __name__ == "__main__":
    main(sys.argv[1:])
