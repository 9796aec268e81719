"""Token keys over the exchange: this node asks the partner to evaluate its
blinded tokens (``obtain_keys``) and answers the partner's requests
(``serve_evaluation``) — counted against the partner's budget, refused beyond
it, and audited on both sides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from liaison.audit import journal
from liaison.crypto import PublicKey
from liaison.exchange import get_partner
from liaison.linkage import _oprf, _state, _wire
from liaison.linkage._errors import BudgetExceeded, LinkageError, MismatchError
from liaison.linkage._settings import settings

if TYPE_CHECKING:
    from liaison.linkage._client import LinkageClient
    from liaison.node import Node
    from liaison.store import PartnerRow

#: Most blinded elements in one request (a larger set is sent in several).
MAX_PER_REQUEST: Final = 5_000


def context(fingerprint: str) -> bytes:
    return f"schema:{fingerprint}".encode()


def key_statement(node: Node, partner: str, fingerprint: str) -> dict[str, Any]:
    """This node's OPRF public key for ``partner``, signed with its node key."""
    body = {
        "type": _wire.STATEMENT_TYPE,
        "from": node.party_id,
        "to": partner,
        "schema": fingerprint,
        "public": _state.b64(_state.oprf_key(node, partner).public),
    }
    return _wire.sign(node.key, _wire.STATEMENT_TYPE, body)


def serve_evaluation(node: Node, partner: PartnerRow, request: Any) -> dict[str, Any]:
    """Evaluate a partner's blinded elements with this node's secret; raises
    MismatchError (other schema), BudgetExceeded, LinkageError (malformed)."""
    if not isinstance(request, dict):
        raise LinkageError("the request must be a JSON object")
    agreed = _state.agreement(node.store, partner.name)
    if request.get("schema") != agreed.fingerprint:
        raise MismatchError(
            f"schema {request.get('schema')!r} is not the one agreed with {partner.name} "
            f"({agreed.fingerprint}); agree the same schema file on both sides"
        )
    elements = request.get("elements")
    if not isinstance(elements, list) or not elements:
        raise LinkageError("'elements' must be a non-empty list of blinded elements")
    if len(elements) > MAX_PER_REQUEST:
        raise LinkageError(f"at most {MAX_PER_REQUEST} elements per request (got {len(elements)})")
    points = [_state.unb64(e, f"element #{n}", _oprf.POINT) for n, e in enumerate(elements)]
    conf = settings(node, partner.name)
    now = node.clock.now_ms()
    with node.store.transaction() as tx:
        used = _state.get(node.store, f"{partner.name}/budget") or {
            "since": now,
            "used": 0,
            "total": 0,
        }
        if now - int(used["since"]) >= conf.window_ms:
            used = {"since": now, "used": 0, "total": used["total"]}
        if used["used"] + len(points) > conf.budget:
            detail = {"asked": len(points), "used": used["used"], "budget": conf.budget}
            journal.append(
                node.store, tx, node.key, [("link-oprf-refuse", partner.name, detail)], node.now()
            )
            refused = BudgetExceeded(
                f"{partner.name} asked for {len(points)} token evaluations; "
                f"{used['used']} of its {conf.budget} in this window are used"
            )
        else:
            refused = None
            used = used | {"used": used["used"] + len(points), "total": used["total"] + len(points)}
            _state.put(tx, f"{partner.name}/budget", used)
            journal.append(
                node.store,
                tx,
                node.key,
                [
                    (
                        "link-oprf-serve",
                        partner.name,
                        {
                            "count": len(points),
                            "used": used["used"],
                            "budget": conf.budget,
                            "total": used["total"],
                            "schema": agreed.fingerprint,
                        },
                    )
                ],
                node.now(),
            )
    if refused is not None:
        raise refused
    key = _state.oprf_key(node, partner.name)
    evaluated, proof = _oprf.evaluate(key, points, context(agreed.fingerprint))
    return {
        "schema": agreed.fingerprint,
        "statement": key_statement(node, partner.name, agreed.fingerprint),
        "evaluated": [_state.b64(y) for y in evaluated],
        "proof": {"c": _state.b64(proof.c), "s": _state.b64(proof.s)},
    }


