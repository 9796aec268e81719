"""No person record and no encoding leaves a node through any TAXII endpoint,
whatever its release policy says — before and after linkage ran."""

from __future__ import annotations

import httpx
import orjson

from liaison import linkage as lk
from liaison.exchange import load_credential, materialise_releases
from liaison.linkage._publish import served_batch
from liaison.node import CONFIG_NAME
from tests.linkage.conftest import Pair, write_settings

EVERYTHING = """
[[partners.fr.rules]]
name = "everything a rule can name"
"""


def test_no_person_record_or_encoding_through_any_taxii_endpoint(pair: Pair) -> None:
    with (pair.ru.root / CONFIG_NAME).open("a", encoding="utf-8") as fh:
        fh.write(EVERYTHING)
    write_settings(pair.ru, '[linkage.partners.fr]\ndisclose = ["names"]')
    lk.publish(pair.fr, "ru")
    lk.publish(pair.ru, "fr")
    found = lk.match(pair.fr, "ru")
    lk.approve(pair.ru, lk.request(pair.fr, "ru", found.candidates[0].pseudonym).id)
    report = materialise_releases(pair.ru)
    assert report.total >= 1  # the policy does release (ru's identity at least)
    batch = served_batch(pair.ru, "fr")
    assert batch is not None
    secrets = [*batch["pseudonyms"], batch["encodings"][:64], "liaison-person", "lkb-"]
    secrets += [o.obj["names"][0] for o in pair.ru_records]
    api = f"{pair_url(pair)}/api/"
    token = load_credential(pair.fr, "ru")
    h = {"Authorization": f"Bearer {token}", "Accept": "application/taxii+json;version=2.1"}
    with httpx.Client(headers=h, timeout=10) as http:
        bodies = [http.get(f"{pair_url(pair)}/taxii2/").text, http.get(api).text]
        cols = http.get(api + "collections/").json()["collections"]
        bodies.append(orjson.dumps(cols).decode())
        for c in cols:
            base = f"{api}collections/{c['id']}/"
            bodies.append(http.get(base).text)
            bodies.append(http.get(base + "manifest/").text)
            nxt = None
            while True:
                page = http.get(
                    base + "objects/", params={"limit": 50, **({"next": nxt} if nxt else {})}
                ).json()
                bodies.append(orjson.dumps(page).decode())
                if not page.get("more"):
                    break
                nxt = page["next"]
            for o in pair.ru_records:  # ask for each person by id, every version
                oid = o.obj["id"]
                for path in (f"objects/{oid}/", f"objects/{oid}/versions/"):
                    r = http.get(base + path, params={"match[version]": "all"})
                    assert r.status_code == 404
                    bodies.append(r.text)
            for t in ("liaison-person", "x-liaison-linkage"):
                r = http.get(base + "objects/", params={"match[type]": t})
                bodies.append(r.text)
        bodies.append(http.get(f"{api}status/anything/").text)
    joined = "\n".join(bodies)
    for s in secrets:
        assert s not in joined, s


def pair_url(pair: Pair) -> str:
    from liaison.exchange import get_partner

    return get_partner(pair.fr, "ru").url.removesuffix("/api/")
