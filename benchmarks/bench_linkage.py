"""Linkage: FEBRL-4 accuracy and Dice speed side by side with clkhash/anonlink,
100,000 × 100,000 generated persons end to end, OPRF cost, and the attacks.

clkhash and anonlink run in their own virtual environment (created once under
``~/.cache/liaison-bench``, or ``$LIAISON_BENCH_CACHE``) as a subprocess: clkhash
pins ``cryptography<41`` and is never a dependency of liaison.

Run: ``python -m benchmarks.bench_linkage [--quick] [--size N]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from liaison.linkage import Blocking, default_schema, encode, tokenize
from liaison.linkage import _oprf as oprf
from liaison.linkage import attacks as atk
from liaison.linkage._match import match
from liaison.linkage._person import person_values
from liaison.linkage._tokens import PERMUTATION_TOKEN
from liaison.linkage.febrl import entity, febrl4_schema, load_febrl4
from liaison.linkage.generate import FALLBACK_MIX, ground_truth, observe, population, two_lists

CLK_SCHEMA = {  # clkhash's own FEBRL tutorial settings (v3 schema, bitsPerFeature)
    "version": 3,
    "clkConfig": {
        "l": 1024,
        "kdf": {
            "type": "HKDF",
            "hash": "SHA256",
            "keySize": 64,
            "salt": "U0NiTDJ6SE5ubXNja2Z6Y2hzTmtaWTlYb0hrOTZQL0c1blVC",
            "info": "c2NoZW1hX2V4YW1wbGU=",
        },
    },
    "features": [
        {"identifier": "rec_id", "ignored": True},
        {
            "identifier": "given_name",
            "format": {"type": "string", "encoding": "utf-8"},
            "hashing": {
                "comparison": {"type": "ngram", "n": 2},
                "strategy": {"bitsPerFeature": 200},
                "hash": {"type": "doubleHash"},
            },
        },
        {
            "identifier": "surname",
            "format": {"type": "string", "encoding": "utf-8"},
            "hashing": {
                "comparison": {"type": "ngram", "n": 2},
                "strategy": {"bitsPerFeature": 200},
                "hash": {"type": "doubleHash"},
            },
        },
        {
            "identifier": "street_number",
            "format": {"type": "string", "encoding": "utf-8"},
            "hashing": {
                "comparison": {"type": "ngram", "n": 1, "positional": True},
                "strategy": {"bitsPerFeature": 100},
            },
        },
        {
            "identifier": "address_1",
            "format": {"type": "string", "encoding": "utf-8"},
            "hashing": {
                "comparison": {"type": "ngram", "n": 2},
                "strategy": {"bitsPerFeature": 100},
            },
        },
        {
            "identifier": "address_2",
            "format": {"type": "string", "encoding": "utf-8"},
            "hashing": {
                "comparison": {"type": "ngram", "n": 2},
                "strategy": {"bitsPerFeature": 100},
            },
        },
        {
            "identifier": "suburb",
            "format": {"type": "string", "encoding": "utf-8"},
            "hashing": {
                "comparison": {"type": "ngram", "n": 2},
                "strategy": {"bitsPerFeature": 100},
            },
        },
        {
            "identifier": "postcode",
            "format": {"type": "string", "encoding": "utf-8"},
            "hashing": {
                "comparison": {"type": "ngram", "n": 1, "positional": True},
                "strategy": {"bitsPerFeature": 100},
            },
        },
        {
            "identifier": "state",
            "format": {"type": "string", "encoding": "utf-8"},
            "hashing": {
                "comparison": {"type": "ngram", "n": 2, "positional": True},
                "strategy": {"bitsPerFeature": 100},
            },
        },
        {
            "identifier": "date_of_birth",
            "format": {"type": "string", "encoding": "utf-8"},
            "hashing": {
                "comparison": {"type": "ngram", "n": 1, "positional": True},
                "strategy": {"bitsPerFeature": 200},
            },
        },
        {"identifier": "soc_sec_id", "ignored": True},
    ],
}

_CLK_FEBRL = r"""
import csv, json, sys, time
import anonlink, clkhash
from clkhash import clk
from clkhash.schema import from_json_dict
conf = json.loads(sys.argv[1])
schema = from_json_dict(conf["schema"])
def rows(path):
    with open(path, newline="") as fh:
        r = csv.reader(fh, skipinitialspace=True); head = [h.strip() for h in next(r)]
        return [[c.strip() for c in row] for row in r]