def _partner_public(node: Node, partner: str, fingerprint: str, statement: Any) -> bytes:
    """The partner's OPRF public key from its signed statement, pinned on first
    use: a later statement with another key is refused."""
    row = get_partner(node, partner)
    if not row.public_key:
        raise LinkageError(f"{partner} has no pinned node key: linkage needs a signing partner")
    if not isinstance(statement, Mapping):
        raise LinkageError(f"{partner} sent no OPRF key statement")
    _wire.verify(
        PublicKey.from_b64(row.public_key),
        _wire.STATEMENT_TYPE,
        statement,
        f"{partner}'s OPRF key statement",
    )
    if statement.get("schema") != fingerprint or statement.get("to") != node.config.party:
        raise MismatchError(f"{partner}'s OPRF key statement is for another schema or node")
    public = _state.unb64(statement.get("public"), "OPRF public key", _oprf.POINT)
    pinned = _state.get(node.store, f"{partner}/partner-oprf")
    if pinned is not None and pinned != _state.b64(public):
        raise MismatchError(
            f"{partner} now evaluates with another OPRF key than the one pinned; "
            "encodings made before and after would not match (refused)"
        )
    return public


def obtain_keys(
    node: Node, partner: str, tokens: Sequence[str], client: LinkageClient
) -> dict[str, bytes]:
    """Keys for ``tokens`` (those not yet held are evaluated with the partner, in
    batches); returns every token's key."""
    agreed = _state.agreement(node.store, partner)
    held = _state.token_keys(node.store, partner)
    wanted = sorted(set(tokens) - set(held))
    own = _state.oprf_key(node, partner)
    ctx = context(agreed.fingerprint)
    public: bytes | None = None
    for start in range(0, len(wanted), MAX_PER_REQUEST):
        chunk = wanted[start : start + MAX_PER_REQUEST]
        raw = [t.encode("utf-8") for t in chunk]
        blinded = _oprf.blind(raw, own, ctx)
        answer = client.call(
            "POST",
            "oprf",
            {"schema": agreed.fingerprint, "elements": [_state.b64(x) for x in blinded.elements]},
        )
        if not isinstance(answer, dict) or answer.get("schema") != agreed.fingerprint:
            raise MismatchError(f"{partner} answered for another schema")
        public = _partner_public(node, partner, agreed.fingerprint, answer.get("statement"))
        proof = answer.get("proof") or {}
        evaluated = [
            _state.unb64(y, "evaluated element", _oprf.POINT) for y in answer.get("evaluated") or []
        ]
        keys = _oprf.finalize(
            raw,
            blinded,
            evaluated,
            _oprf.Proof(
                _state.unb64(proof.get("c"), "proof", 32), _state.unb64(proof.get("s"), "proof", 32)
            ),
            public,
            ctx,
        )
        held.update(zip(chunk, keys, strict=True))
        with node.store.transaction() as tx:
            _state.put_token_keys(tx, partner, held)
            _state.put(tx, f"{partner}/partner-oprf", _state.b64(public))
            journal.append(
                node.store,
                tx,
                node.key,
                [
                    (
                        "link-oprf",
                        partner,
                        {
                            "count": len(chunk),
                            "held": len(held),
                            "schema": agreed.fingerprint,
                            "partner_key": _state.b64(public),
                        },
                    )
                ],
                node.now(),
            )
    return {t: held[t] for t in tokens}


def partnership_keys(node: Node, partner: str) -> str:
    """The fingerprint of the two OPRF keys behind this partnership's encodings."""
    pinned = _state.get(node.store, f"{partner}/partner-oprf")
    if pinned is None:
        raise LinkageError(f"no token has been evaluated with {partner} yet")
    own = _state.oprf_key(node, partner).public
    return _state.keys_fingerprint(own, _state.unb64(pinned, "pinned OPRF key", _oprf.POINT))
