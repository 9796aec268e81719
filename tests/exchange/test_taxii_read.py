"""The TAXII 2.1 read path over real HTTP: taxii2-client, paging, headers, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from taxii2client.common import TokenAuth
from taxii2client.v21 import ApiRoot, Server, as_pages

from liaison.crypto import RootCache, verify_attached
from liaison.exchange import TAXII_MEDIA
from liaison.ingest import ingest_objects
from liaison.node import Node
from liaison.records.examples import example_objects
from tests.exchange.conftest import STRIKE_POLICY, bulk_objects, pair, release, set_policy


def _setup(make_node: Callable[..., Node], n: int) -> tuple[Node, Node, str]:
    fr, ru = make_node("fr"), make_node("ru")
    objs = [o for o in example_objects(fr.party_id) if o["type"] != "identity"]
    assert ingest_objects(fr, objs + bulk_objects(fr.party_id, n), source="t").ok
    token = pair(fr, ru)
    set_policy(fr, STRIKE_POLICY)
    release(fr)
    return fr, ru, token


def test_taxii2_client_reads_every_object(
    make_node: Callable[..., Node], served: Callable[[Node], str]
) -> None:
    fr, _, token = _setup(make_node, 2500)
    url = served(fr)
    server = Server(f"{url}/taxii2/", auth=TokenAuth(token))
    assert server.title
    api_root = server.api_roots[0]
    assert isinstance(api_root, ApiRoot)
    assert api_root.versions == [TAXII_MEDIA]
    collections = api_root.collections
    assert len(collections) == 1
    collection = collections[0]
    assert collection.can_read and not collection.can_write
    seen: list[str] = []
    cache = RootCache()
    for envelope in as_pages(collection.get_objects, per_request=1000):
        for obj in envelope.get("objects", []):
            verify_attached(obj, fr.public_key, cache=cache)
            seen.append(obj["id"])
    assert len(seen) == len(set(seen)) == 2500 + 3  # locations, strike, own identity
    manifest = [m for e in as_pages(collection.get_manifest, per_request=700)
                for m in e.get("objects", [])]  # fmt: skip
    assert sorted(m["id"] for m in manifest) == sorted(seen)


@pytest.mark.parametrize("limit", [1, 37, 1000])
def test_paging_exact_when_rows_share_one_date(
    make_node: Callable[..., Node], served: Callable[[Node], str], limit: int
) -> None:
    fr, _, token = _setup(make_node, 1200 if limit > 1 else 150)
    url = served(fr)
    client = httpx.Client(headers={"Authorization": f"Bearer {token}"})
    cid = client.get(f"{url}/api/collections/").json()["collections"][0]["id"]
    seen: list[str] = []
    dates: set[str] = set()
    params: dict[str, Any] = {"limit": limit}
    for _ in range(5000):
        r = client.get(f"{url}/api/collections/{cid}/objects/", params=params)
        assert r.status_code == 200
        assert r.headers["content-type"] == TAXII_MEDIA
        body = r.json()
        seen += [o["id"] for o in body.get("objects", [])]
        dates |= {r.headers["x-taxii-date-added-first"], r.headers["x-taxii-date-added-last"]}
        if not body["more"]:
            break
        params = {"limit": limit, "next": body["next"]}
    else:
        pytest.fail("paging did not end")
    assert len(seen) == len(set(seen))
    assert len(seen) == (1200 if limit > 1 else 150) + 3
    assert len(dates) == 1  # one release batch: one date_added for all
    last = r.headers["x-taxii-date-added-last"]
    after = client.get(f"{url}/api/collections/{cid}/objects/", params={"added_after": last})
    assert after.json() == {"more": False}


def test_object_versions_manifest_and_filters(
    make_node: Callable[..., Node], served: Callable[[Node], str]
) -> None:
    fr, _, token = _setup(make_node, 5)
    strike = next(o for o in example_objects(fr.party_id) if o["type"] == "liaison-strike-report")
    v2 = strike | {"modified": "2016-02-01T00:00:00.000Z", "strikes": 3}
    assert ingest_objects(fr, [v2], source="t2").ok
    release(fr)
    url = served(fr)
    client = httpx.Client(
        base_url=url, headers={"Authorization": f"Token {token}", "Accept": TAXII_MEDIA}
    )
    cid = client.get("/api/collections/").json()["collections"][0]["id"]
    base = f"/api/collections/{cid}"
    assert client.get(f"{base}/").json()["id"] == cid
    one = client.get(f"{base}/objects/{strike['id']}/").json()
    assert [o["modified"] for o in one["objects"]] == [v2["modified"]]
    assert "target_description" not in one["objects"][0]
    assert one["objects"][0]["precision"] >= 10000
    every = client.get(f"{base}/objects/{strike['id']}/", params={"match[version]": "all"})
    assert len(every.json()["objects"]) == 2
    first = client.get(f"{base}/objects/{strike['id']}/", params={"match[version]": "first"})
    assert first.json()["objects"][0]["modified"] == strike["modified"]
    exact = client.get(f"{base}/objects/", params={"match[version]": strike["modified"]})
    assert strike["id"] in [o["id"] for o in exact.json()["objects"]]
    assert {o["modified"] for o in exact.json()["objects"]} == {strike["modified"]}
    versions = client.get(f"{base}/objects/{strike['id']}/versions/").json()
    assert versions == {"more": False, "versions": [strike["modified"], v2["modified"]]}
    typed = client.get(f"{base}/objects/", params={"match[type]": "liaison-strike-report"})
    assert {o["type"] for o in typed.json()["objects"]} == {"liaison-strike-report"}
    ids = client.get(f"{base}/objects/", params={"match[id]": strike["id"]}).json()
    assert [o["id"] for o in ids["objects"]] == [strike["id"]]
    assert client.get(f"{base}/objects/", params={"match[spec_version]": "2.0"}).json() == {
        "more": False
    }
    manifest = client.get(f"{base}/manifest/", params={"limit": 2}).json()
    assert manifest["more"] is True and len(manifest["objects"]) == 2
    assert manifest["objects"][0]["media_type"] == "application/stix+json;version=2.1"


def _error(r: httpx.Response, status: int) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == TAXII_MEDIA
    body = r.json()
    assert body["http_status"] == str(status) and body["title"]


def test_errors_are_taxii_and_server_stays_up(
    make_node: Callable[..., Node], served: Callable[[Node], str]
) -> None:
    fr, _, token = _setup(make_node, 3)
    url = served(fr)
    auth = {"Authorization": f"Bearer {token}"}
    c = httpx.Client(base_url=url)
    cid = c.get("/api/collections/", headers=auth).json()["collections"][0]["id"]
    objects = f"/api/collections/{cid}/objects/"
    _error(c.get("/taxii2/"), 401)
    _error(c.get("/taxii2/", headers={"Authorization": "Bearer nope"}), 401)
    _error(c.get("/taxii2/", headers={"Authorization": "Basic %%%"}), 401)
    _error(c.get("/taxii2/", headers=auth | {"Accept": "application/xml"}), 406)
    _error(c.get("/taxii2/", headers=auth | {"Accept": "application/taxii+json;version=2.0"}), 406)
    _error(c.get(objects, headers=auth, params={"limit": "x"}), 400)
    _error(c.get(objects, headers=auth, params={"limit": "0"}), 400)
    _error(c.get(objects, headers=auth, params={"next": "abc"}), 400)
    _error(c.get(objects, headers=auth, params={"added_after": "yesterday"}), 400)
    _error(c.get(objects, headers=auth, params={"match[colour]": "red"}), 400)
    _error(c.post(objects, headers=auth, content=b"{}"), 415)
    taxii = auth | {"Content-Type": TAXII_MEDIA}
    _error(c.post(objects, headers=taxii, content=b'{"objects": []}'), 403)
    _error(c.post(objects, headers=taxii, content=b"x" * 2_000_000), 413)
    _error(c.delete(f"{objects}x/", headers=auth), 403)
    _error(c.put(objects, headers=auth), 405)
    _error(c.get("/api/nowhere/", headers=auth), 404)
    _error(c.get("/api/status/abc/", headers=auth), 404)
    _error(c.get(f"{objects}location--00000000-0000-4000-8000-000000000000/", headers=auth), 404)
    _error(c.get(f"{objects}nothing/versions/", headers=auth), 404)
    assert c.get(objects, headers=auth).status_code == 200