a, b = rows(conf["a"]), rows(conf["b"])
t = time.perf_counter()
ca = clk.generate_clks(a, schema, "secret")
cb = clk.generate_clks(b, schema, "secret")
enc = time.perf_counter() - t
out = {"encode_s": enc, "thresholds": {}}
for thr in conf["thresholds"]:
    cands = anonlink.candidate_generation.find_candidate_pairs(
        [ca, cb], anonlink.similarities.dice_coefficient_accelerated, thr)
    sol = anonlink.solving.greedy_solve(cands)
    pairs = [(a[next(i for d, i in g if d == 0)][0], b[next(i for d, i in g if d == 1)][0])
             for g in sol if len(g) == 2]
    right = sum(x.split("-")[1] == y.split("-")[1] for x, y in pairs)
    out["thresholds"][str(thr)] = [len(pairs), right]
print(json.dumps(out))
"""

_ANON_SPEED = r"""
import json, sys, time
import numpy as np, anonlink
from bitarray import bitarray
conf = json.loads(sys.argv[1])
def load(path):
    raw = np.load(path)
    out = []
    for row in raw:
        x = bitarray(); x.frombytes(row.tobytes()); out.append(x)
    return out
a, b = load(conf["a"]), load(conf["b"])
best = None
for _ in range(conf["repeat"]):
    t = time.perf_counter()
    c = anonlink.candidate_generation.find_candidate_pairs(
        [a, b], anonlink.similarities.dice_coefficient_accelerated, conf["threshold"])
    e = time.perf_counter() - t
    best = e if best is None else min(best, e)
