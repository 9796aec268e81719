"""A bounded request fuzzer over the TAXII API (real HTTP): every answer is either
a success or a 4xx TAXII error body; nothing 5xx; the server stays up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.exchange import TAXII_MEDIA
from liaison.ingest import ingest_objects
from tests.exchange.conftest import STRIKE_POLICY, bulk_objects, pair, release, set_policy

TEMPLATES = [
    "/taxii2/", "/api/", "/api/collections/", "/api/collections/{cid}/",
    "/api/collections/{cid}/objects/", "/api/collections/{cid}/objects/{oid}/",
    "/api/collections/{cid}/objects/{oid}/versions/", "/api/collections/{cid}/manifest/",
    "/api/status/{x}/", "/{x}", "/api/collections/{x}/objects/",
]  # fmt: skip
PARAMS = ["added_after", "limit", "next", "match[id]", "match[type]", "match[version]",
          "match[spec_version]", "match[x]", "other"]  # fmt: skip
texty = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
values = st.one_of(
    texty,
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["2016-01-01T00:00:00Z", "2016-13-45T99:99:99.999999Z", "last", "first",
                     "all", "2.1", "location", "0", "99999999999999999999", ",,,"]),
)  # fmt: skip


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from liaison.exchange import ServerThread, create_app
    from tests.nodes import NodeFactory

    make = NodeFactory(tmp_path_factory.mktemp("fuzz"), None)  # SQLite: fuzzing HTTP
    fr, ru = make("fr"), make("ru")
    objs = bulk_objects(fr.party_id, 30)
    assert ingest_objects(fr, objs, source="t").ok
    token = pair(fr, ru)
    set_policy(fr, STRIKE_POLICY)
    release(fr)
    with ServerThread(create_app(fr, max_body_bytes=10_000)) as srv:
        client = httpx.Client(base_url=srv.url, timeout=10)
        cid = client.get("/api/collections/", headers={"Authorization": f"Bearer {token}"}).json()[
            "collections"
        ][0]["id"]
        yield {"client": client, "token": token, "cid": cid, "oid": objs[0]["id"]}
        client.close()
    make.close()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    template=st.sampled_from(TEMPLATES),
    x=texty.filter(lambda s: "/" not in s and "?" not in s and "#" not in s),
    method=st.sampled_from(["GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]),
    params=st.dictionaries(st.sampled_from(PARAMS), values, max_size=4),
    auth=st.sampled_from(["good", "none", "bad", "basic", "garbage"]),
    accept=st.sampled_from([None, TAXII_MEDIA, "application/taxii+json", "*/*", "text/html",
                            "application/taxii+json;version=2.0", "application/json;q=0"]),
    content_type=st.sampled_from([None, TAXII_MEDIA, "application/json", "text/plain"]),
    body=st.one_of(st.just(b""), st.binary(max_size=200), st.just(b"x" * 20_000)),
)  # fmt: skip
def test_fuzzed_requests_get_taxii_answers(
    target: dict[str, Any],
    template: str,
    x: str,
    method: str,
    params: dict[str, str],
    auth: str,
    accept: str | None,
    content_type: str | None,
    body: bytes,
) -> None:
    client: httpx.Client = target["client"]
    headers = {
        "good": {"Authorization": f"Bearer {target['token']}"},
        "none": {},
        "bad": {"Authorization": "Bearer lsn_not-a-token"},
        "basic": {"Authorization": "Basic " + "ZnI6" + "eA=="},
        "garbage": {"Authorization": "\u00e9\u00e9 " + "x" * 5000},
    }[auth]
    if accept is not None:
        headers["Accept"] = accept
    if content_type is not None:
        headers["Content-Type"] = content_type
    from urllib.parse import quote

    path = template.format(cid=target["cid"], oid=target["oid"], x=quote(x, safe="") or "x")
    try:
        headers_enc = {k: v.encode("utf-8") for k, v in headers.items()}
        r = client.request(method, path, params=params, headers=headers_enc, content=body)
    except httpx.InvalidURL:
        return
    assert r.status_code < 500, (r.status_code, r.text)
    if r.status_code >= 400 and method != "HEAD":
        assert r.headers["content-type"] == TAXII_MEDIA
        err = r.json()
        assert err["http_status"] == str(r.status_code) and err["title"]
    ok = client.get("/api/", headers={"Authorization": f"Bearer {target['token']}"})
    assert ok.status_code == 200
