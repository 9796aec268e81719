"""Territorial presence and control per cell and week, with its uncertainty.

Two questions are kept apart (docs/method.md "Presence as control"):

1. *Is any group around?* Every presence report and attributed event adds evidence
   ``w = kind weight × reliability weight × credibility weight`` (ungraded records get
   the documented neutral weights, not the lowest grade) to its week. Evidence is
   spread over the grid by a Gaussian kernel of width ``sqrt((precision / 2)² +
   floor²)`` (the floor ``presence_floor_m``: places are reported a few km off),
   decays with time (half-life in weeks, both ways) and
   ``P(someone) = 1 − exp(−(evidence / scale)²)`` with ``scale`` relative to the
   data's own median evidence: "no known group" needs *no evidence nearby*, not
   evidence below an absolute threshold that thin or under-reported data rarely reach.
2. *Which group?* A hidden-Markov model per cell over weeks: the controlling group
   persists from week to week and changes with probability ``control_switch_per_week``;
   each week votes by its composition: group g's share of the week's (spread) evidence
   multiplies its odds by ``exp(control_log_odds × share × weight)``, the weight rising
   with the week's evidence (``vote_weight``: a kernel's faint tail is not a report).
   Forward–backward gives ``P(group | someone)`` per cell and
   week; only *relative* evidence matters, so evidence thinned inside a group's own
   territory still decides it.
3. *Is it fought over?* Where a share ``r`` of a cell's time-decayed evidence names
   neither of its two main groups, several groups act there and none holds it:
   ``P(group | someone)`` is scaled by ``1 − clip((r − from) / span, 0, 1)`` and the
   rest is "no known group" (``contested_share``). A front line between two groups
   mixes two groups' evidence, not three, and stays held.

``P[cell, week, group] = P(someone) × P(group | someone)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from ._kernels import KERNEL_SIGMAS, kernel_class
from .grid import Grid
from .params import Params
from .prepare import Prepared

__all__ = [
    "KERNEL_SIGMAS",
    "ControlField",
    "EvidenceSource",
    "activity_density",
    "contested_share",
    "control_field",
    "evidence_scale",
    "evidence_sources",
    "forward_backward",
    "grade_weights",
    "kernel_class",
    "presence",
    "presence_from_evidence",
    "vote_weight",
]

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]


def grade_weights(df: pl.DataFrame, params: Params) -> npt.NDArray[np.float64]:
    """Admiralty-code weight of each row; an ungraded field gets the neutral weight."""
    rel = (
        df["reliability"]
        .replace_strict(list("ABCDEF"), list(range(6)), default=None, return_dtype=pl.Int64)
        .to_numpy()
    )
    cred = (df["credibility"].clip(1, 6) - 1).to_numpy()
    rel_w = np.append(np.asarray(params.reliability_weights), params.ungraded_reliability_weight)
    cred_w = np.append(np.asarray(params.credibility_weights), params.ungraded_credibility_weight)
    rel_i = np.where(np.isnan(rel.astype(np.float64)), 6, np.nan_to_num(rel)).astype(np.int64)
    cred_i = np.where(np.isnan(cred.astype(np.float64)), 6, np.nan_to_num(cred)).astype(np.int64)
    return np.asarray(rel_w[rel_i] * cred_w[cred_i], dtype=np.float64)


def kernel(sigma_rings: float, grid: Grid, peak_one: bool = False) -> npt.NDArray[np.float64]:
    """Gaussian weights over the disk slots of ``grid`` (normalised to 1 unless ``peak_one``)."""
    if sigma_rings <= 0.0:
        return np.ones(1)
    rings = grid.slot_ring[: grid.slots_within(min(int(np.ceil(2.5 * sigma_rings)), _rings(grid)))]
    w = np.exp(-0.5 * (rings / sigma_rings) ** 2)
    return w if peak_one else w / w.sum()


def _rings(grid: Grid) -> int:
    return int(grid.slot_ring.max()) if grid.slot_ring.size else 0


@dataclass(frozen=True)
class EvidenceSource:
    """The evidence records of one kind that name a known group, before spreading: per
    record its precision; per record's first week, then per week after its last, the
    flat index of (cell, week, group) in a kernel class's slice of ``_weekly_evidence``
    and the weight (+w/n, then −w/n over its n weeks). Independent of
    ``presence_floor_m`` and ``presence_evidence_scale``."""

    precision: npt.NDArray[np.float64]
    index: I64
    weight: npt.NDArray[np.float64]


def evidence_sources(prep: Prepared, params: Params) -> tuple[EvidenceSource, ...]:
    """Presence reports, events and logistics of a known group (in that order)."""
    g_index = {g: i for i, g in enumerate(prep.groups)}
    n_w, n_g = prep.n_weeks, max(len(prep.groups), 1)
    kinds = {
        "control": params.weight_control,
        "sighting": params.weight_sighting,
        "movement": params.weight_movement,
    }
    spec = (
        ("presence", "group", True),
        ("events", "initiator", False),
        ("logistics", "group", True),
    )
    out = []
    for kind, col, spans in spec:
        frame = prep.frames[kind]
        if frame.height == 0:
            continue
        g = frame[col].replace_strict(g_index, default=-1, return_dtype=pl.Int64).to_numpy()
        keep = g >= 0
        cols = ["precision_m", "cell", "week", "reliability", "credibility"]
        cols += ["presence_kind"] if kind == "presence" else []
        cols += ["abs_week_end"] if spans else []
        df = frame.select(cols).filter(pl.Series(keep))
        if df.height == 0:
            continue
        if kind == "presence":
            kind_w = (
                df["presence_kind"].replace_strict(kinds, default=params.weight_sighting).to_numpy()
            )
        else:
            kind_w = np.full(df.height, params.weight_event if kind == "events" else
                             params.weight_logistics)  # fmt: skip
        w = kind_w * grade_weights(df, params)
        start = df["week"].to_numpy()
        if spans:
            end = (df["abs_week_end"] - prep.week0).to_numpy()
            stop = np.clip(end + 1, start + 1, n_w)
        else:
            stop = start + 1
        # a report over several weeks spreads its weight over them: +w/n from its first
        # week, −w/n from the week after its last (a cumulative sum over weeks follows)
        w = w / (stop - start)
        cell, group = df["cell"].to_numpy(), g[keep]
        index = [(cell * (n_w + 1) + week) * n_g + group for week in (start, stop)]
        out.append(
            EvidenceSource(
                df["precision_m"].fill_null(0.0).to_numpy(),
                np.concatenate(index).astype(np.int64),
                np.concatenate([w, -w]),
            )
        )
    return tuple(out)


def _weekly_evidence(
    prep: Prepared, params: Params, sources: tuple[EvidenceSource, ...] | None = None
) -> tuple[F32, I64]:
    """Evidence per kernel class present, cell, week and group, before spreading (no
    decay), and the classes (indices in ``KERNEL_SIGMAS``) of its first axis."""
    n_g, n_w, n_c = len(prep.groups), prep.n_weeks, prep.grid.n_cells + 1
    if sources is None:
        sources = evidence_sources(prep, params)
    if not sources:
        return np.zeros((1, n_c, n_w, max(n_g, 1)), np.float32), np.zeros(1, np.int64)
    ks = [kernel_class(s.precision, params.presence_floor_m, prep.spacing_m) for s in sources]
    # only the kernel classes present get a slice of the (dense) array
    present = np.zeros(len(KERNEL_SIGMAS), np.int64)
    for k in ks:
        present += np.bincount(k, minlength=len(KERNEL_SIGMAS))
    classes = np.flatnonzero(present)
    remap = np.zeros(len(KERNEL_SIGMAS), np.int64)
    remap[classes] = np.arange(classes.size)
    shape = (classes.size, n_c, n_w + 1, max(n_g, 1))
    stride = n_c * (n_w + 1) * max(n_g, 1)  # of the kernel class axis
    # per source: its first weeks (+w), then the weeks after its last (−w)
    flat = np.concatenate(
        [np.tile(remap[k] * stride, 2) + s.index for k, s in zip(ks, sources, strict=True)]
    )
    weights = np.concatenate([s.weight for s in sources])
    ev = np.bincount(flat, weights, int(np.prod(shape)))
    out = np.cumsum(ev.reshape(shape), axis=2, dtype=np.float32)[:, :, :n_w, :]
    return out, classes.astype(np.int64)


def activity_density(prep: Prepared, params: Params) -> F32:
    """Records of any activity (events of any or no initiator except the parties' own
    strikes, presence reports) per cell and week, spread by precision and decayed: where
    strike targets are likely to be."""
    n_w, n_c = prep.n_weeks, prep.grid.n_cells + 1
    ev = np.zeros((len(KERNEL_SIGMAS), n_c, n_w), np.float32)
    cols = ["precision_m", "cell", "week"]
    events = prep.frames["events"]
    events = events.select(cols).filter(
        ~events["initiator"].fill_null("").str.starts_with("identity--")
    )
    for df in (events, prep.frames["presence"].select(cols)):
        if df.height == 0:
            continue
        k = kernel_class(df["precision_m"].fill_null(0.0).to_numpy(), 0.0, prep.spacing_m)
        flat = np.ravel_multi_index((k, df["cell"].to_numpy(), df["week"].to_numpy()), ev.shape)
        ev += np.bincount(flat, minlength=ev.size).reshape(ev.shape).astype(np.float32)
    spread_ = _spread_classes(ev[..., None], prep.grid)
    return _decay(spread_, params)[:, :, 0]


def spread(values: F32, grid: Grid, weights: npt.NDArray[np.float64]) -> F32:
    """``out[c] = Σ_slot weights[slot] × values[neighbour(c, slot)]`` (sentinel row zero)."""
    out = np.zeros_like(values)
    for slot, weight in enumerate(weights.astype(np.float32)):
        out += weight * values[grid.neighbours[:, slot]]
    out[-1] = 0.0
    return out


def _spread_classes(ev: F32, grid: Grid, classes: I64 | None = None) -> F32:
    """Every kernel class spread by its kernel, summed (``ev[i]`` is of class
    ``classes[i]``, default ``i``). A kernel's weight depends on the ring only, so the
    classes are first combined per ring and each slot gathered once."""
    cls = np.arange(ev.shape[0]) if classes is None else classes
    out = np.zeros_like(ev[0])
    present = []
    for i, c in enumerate(cls.tolist()):
        if c == 0:
            out += ev[i]
        elif ev[i].any():
            present.append(i)
    kernels = {i: kernel(KERNEL_SIGMAS[cls[i]], grid).astype(np.float32) for i in present}
    n_slots = max((w.size for w in kernels.values()), default=0)
    rings = grid.slot_ring[:n_slots]
    for ring in range(int(rings.max()) + 1 if n_slots else 0):
        first = int(np.searchsorted(rings, ring))
        comb: F32 | None = None
        for k in present:
            if first < kernels[k].size:
                part = kernels[k][first] * ev[k]
                comb = part if comb is None else comb + part
        if comb is None:
            continue
        for slot in np.flatnonzero(rings == ring):
            out += comb[grid.neighbours[:, slot]]
    out[-1] = 0.0
    return np.asarray(out, np.float32)


def _decay(ev: F32, params: Params) -> F32:
    out = ev.copy()
    n_w = ev.shape[1]
    for lag in range(1, min(params.presence_max_lag_weeks, n_w - 1) + 1):
        w = np.float32(0.5 ** (lag / params.presence_half_life_weeks))
        out[:, lag:] += w * ev[:, :-lag]
        out[:, :-lag] += w * ev[:, lag:]
    return out


def presence_from_evidence(evidence: F32, scale: float) -> F32:
    """P = 1 − exp(−(evidence / scale)²), clipped to [0, 1].

    Quadratic near 0: the faint tail of a kernel (a fraction of one report) is not
    read as presence, while evidence of the order of ``scale`` is.
    """
    p = -np.expm1(-np.square(np.maximum(evidence, 0.0) / np.float32(scale)))
    return np.clip(p, 0.0, 1.0).astype(np.float32)


def forward_backward(
    log_emission: F32, switch: float, allowed: npt.NDArray[np.bool_] | None = None
) -> F32:
    """Posterior state probabilities of a sticky HMM per row, over axis 1 (weeks).

    ``log_emission[c, w, s]``; the state stays with probability ``1 − switch`` and
    otherwise moves to a uniformly drawn state among the row's ``allowed[c, s]`` ones
    (default: all); a row with no allowed state gets probability 0 everywhere.
    Vectorised over rows and states.
    """
    n_c, n_w, n_s = log_emission.shape
    if n_s == 0 or n_w == 0:
        return np.zeros_like(log_emission)
    ok = np.ones((n_c, n_s), bool) if allowed is None else allowed
    n_ok = np.maximum(ok.sum(axis=1, keepdims=True), 1).astype(np.float32)
    e = np.exp(log_emission - log_emission.max(axis=2, keepdims=True)).astype(np.float32)
    e *= ok[:, None, :]
    stay = np.float32(1.0 - switch)
    move = (np.float32(switch) / n_ok) * ok  # [c, s]
    alpha = np.empty_like(e)
    a = ok / n_ok
    for w in range(n_w):
        a = e[:, w] * (stay * a + move)
        a /= np.maximum(a.sum(axis=1, keepdims=True), np.float32(1e-30))
        alpha[:, w] = a
    post = np.empty_like(e)
    b = np.ones((n_c, n_s), np.float32)
    for w in range(n_w - 1, -1, -1):
        g = alpha[:, w] * b
        post[:, w] = g / np.maximum(g.sum(axis=1, keepdims=True), np.float32(1e-30))
        eb = e[:, w] * b
        b = stay * eb + move * eb.sum(axis=1, keepdims=True)
        b /= np.maximum(b.max(axis=1, keepdims=True), np.float32(1e-30))
    return np.asarray(post, np.float32)


class ControlField:
    """Presence and control over cells × weeks × groups (last cell row: the empty sentinel).

    ``someone[c, w]``: P(any group around); ``who[c, w, g]``: P(group | someone);
    ``activity[c, w]``: records of any activity (the prior of strike targets);
    ``evidence[c, w]``: total (spread, time-decayed) evidence; ``scale`` the typical
    weekly evidence of a held cell (``weekly_rate``); ``p = someone × who``;
    ``sources``: the evidence records it was built from (``evidence_sources``), if kept.
    """

    def __init__(
        self,
        someone: F32,
        who: F32,
        evidence: F32,
        scale: float,
        weekly_total: F32,
        activity: F32 | None = None,
        sources: tuple[EvidenceSource, ...] | None = None,
    ) -> None:
        self.sources = sources
        self.weekly_total = weekly_total
        self.activity = evidence if activity is None else activity
        self.someone = someone
        self.who = who
        self.evidence = evidence
        self.scale = scale

    @property
    def p(self) -> F32:
        """P(group present and in control) per cell, week and group."""
        return np.asarray(self.someone[:, :, None] * self.who, np.float32)


def control_field(
    prep: Prepared,
    params: Params,
    activity: F32 | None = None,
    sources: tuple[EvidenceSource, ...] | None = None,
) -> ControlField:
    """The presence-and-control model of docs/method.md over the prepared grid
    (``activity``: an ``activity_density`` already computed for these inputs;
    ``sources``: their ``evidence_sources`` under the same weights, which do not depend
    on the floor or the evidence scale)."""
    if sources is None:
        sources = evidence_sources(prep, params)
    raw, classes = _weekly_evidence(prep, params, sources)
    weekly = _spread_classes(raw, prep.grid, classes)
    weekly_total = weekly.sum(axis=2)
    total = _decay(weekly_total[:, :, None], params)[:, :, 0]
    scale = evidence_scale(total, prep) * params.presence_evidence_scale
    someone = presence_from_evidence(total, scale)
    # each week with evidence votes by its composition (relative evidence), weighed
    # by how much evidence it has: a kernel's faint tail is not a report
    composition = weekly / (weekly_total[:, :, None] + np.float32(1e-9))
    if params.control_vote_saturation > 0.0:
        median = evidence_scale(weekly_total, prep)
        weight = vote_weight(weekly_total, median, params.control_vote_saturation)
        composition *= weight[:, :, None]
    # a group can hold a cell only if it has evidence there at some time
    allowed = weekly.max(axis=1) > 0
    who = forward_backward(
        np.float32(params.control_log_odds) * composition,
        params.control_switch_per_week,
        allowed,
    )
    if who.shape[2] > 2 and params.control_contested_from < 1.0:
        r = contested_share(weekly, params)
        held = 1.0 - np.clip((r - params.control_contested_from) / params.control_contested_span,
                             0.0, 1.0)  # fmt: skip
        who *= held[:, :, None].astype(np.float32)
    someone[-1] = 0.0
    return ControlField(
        someone,
        who,
        np.asarray(total, np.float32),
        scale,
        weekly_total,
        activity_density(prep, params) if activity is None else activity,
        sources,
    )


def vote_weight(weekly_total: F32, median: float, saturation: float) -> F32:
    """Weight of each cell-week's vote on who holds the cell: ``1 − exp(−e / (saturation
    × median))``, with ``e`` the week's (spread, undecayed) evidence and ``median`` that
    of the period's cell-weeks that have any (``evidence_scale``). A full report votes
    almost in full; the faint tail of a neighbour's kernel (a hundredth of a report)
    almost not at all, where before 2.8.0 it voted like a report and, week after week,
    took over a cell whose holder goes unreported."""
    return np.asarray(-np.expm1(-weekly_total / np.float32(saturation * median)), np.float32)


def contested_share(weekly: F32, params: Params) -> F32:
    """Per cell and week, the share of the time-decayed evidence that names neither of
    the cell's two main groups that week, ``(total − top two) / (total + prior)``:
    near 0 where one group holds a place (or two meet at a front), high where several
    groups act and none dominates. One group at a time, so memory stays [cells, weeks]."""
    n_c, n_w, n_g = weekly.shape
    total, first, second, rest = (np.zeros((n_c, n_w), np.float32) for _ in range(4))
    for g in range(n_g):
        ev = _decay(np.ascontiguousarray(weekly[:, :, g : g + 1]), params)[:, :, 0]
        total += ev
        rest += np.minimum(second, ev)  # the smallest of the three leaves the top two
        second = np.maximum(second, np.minimum(first, ev))
        first = np.maximum(first, ev)
    return np.asarray(
        rest / (total + np.float32(params.control_contested_prior) + 1e-9), np.float32
    )


def evidence_scale(total: F32, prep: Prepared) -> float:
    """The median evidence of the period's cell-weeks that have any (> 1 % of a report).

    Relative to the data's own density, so that sparse or under-reported data is not
    read as absence, and a kernel's faint tail is not read as presence.
    """
    period = total[:-1, prep.first : prep.last + 1]
    positive = period[period > 0.01]
    return float(np.median(positive)) if positive.size else 1.0


def presence(prep: Prepared, params: Params) -> F32:
    """P[cell, week, group] on the grid (last cell row: the empty sentinel)."""
    return control_field(prep, params).p