print(json.dumps({"seconds": best, "candidates": len(c[0])}))
"""


#: The pinned, hashed resolution of the clkhash baseline (``make lock`` writes it).
CLK_LOCK = Path(__file__).resolve().parents[1] / "requirements" / "clkhash.txt"
#: The locked build backend its sdists are built with (``--no-build-isolation``).
BUILD_LOCK = Path(__file__).resolve().parents[1] / "requirements" / "build.txt"
#: The installer, the same pip as every other environment (installed first).
PIP_LOCK = Path(__file__).resolve().parents[1] / "requirements" / "pip.txt"


def clk_python() -> Path:
    """The Python of the isolated clkhash + anonlink environment, installed from its
    lock file (exact versions, checked hashes) on first use, one per lock content."""
    base = Path(os.environ.get("LIAISON_BENCH_CACHE") or Path.home() / ".cache/liaison-bench")
    digest = hashlib.sha256(PIP_LOCK.read_bytes() + CLK_LOCK.read_bytes()).hexdigest()[:12]
    venv = base / f"clk-venv-py{sys.version_info[0]}.{sys.version_info[1]}-{digest}"
    py = venv / "bin" / "python"
    if not py.exists():
        base.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        # its sdists (anonlink, mypy-extensions) are built with the locked setuptools,
        # not with whatever build isolation would fetch
        pip = [str(py), "-m", "pip", "install", "--quiet", "--require-hashes"]
        try:
            subprocess.run([*pip, "-r", str(PIP_LOCK)], check=True, timeout=900)
            subprocess.run([*pip, "-r", str(BUILD_LOCK)], check=True, timeout=900)
            subprocess.run(
                [*pip, "--no-build-isolation", "-r", str(CLK_LOCK)], check=True, timeout=900
            )
        except subprocess.CalledProcessError as exc:
            shutil.rmtree(venv, ignore_errors=True)
            raise SystemExit(
                "cannot install the clkhash baseline from requirements/clkhash.txt on Python "
                f"{sys.version_info[0]}.{sys.version_info[1]} (anonlink 0.15.3's C++ builds "
                "on Python 3.11, not on 3.13): run the benchmark on Python 3.11"
            ) from exc
    return py


def _run_clk(script: str, conf: dict[str, Any]) -> dict[str, Any] | None:
    try:
        py = clk_python()
        done = subprocess.run(
            [str(py), "-c", script, json.dumps(conf)],
            check=True,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"   clkhash/anonlink unavailable: {exc}")
        return None
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _prf(right: int, found: int, total: int) -> str:
    p, r = (right / found if found else 0.0), right / total
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return f"precision {p:.4f}  recall {r:.4f}  F1 {f1:.4f}"


def febrl(quick: bool) -> None:
    print("-- FEBRL-4 (5,000 × 5,000), from encodings alone")
    a, b = load_febrl4()
    s = febrl4_schema()
    ta = tokenize(s, [(r["rec_id"], r) for r in a])
    tb = tokenize(s, [(r["rec_id"], r) for r in b])
    keys = {t: secrets.token_bytes(32) for t in {*ta.vocab, *tb.vocab, PERMUTATION_TOKEN}}
    start = time.perf_counter()
    ea, eb = encode(s, ta, keys), encode(s, tb, keys)
    enc = time.perf_counter() - start
    start = time.perf_counter()
    pairs = match(s, ea, eb, threshold=0.5)
    took = time.perf_counter() - start
    print(f"   liaison: encode {enc:.2f} s, match {took:.2f} s (25 M pairs, 1:1)")
    for t in (0.6, 0.65, 0.7, 0.75, 0.8):
        k = pairs.score >= t
        right = sum(
            entity(ta.ids[i]) == entity(tb.ids[j])
            for i, j in zip(pairs.left[k], pairs.right[k], strict=True)
        )
        mark = "  <- schema threshold" if t == s.threshold else ""
        print(f"   liaison  t={t:.2f}: {_prf(right, int(k.sum()), 5000)}{mark}")
    from liaison.linkage.febrl import febrl4_dir

    d = febrl4_dir()
    got = _run_clk(
        _CLK_FEBRL,
        {
            "schema": CLK_SCHEMA,
            "a": str(d / "dataset4a.csv"),
            "b": str(d / "dataset4b.csv"),
            "thresholds": [0.7, 0.75, 0.8, 0.85],
        },
    )
    if got:
        print(f"   clkhash: encode {got['encode_s']:.2f} s")
        for t, (found, right) in got["thresholds"].items():
            print(f"   clkhash  t={float(t):.2f}: {_prf(right, found, 5000)}")


def _persons(n_a: int, n_b: int, overlap: int, seed: int) -> tuple[Any, Any, Any, Any, Any]:
    s = default_schema()
    a, b = two_lists(n_a, n_b, overlap, seed=seed, party_a="x", party_b="y")
    return (
        s,
        a,
        b,
        [(o.obj["id"], person_values(o.obj)) for o in a],
        [(o.obj["id"], person_values(o.obj)) for o in b],
    )


def speed(quick: bool) -> None:
    n = 4_000 if quick else 20_000
    print(f"-- Dice comparisons, {n:,} × {n:,} generated-person encodings, threshold 0.7")
    s, _, _, ra, rb = _persons(n, n, n // 2, 9)
    ta, tb = tokenize(s, ra), tokenize(s, rb)
    keys = {t: secrets.token_bytes(32) for t in {*ta.vocab, *tb.vocab, PERMUTATION_TOKEN}}
    ea, eb = encode(s, ta, keys), encode(s, tb, keys)
    dense = dataclasses.replace(s, blocking=Blocking(0, 12))
    match(dense, ea[:100], eb[:100], threshold=0.7)  # compile (cached) before timing
    best = min(
        _timed(lambda: match(dense, ea, eb, threshold=0.7, one_to_one=False)) for _ in range(3)
    )
    ours = n * n / best
    print(f"   liaison (numba, all cores): {ours / 1e6:,.0f} M pairs/s ({best:.2f} s)")
    from liaison.linkage import _kernel

    _kernel.set_threads(1)
    one = min(
        _timed(lambda: match(dense, ea, eb, threshold=0.7, one_to_one=False)) for _ in range(2)
    )
    _kernel.set_threads(None)
    print(f"   liaison (one core):         {n * n / one / 1e6:,.0f} M pairs/s ({one:.2f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        np.save(Path(tmp) / "a.npy", ea)
        np.save(Path(tmp) / "b.npy", eb)
        got = _run_clk(
            _ANON_SPEED, {"a": f"{tmp}/a.npy", "b": f"{tmp}/b.npy", "threshold": 0.7, "repeat": 3}
        )
    if got:
        theirs = n * n / got["seconds"]
        print(
            f"   anonlink (C++ popcount):    {theirs / 1e6:,.0f} M pairs/s "
            f"({got['seconds']:.2f} s) — liaison {ours / theirs:.1f}×"
        )


def generated(n: int) -> None:
    print(f"-- generated persons, {n:,} × {n:,} ({n // 2:,} shared): precision and recall")
    s, a, b, ra, rb = _persons(n, n, n // 2, 7)
    ta, tb = tokenize(s, ra), tokenize(s, rb)
    keys = {t: secrets.token_bytes(32) for t in {*ta.vocab, *tb.vocab, PERMUTATION_TOKEN}}
    pairs = match(s, encode(s, ta, keys), encode(s, tb, keys), threshold=0.6)
    truth = ground_truth(a, b)
    hit = np.array(
        [(int(i), int(j)) in truth for i, j in zip(pairs.left, pairs.right, strict=True)]
    )
    for t in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9):
        k = pairs.score >= t
        mark = "  <- schema threshold" if t == s.threshold else ""
        print(f"   t={t:.2f}: {_prf(int(hit[k].sum()), int(k.sum()), len(truth))}{mark}")
    found = {
        (int(i), int(j))
        for i, j, sc in zip(pairs.left, pairs.right, pairs.score, strict=True)
        if sc >= s.threshold
    }
    tally: dict[str, list[int]] = {}
    for i, j in truth:
        for e in (a[i].errors | b[j].errors) or {"none"}:
            row = tally.setdefault(e, [0, 0])
            row[0] += 1
            row[1] += (i, j) in found
    for e, (total, got) in sorted(tally.items()):
        print(f"   recall, pairs with {e:<16} {got / total:.3f} of {total:,}")


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def end_to_end(size: int) -> None:
    print(f"-- {size:,} × {size:,} generated persons ({size // 2:,} shared), blocking, end to end")
    start = time.perf_counter()
    s, a, b, ra, rb = _persons(size, size, size // 2, 21)
    print(f"   (generating the records: {time.perf_counter() - start:.1f} s, not counted)")
    t0 = time.perf_counter()
    ta, tb = tokenize(s, ra), tokenize(s, rb)
    t1 = time.perf_counter()
    vocab = {*ta.vocab, *tb.vocab, PERMUTATION_TOKEN}
    keys = {t: secrets.token_bytes(32) for t in vocab}  # the OPRF's keys: timed below
    ea, eb = encode(s, ta, keys), encode(s, tb, keys)
    t2 = time.perf_counter()
    pairs = match(s, ea, eb)
    t3 = time.perf_counter()
    truth = ground_truth(a, b)
    right = sum((int(i), int(j)) in truth for i, j in zip(pairs.left, pairs.right, strict=True))
    print(
        f"   tokenise {t1 - t0:.1f} s, encode {t2 - t1:.1f} s, block + compare + assign "
        f"{t3 - t2:.1f} s: total {t3 - t0:.1f} s"
    )
    print(
        f"   {pairs.compared:,} pairs compared ({pairs.compared / size / size:.2%} of all); "
        f"{_prf(right, len(pairs), len(truth))}"
    )
    per_token = oprf_cost(500)
    print(
        f"   OPRF for the vocabulary ({len(vocab):,} distinct tokens, both sides): "
        f"{len(vocab) * per_token:.1f} s once per partnership"
    )


def oprf_cost(n: int) -> float:
    a, b = oprf.OprfKey.generate(), oprf.OprfKey.generate()
    toks = [f"t{i}".encode() for i in range(n)]
    start = time.perf_counter()
    for asker, evaluator in ((a, b), (b, a)):
        bl = oprf.blind(toks, asker, b"ctx")
        y, proof = oprf.evaluate(evaluator, bl.elements, b"ctx")
        oprf.finalize(toks, bl, y, proof, evaluator.public, b"ctx")
    return (time.perf_counter() - start) / n


def attacks(n: int) -> None:
    print(
        f"-- attacks: {n:,} generated persons, the attacker holds their plaintext (100 % overlap)"
    )
    import random

    rng = random.Random(2015)
    held = [observe(p, rng, party="x", rate=0.0) for p in population(n, rng, FALLBACK_MIX)]
    s = default_schema()
    values = [(o.obj["id"], person_values(o.obj)) for o in held]
    batch = tokenize(s, values)
    plain_u = tokenize(atk.unhardened_schema(s), values)
    keys = {t: secrets.token_bytes(32) for t in [*batch.vocab, PERMUTATION_TOKEN]}
    truth = np.arange(n)
    encodings = {
        "liaison (hardened)": (encode(s, batch, keys), batch),
        "unhardened CLK": (atk.unhardened(s, plain_u, b"one shared secret"), plain_u),
    }
    print(f"   {'attack':<30} " + "  ".join(f"{k:>20}" for k in encodings))
    runs = [
        ("frequency", atk.frequency_attack, {}),
        ("pattern-mining", atk.pattern_mining_attack, {}),
        ("graph-matching", atk.graph_attack, {}),
        ("graph-matching, salt-aware", atk.graph_attack, {"adaptive": True}),
    ]
    for name, fn, kw in runs:
        cells = []
        for bits, tokens in encodings.values():
            r = fn(bits, tokens, truth, **kw)
            cells.append(f"{r.reidentified:>5} ({r.rate:6.2%})")
        print(f"   {name:<30} " + "  ".join(f"{c:>20}" for c in cells))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (smoke run)")
    parser.add_argument("--size", type=int, default=100_000, help="records per side, end to end")
    parser.add_argument("--attack-size", type=int, default=3_000)
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.attack_size = 10_000, 600
    febrl(args.quick)
    generated(2_000 if args.quick else 5_000)
    speed(args.quick)
    end_to_end(args.size)
    attacks(args.attack_size)


if __name__ == "__main__":
    main()
