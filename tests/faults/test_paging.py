"""`liaison serve` (its release ticker running) beside ingests, with partners paging
the whole time, on both backends: every command succeeds, the server keeps
answering, and — release materialisation being serialised per node and idempotent
(issue 9 point 1) — no partner ever receives a version twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from liaison.exchange import add_partner, free_port, issue_token
from liaison.node import Node, audit_report, open_node
from tests.exchange.conftest import set_policy
from tests.faults.conftest import (
    MEDIA,
    SOAK,
    Pager,
    Running,
    bundle_keys,
    released,
    wait_for,
    write_bundle,
)

PARTNERS = ("ru", "us", "uk", "de", "it", "es", "pl", "nl") if SOAK else ("ru", "us", "uk")
INGESTS = 6 if SOAK else 2
SIZE = 3000 if SOAK else 1000


def _policy(names: tuple[str, ...]) -> str:
    return "".join(
        f'\n[[partners.{n}.rules]]\nname = "places"\nkinds = ["location"]\n' for n in names
    )


@dataclass
class Scene:
    fr: Node
    serve: Running
    pagers: list[Pager]
    bundles: list[Path]
    results: list[tuple[int, str, str]]


def _run_scene(
    make_node: Callable[..., Node],
    store_url: Callable[[str], str],
    spawn: Callable[..., Running],
    tmp_path: Path,
) -> Scene:
    url = store_url("fr")
    if SOAK:  # many writers queue for the store: allow each a longer wait than the default
        url += ("&" if "?" in url else "?") + "lock_timeout=600"
    fr = make_node("fr", url)
    tokens = {}
    for name in PARTNERS:
        add_partner(fr, name, "http://127.0.0.1:1/api/", public_key=None, unsigned=True)
        tokens[name] = issue_token(fr, name)
    set_policy(fr, _policy(PARTNERS))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = spawn("serve", "--port", str(port), "--release-interval", "0.1", node=fr.root)
    headers = {"Accept": MEDIA, "Authorization": f"Bearer {tokens[PARTNERS[0]]}"}

    def up() -> bool:
        assert serve.proc.poll() is None, serve.wait()
        try:
            return httpx.get(f"{base}/taxii2/", headers=headers, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, timeout=60, every=0.1)
    pagers = []
    for name in PARTNERS:
        p = fr.store.exchange.partner(name)
        assert p is not None
        pagers.append(Pager(base, p.collection_id, tokens[name]))
    stop = threading.Event()
    threads = [threading.Thread(target=p.follow, args=(stop,), daemon=True) for p in pagers]
    for t in threads:
        t.start()
    bundles = [write_bundle(tmp_path / f"in-{i}.json", fr.party_id, SIZE, seed=40 + i)
               for i in range(INGESTS)]  # fmt: skip
    ingests = [spawn("ingest", str(b), node=fr.root) for b in bundles]
    results = [(r.code, r.out, r.err) for r in (i.wait(timeout=180) for i in ingests)]
    expected = set().union(*(bundle_keys(b) for b in bundles))
    for name in PARTNERS:  # the ticker may still be catching up
        wait_for(lambda n=name: expected <= {(i, m) for _, i, m in released(fr, n)}, 60, 0.1)
    stop.set()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a partner's paging hung"
    return Scene(fr, serve, pagers, bundles, results)


def _stop(scene: Scene) -> str:
    assert scene.serve.proc.poll() is None, "serve died"
    scene.serve.proc.terminate()
    done = scene.serve.wait(timeout=60)
    return done.err


class SeenTwice(AssertionError):
    """A partner received a version it had already received."""


def test_ingests_beside_serve_and_paging_partners(
    make_node: Callable[..., Node],
    store_url: Callable[[str], str],
    spawn: Callable[..., Running],
    tmp_path: Path,
) -> None:
    scene = _run_scene(make_node, store_url, spawn, tmp_path)
    for code, out, err in scene.results:
        assert code == 0 and f"{SIZE} accepted" in out, (out, err)
    tables = {name: released(scene.fr, name) for name in PARTNERS}
    for name, pager in zip(PARTNERS, scene.pagers, strict=True):
        assert set(pager.statuses) == {200}, f"{name} got {set(pager.statuses)}"
        table = tables[name]
        assert len({(i, m) for _, i, m in table}) == len(table)
        assert set(pager.received) == {(i, m) for _, i, m in table}  # nothing lost
    errors = _stop(scene)
    assert "release:" not in errors and "Traceback" not in errors, errors
    with open_node(scene.fr.root) as fr:
        report = audit_report(fr)
        assert report.ok, report
    for name, pager in zip(PARTNERS, scene.pagers, strict=True):  # nothing twice
        twice = len(pager.received) - len(set(pager.received))
        if twice:
            raise SeenTwice(f"{name} received {twice} version(s) twice")
