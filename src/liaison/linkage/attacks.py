"""Known attacks on Bloom-filter encodings, run against liaison's own encodings
(and against unhardened ones for contrast), to measure how many records an
attacker who holds the encodings and the plaintext of the same persons (100 %
overlap) but not the token keys re-identifies.

* ``frequency_attack`` — bit-position frequency alignment with conditional
  frequencies (after Christen et al. 2017): the most frequent token's positions
  are those set at least as often as it occurs; the encodings are split on them
  and the next token is sought in each part, with the plaintext split alike.
* ``pattern_mining_attack`` — frequent co-occurring position sets (after
  Christen et al. 2018): each token's positions are grown as the itemset whose
  joint support matches the token's conditional frequency.
* ``graph_attack`` — similarity-graph matching (after Vidanage et al. 2020):
  each record's profile of similarities to the others is computed on both sides
  (plaintext token sets; encodings), calibrated by quantiles, and records are
  matched by profile. ``adaptive`` also tells the attacker about salting.

The first two then decode each encoding into the tokens identified and look for
the plaintext record with that token set: a record counts as re-identified when
its single best plaintext candidate is the right person. ``unhardened`` builds
the encodings the literature attacked: one secret key for every token (double
hashing), no salt, no balancing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from liaison.linkage._schema import Schema
from liaison.linkage._tokens import Tokenized

Bool = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class AttackResult:
    attack: str
    reidentified: int
    total: int
    tokens_identified: int = 0

    @property
    def rate(self) -> float:
        return self.reidentified / self.total if self.total else 0.0


def unhardened_schema(schema: Schema) -> Schema:
    """The schema as the literature's CLKs would encode it: no salt (and so dates
    with every digit, the year included)."""
    import dataclasses

    fields = tuple(dataclasses.replace(f, date_parts="ymd") for f in schema.fields)
    return dataclasses.replace(
        schema, fields=fields, hardening=dataclasses.replace(schema.hardening, salt="")
    )


def unhardened(schema: Schema, batch: Tokenized, secret: bytes) -> npt.NDArray[np.uint8]:
    """Classic CLKs: positions ``h1 + i·h2 mod L`` from one shared secret, no salt,
    no balancing (what clkhash and the attacked literature use)."""
    n, width = len(batch), schema.bits
    pos = np.empty((len(batch.vocab), 64), dtype=np.int64)
    i = np.arange(64, dtype=np.int64)
    for t, token in enumerate(batch.vocab):
        d = hashlib.blake2b(token.encode(), key=secret, digest_size=16).digest()
        h1, h2 = int.from_bytes(d[:8]) % width, int.from_bytes(d[8:]) % width | 1
        pos[t] = (h1 + i * h2) % width
    rec = batch.record_of_entry
    reps = batch.k.astype(np.int64)
    rows = np.repeat(rec, reps)
    within = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    cols = pos[np.repeat(batch.token.astype(np.int64), reps), within]
    bits = np.zeros((n, width), dtype=np.bool_)
    bits[rows, cols] = True
    return np.packbits(bits, axis=1)


def token_matrix(batch: Tokenized) -> Bool:
    """Records × vocabulary: which tokens each record has."""
    m = np.zeros((len(batch), len(batch.vocab)), dtype=np.bool_)
    m[batch.record_of_entry, batch.token] = True
    return m


def _reidentify(decoded: Bool, plain: Bool, truth: npt.NDArray[np.int64]) -> int:
    """Records whose single best plaintext candidate (Jaccard of identified tokens)
    is the right one."""
    if decoded.shape[1] == 0:
        return 0
    a, b = decoded.astype(np.float32), plain.astype(np.float32)
    inter = a @ b.T
    union = a.sum(1)[:, None] + b.sum(1)[None, :] - inter
    score = np.where(union > 0, inter / np.maximum(union, 1), 0)
    best = score.max(axis=1)
    ties = (score >= best[:, None] - 1e-9).sum(axis=1)
    right = score[np.arange(len(score)), truth] >= best - 1e-9
    return int(np.sum(right & (ties == 1) & (best > 0)))


def _identify(
    bits: Bool,
    plain: Bool,
    k: npt.NDArray[np.int64],
    *,
    max_tokens: int,
    tol: float = 0.003,
    min_part: int = 20,
) -> dict[int, Bool]:
    """Token → identified positions, by recursive splitting on the most frequent
    token of each part, from marginal frequencies only."""
    found: dict[int, Bool] = {}
    parts: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], frozenset[int]]] = [
        (np.arange(len(bits)), np.arange(len(plain)), frozenset())
    ]
    while parts and len(found) < max_tokens:
        parts.sort(key=lambda p: len(p[0]))
        enc_rows, plain_rows, used = parts.pop()
        if len(enc_rows) < min_part or len(plain_rows) < min_part:
            continue
        freq = plain[plain_rows].mean(axis=0)
        freq[list(used)] = -1
        t = int(np.argmax(freq))
        f = float(freq[t])
        if f <= 0.05:
            continue
        sub = bits[enc_rows]
        phi = sub.mean(axis=0)
        exclude = np.zeros(bits.shape[1], dtype=np.bool_)
        for u in used:
            if u in found:
                exclude |= found[u]
        if f >= 0.999:  # every record of this part has it: its positions are always set
            if t not in found:
                always = np.flatnonzero((phi >= 0.999) & ~exclude)[: int(k[t])]
                found[t] = np.zeros(bits.shape[1], dtype=np.bool_)
                found[t][always] = True
            parts.append((enc_rows, plain_rows, used | {t}))
            continue
        background = float(np.median(phi[~exclude])) if (~exclude).any() else 1.0
        # by frequency alone a token drowned in the filters' fill cannot be told apart
        if f < background + 0.1:
            continue
        cand = np.flatnonzero((phi >= f - tol) & ~exclude)
        if len(cand) == 0:
            continue
        # the k positions whose frequency is closest to f
        positions = np.zeros(bits.shape[1], dtype=np.bool_)
        positions[cand[np.argsort(np.abs(phi[cand] - f))[: int(k[t])]]] = True
        has = sub[:, positions].all(axis=1)
        if t not in found:
            found[t] = positions
        p_has = plain[plain_rows, t]
        parts.append((enc_rows[has], plain_rows[p_has], used | {t}))
        parts.append((enc_rows[~has], plain_rows[~p_has], used | {t}))
    return found


def _mine(
    bits: Bool,
    plain: Bool,
    k: npt.NDArray[np.int64],
    *,
    max_tokens: int,
    min_freq: float = 0.02,
    tol: float = 0.003,
) -> dict[int, Bool]:
    """Token → positions: for each token, most frequent first, the largest set of
    unassigned positions that are each set in ≥ f of the encodings and co-occur
    pairwise in ≥ f (a frequent itemset of the token's frequency)."""
    x = bits.astype(np.float32)
    phi = x.mean(axis=0)
    joint = (x.T @ x) / len(x)
    freq = plain.mean(axis=0)
    fill2 = float(np.median(phi)) ** 2
    assigned = np.zeros(bits.shape[1], dtype=np.bool_)
    found: dict[int, Bool] = {}
    for t in np.argsort(-freq)[:max_tokens]:
        f = float(freq[t])
        if f < max(min_freq, fill2 + 0.05):
            break
        # a position of t is set in every record with t, and by chance in about a
        # fill's share of the others: much more often, it belongs to other tokens too
        expect = f + (1 - f) * float(np.median(phi))
        cand = np.flatnonzero((phi >= f - tol) & (phi <= expect + 0.08) & ~assigned)
        if len(cand) == 0:
            continue
        together = joint[np.ix_(cand, cand)] >= f - tol
        chosen: list[int] = []
        alive = np.ones(len(cand), dtype=np.bool_)
        while alive.any() and len(chosen) < k[t]:
            degree = (together & alive[None, :]).sum(axis=1)
            degree[~alive] = -1
            best = int(np.argmax(degree))
            chosen.append(best)
            alive &= together[best]
            alive[best] = False
        positions = np.zeros(bits.shape[1], dtype=np.bool_)
        positions[cand[chosen]] = True
        assigned |= positions
        found[int(t)] = positions
    return found


def _decode_attack(
    name: str,
    bits8: npt.NDArray[np.uint8],
    plain_batch: Tokenized,
    truth: npt.NDArray[np.int64],
    joint: bool,
    max_tokens: int,
) -> AttackResult:
    bits = np.unpackbits(bits8, axis=1).astype(np.bool_)
    plain = token_matrix(plain_batch)
    k = np.zeros(len(plain_batch.vocab), dtype=np.int64)
    np.maximum.at(k, plain_batch.token.astype(np.int64), plain_batch.k.astype(np.int64))
    found = (
        _mine(bits, plain, k, max_tokens=max_tokens)
        if joint
        else _identify(bits, plain, k, max_tokens=max_tokens)
    )
    tokens = sorted(found)
    decoded = (
        np.stack([bits[:, found[t]].all(axis=1) for t in tokens], axis=1)
        if tokens
        else (np.zeros((len(bits), 0), dtype=np.bool_))
    )
    hits = _reidentify(decoded, plain[:, tokens], truth)
    return AttackResult(name, hits, len(bits), len(tokens))


def frequency_attack(
    bits8: npt.NDArray[np.uint8],
    plain: Tokenized,
    truth: npt.NDArray[np.int64],
    *,
    max_tokens: int = 400,
) -> AttackResult:
    """Bit-position frequency alignment (see the module doc)."""
    return _decode_attack("frequency", bits8, plain, truth, False, max_tokens)


def pattern_mining_attack(
    bits8: npt.NDArray[np.uint8],
    plain: Tokenized,
    truth: npt.NDArray[np.int64],
    *,
    max_tokens: int = 400,
) -> AttackResult:
    """Frequent co-occurring position sets (see the module doc)."""
    return _decode_attack("pattern-mining", bits8, plain, truth, True, max_tokens)


def _profiles(sim: npt.NDArray[np.float32], top: int) -> npt.NDArray[np.float32]:
    s = sim.copy()
    np.fill_diagonal(s, -np.inf)
    part = -np.sort(-s, axis=1)[:, :top]
    return np.asarray(part, dtype=np.float32)


def _assign(cost: npt.NDArray[np.float32]) -> npt.NDArray[np.int64]:
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(cost)
    out = np.empty(len(rows), dtype=np.int64)
    out[rows] = cols
    return out


def _mutual_best(
    cost: npt.NDArray[np.float32], assigned: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Assigned pairs that are each other's best, surest (largest margin) first."""
    rows = np.arange(len(cost))
    best_col = cost.argmin(axis=1)
    best_row = cost.argmin(axis=0)
    mutual = (best_col == assigned) & (best_row[assigned] == rows)
    part = np.sort(cost, axis=1)
    margin = part[:, 1] - part[:, 0] if cost.shape[1] > 1 else part[:, 0]
    picked = rows[mutual]
    ordered: npt.NDArray[np.int64] = picked[np.argsort(-margin[picked])]
    return ordered


def graph_attack(
    bits8: npt.NDArray[np.uint8],
    plain: Tokenized,
    truth: npt.NDArray[np.int64],
    *,
    adaptive: bool = False,
    top: int = 12,
) -> AttackResult:
    """Similarity-graph matching (see the module doc)."""
    bits = np.unpackbits(bits8, axis=1).astype(np.float32)
    pa = bits.sum(1)
    enc = 2 * (bits @ bits.T) / np.maximum(pa[:, None] + pa[None, :], 1)
    tm = token_matrix(plain).astype(np.float32)
    if adaptive:  # the attacker knows tokens are salted: no similarity across salts
        salts = np.asarray(plain.salts)
        same = salts[:, None] == salts[None, :]
    pt = tm.sum(1)
    pl = 2 * (tm @ tm.T) / np.maximum(pt[:, None] + pt[None, :], 1)
    if adaptive:
        pl = np.where(same, pl, 0.0).astype(np.float32)
    # calibrate: map encoded similarities onto the plaintext scale by quantiles
    iu = np.triu_indices(len(enc), 1)
    qs = np.linspace(0, 1, 201)
    ref_e, ref_p = np.quantile(enc[iu], qs), np.quantile(pl[iu], qs)
    enc_cal = np.interp(enc, ref_e, ref_p).astype(np.float32)
    fe, fp = _profiles(enc_cal, top), _profiles(pl, top)
    cost = ((fe[:, None, :] - fp[None, :, :]) ** 2).sum(axis=2)
    assigned = _assign(cost)
    # seed and extend: the surest matches become landmarks; every record is then
    # described by its similarities to the landmarks, on both sides, and matched again
    for seeds in (25, 50, 100, 200, 400):
        sure = _mutual_best(cost, assigned)[:seeds]
        if len(sure) < 5:
            break
        se, sp = sure, assigned[sure]
        ve, vp = enc_cal[:, se], pl[:, sp]
        cost = ((ve[:, None, :] - vp[None, :, :]) ** 2).sum(axis=2)
        assigned = _assign(cost)
    return AttackResult(
        "graph-matching" + (" (salt-aware)" if adaptive else ""),
        int(np.sum(assigned == truth)),
        len(bits),
    )
