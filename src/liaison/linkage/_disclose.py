"""Disclosure of matched records: a partner asks for the record behind one of
this node's pseudonyms; this node's operator approves (or denies); what the
owner's disclosure policy allows is then released, signed, to that partner only.

``request`` (requester) → ``receive_request`` (owner, via the route) → ``approve``
or ``deny`` (owner) → ``collect`` (requester: fetch, verify, store with
provenance). Every step is audited on the side that takes it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from liaison.audit import journal
from liaison.crypto import PublicKey, SignatureError, sign_objects, verify_attached
from liaison.exchange import get_partner
from liaison.linkage import _state
from liaison.linkage._client import connected
from liaison.linkage._errors import LinkageError, MismatchError
from liaison.linkage._settings import settings
from liaison.node import check_object, classify, write_checked
from liaison.records import RecordError

if TYPE_CHECKING:
    from liaison.linkage._client import LinkageClient
    from liaison.node import Node
    from liaison.store import PartnerRow

_IN = "requests/in"
_OUT = "requests/out"
#: Always kept in a disclosed record (a valid person record needs them).
_FRAME = ("type", "spec_version", "id", "created", "modified", "names", "status", "extensions")


@dataclass(frozen=True, slots=True)
class Request:
    id: str
    partner: str
    batch: str
    pseudonym: str
    status: str
    created: str
    record: str | None = None
    reason: str | None = None


def _index(node: Node, which: str) -> dict[str, dict[str, Any]]:
    found = _state.get(node.store, which)
    return found if isinstance(found, dict) else {}


def requests(node: Node, *, incoming: bool = True) -> list[Request]:
    """Disclosure requests received (or sent), oldest first."""
    out = []
    for rid, r in _index(node, _IN if incoming else _OUT).items():
        out.append(
            Request(
                rid,
                r["partner"],
                r["batch"],
                r["pseudonym"],
                r["status"],
                r["created"],
                r.get("record"),
                r.get("reason"),
            )
        )
    return out


def request(
    node: Node, partner: str, pseudonym: str, client: LinkageClient | None = None
) -> Request:
    """Ask ``partner`` for the record behind ``pseudonym`` (from its last batch)."""
    agreed = _state.agreement(node.store, partner)
    received = _state.get(node.store, f"{partner}/received")
    if not received or pseudonym not in set(received.get("pseudonyms", ())):
        raise LinkageError(
            f"{pseudonym!r} is not a pseudonym of {partner}'s last batch "
            f"(run 'liaison link match {partner}' first)"
        )
    with connected(node, partner, client) as c:
        answer = c.call(
            "POST",
            "requests",
            {"schema": agreed.fingerprint, "batch": received["batch"], "pseudonym": pseudonym},
        )
    if not isinstance(answer, dict) or not isinstance(answer.get("request"), str):
        raise LinkageError(f"{partner} did not acknowledge the request")
    entry = {
        "partner": partner,
        "batch": received["batch"],
        "pseudonym": pseudonym,
        "status": str(answer.get("status", "pending")),
        "created": node.now(),
    }
    with node.store.transaction() as tx:
        out = _index(node, _OUT)
        out[answer["request"]] = entry
        _state.put(tx, _OUT, out)
        journal.append(
            node.store,
            tx,
            node.key,
            [
                (
                    "link-request",
                    partner,
                    {"request": answer["request"], "batch": entry["batch"], "pseudonym": pseudonym},
                )
            ],
            node.now(),
        )
    return Request(
        answer["request"], partner, entry["batch"], pseudonym, entry["status"], entry["created"]
    )


def receive_request(node: Node, partner: PartnerRow, body: Any) -> dict[str, Any]:
    """A partner's disclosure request (the route's work): checked, kept pending, audited."""
    if not isinstance(body, dict):
        raise LinkageError("the request must be a JSON object")
    agreed = _state.agreement(node.store, partner.name)
    if body.get("schema") != agreed.fingerprint:
        raise MismatchError("the request names another schema than the one agreed")
    batch, pseudonym = body.get("batch"), body.get("pseudonym")
    resolve = (_state.get(node.store, f"{partner.name}/pseudonyms") or {}).get(batch)
    if not isinstance(pseudonym, str) or not resolve or pseudonym not in resolve:
        raise LinkageError(
            f"{pseudonym!r} is not a pseudonym of a batch published to {partner.name}"
        )
    with node.store.transaction() as tx:
        incoming = _index(node, _IN)
        for rid, r in incoming.items():  # asking twice gives the same request
            if r["partner"] == partner.name and r["batch"] == batch and r["pseudonym"] == pseudonym:
                return {"request": rid, "status": r["status"]}
        rid = f"lkr-{secrets.token_hex(8)}"
        incoming[rid] = {
            "partner": partner.name,
            "batch": batch,
            "pseudonym": pseudonym,
            "record": resolve[pseudonym],
            "status": "pending",
            "created": node.now(),
        }
        _state.put(tx, _IN, incoming)
        journal.append(
            node.store,
            tx,
            node.key,
            [
                (
                    "link-request-received",
                    partner.name,
                    {"request": rid, "batch": batch, "pseudonym": pseudonym},
                )
            ],
            node.now(),
        )
    return {"request": rid, "status": "pending"}


def _pending(node: Node, request_id: str) -> dict[str, Any]:
    found = _index(node, _IN).get(request_id)
    if found is None:
        raise LinkageError(
            f"no disclosure request {request_id!r} ('liaison link requests' lists them)"
        )
    if found["status"] != "pending":
        raise LinkageError(f"request {request_id} is already {found['status']}")
    return found


def disclosed_view(obj: dict[str, Any], fields: tuple[str, ...], owner: str) -> dict[str, Any]:
    """The record as the disclosure policy releases it: only the allowed fields
    (and the frame a valid record needs), marked as created by this node."""
    kept = {k: v for k, v in obj.items() if k in _FRAME or k in fields}
    kept["created_by_ref"] = owner
    ext = kept.get("extensions") or {}
    kept["extensions"] = {
        k: v
        for k, v in ext.items()
        if k.startswith("extension-definition--") and v.get("extension_type") == "new-sdo"
    }
    return kept


def approve(node: Node, request_id: str) -> Request:
    """Release the requested record as this node's disclosure policy for that
    partner allows (default: nothing — then this is refused)."""
    r = _pending(node, request_id)
    allowed = settings(node, r["partner"]).disclose
    if not allowed:
        raise LinkageError(
            f"the disclosure policy for {r['partner']} allows no field "
            f"([linkage.partners.{r['partner']}] disclose = [...] in liaison.toml): "
            "nothing can be released"
        )
    stored = node.store.get(r["record"])
    if stored is None or stored.index.revoked:
        raise LinkageError(f"record {r['record']} is no longer held (or revoked)")
    view = disclosed_view(orjson.loads(stored.body), allowed, node.party_id)
    signed = sign_objects(node.key, [view])[0]  # the adapter: release has no person path yet
    with node.store.transaction() as tx:
        incoming = _index(node, _IN)
        incoming[request_id] |= {
            "status": "approved",
            "disclosure": signed,
            "fields": list(allowed),
            "decided": node.now(),
        }
        _state.put(tx, _IN, incoming)
        journal.append(
            node.store,
            tx,
            node.key,
            [
                (
                    "link-disclose",
                    r["partner"],
                    {
                        "request": request_id,
                        "record": r["record"],
                        "fields": list(allowed),
                        "modified": view["modified"],
                    },
                )
            ],
            node.now(),
        )
    return Request(
        request_id, r["partner"], r["batch"], r["pseudonym"], "approved", r["created"], r["record"]
    )


def deny(node: Node, request_id: str, reason: str) -> Request:
    r = _pending(node, request_id)
    with node.store.transaction() as tx:
        incoming = _index(node, _IN)
        incoming[request_id] |= {"status": "denied", "reason": reason, "decided": node.now()}
        _state.put(tx, _IN, incoming)
        journal.append(
            node.store,
            tx,
            node.key,
            [("link-deny", r["partner"], {"request": request_id, "reason": reason})],
            node.now(),
        )
    return Request(
        request_id, r["partner"], r["batch"], r["pseudonym"], "denied", r["created"], reason=reason
    )


def answer_of(node: Node, partner: PartnerRow, request_id: str) -> dict[str, Any]:
    """What the route tells ``partner`` about its request (404 for someone else's)."""
    r = _index(node, _IN).get(request_id)
    if r is None or r["partner"] != partner.name:
        raise LookupError(request_id)
    out: dict[str, Any] = {"request": request_id, "status": r["status"]}
    if r["status"] == "approved":
        out["disclosure"] = r["disclosure"]
    if r["status"] == "denied":
        out["reason"] = r.get("reason", "")
    return out


def collect(node: Node, partner: str, client: LinkageClient | None = None) -> list[Request]:
    """Fetch the answers to this node's pending requests to ``partner``; store each
    disclosed record (signature verified against the pinned key) as received
    from the partner."""
    row = get_partner(node, partner)
    if not row.public_key:
        raise LinkageError(f"{partner} has no pinned node key")
    key = PublicKey.from_b64(row.public_key)
    pending = {
        rid: r
        for rid, r in _index(node, _OUT).items()
        if r["partner"] == partner and r["status"] == "pending"
    }
    if not pending:
        return []
    with connected(node, partner, client) as c:
        return [
            d
            for rid, r in pending.items()
            if (d := _collect_one(node, partner, row, key, rid, r, c))
        ]


def _collect_one(
    node: Node,
    partner: str,
    row: PartnerRow,
    key: PublicKey,
    rid: str,
    r: dict[str, Any],
    client: LinkageClient,
) -> Request | None:
    answer = client.call("GET", f"requests/{rid}")
    status = str(answer.get("status")) if isinstance(answer, dict) else "pending"
    if status == "pending":
        return None
    detail: dict[str, Any] = {"request": rid, "status": status}
    checked = None
    if status == "approved":
        try:
            verified = verify_attached(answer["disclosure"], key)
        except (SignatureError, KeyError, TypeError) as exc:
            raise LinkageError(f"{partner}'s disclosure for {rid} does not verify: {exc}") from exc
        body = verified.obj
        if body.get("type") != "liaison-person" or (
            row.party_id and body.get("created_by_ref") != row.party_id
        ):
            raise LinkageError(f"{partner}'s disclosure for {rid} is not its person record")
        try:
            checked = check_object(body, f"{partner} disclosure {rid}")
        except RecordError as exc:
            raise LinkageError(f"{partner}'s disclosure for {rid}: {exc}") from exc
        detail["record"] = body["id"]
    with node.store.transaction() as tx:
        if checked is not None:
            split = classify(node.store, [checked])
            write_checked(
                node, tx, split.new, split.latest, source=f"linkage {rid}", received_from=partner
            )
        out = _index(node, _OUT)
        out[rid] = r | {"status": status, "reason": answer.get("reason")}
        _state.put(tx, _OUT, out)
        journal.append(
            node.store, tx, node.key, [("link-disclosure-received", partner, detail)], node.now()
        )
    return Request(
        rid,
        partner,
        r["batch"],
        r["pseudonym"],
        status,
        r["created"],
        detail.get("record"),
        answer.get("reason"),
    )
