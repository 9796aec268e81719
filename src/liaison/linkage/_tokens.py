"""Records to tokens: each record's values, normalised and cut into field-tagged
tokens, as flat arrays (one batch, one vocabulary) ready for vectorised encoding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from liaison.linkage import _normalise as nz
from liaison.linkage._errors import LinkageInputError
from liaison.linkage._schema import MAX_K, FieldSpec, Schema

#: Separates a field's name from the token in a vocabulary entry.
SEP: Final = "\x1f"
#: The vocabulary entry whose key seeds the balancing permutation.
PERMUTATION_TOKEN: Final = "\x00permutation"

Values = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Tokenized:
    """A batch of records as tokens.

    Entry ``e`` of the flat arrays is one token of one field of one record:
    ``token[e]`` indexes ``vocab``, ``k[e]`` is how many bit positions it sets
    (the field's bits shared by the field's tokens in that record), and the
    record is ``np.searchsorted(offsets, e, 'right') - 1``.
    """

    ids: list[str]
    vocab: list[str]
    offsets: npt.NDArray[np.int64]
    token: npt.NDArray[np.int32]
    k: npt.NDArray[np.int16]
    salts: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def record_of_entry(self) -> npt.NDArray[np.int64]:
        counts = np.diff(self.offsets)
        return np.repeat(np.arange(len(self.ids), dtype=np.int64), counts)


def values_of(obj: Any, source: str) -> list[str]:
    """The non-empty string values of ``source`` in ``obj`` (a string, a list of
    strings, a number, or absent)."""
    raw = obj.get(source) if isinstance(obj, Mapping) else None
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw] if raw.strip() else []
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return [str(raw)]
    if isinstance(raw, list | tuple):
        return [str(v) for v in raw if isinstance(v, str | int) and str(v).strip()]
    return []


def field_tokens(spec: FieldSpec, values: Sequence[str], record: str) -> list[str]:
    """The tokens of one field of one record."""
    where = (record, spec.name)
    if spec.kind == "name":
        return nz.name_tokens(values, spec.q, spec.drop_words, where)
    if spec.kind == "skeleton":
        return nz.skeleton_tokens(values, spec.q, spec.drop_words, where)
    if spec.kind == "text":
        return nz.text_tokens(values, spec.q, where)
    if spec.kind == "date":
        return nz.date_tokens(values, where, spec.date_parts)
    if spec.kind == "digits":
        return nz.digit_tokens(values)
    return nz.exact_tokens(values, where)


def tokenize(
    schema: Schema, records: Iterable[tuple[str, Values]], *, skipped: list[str] | None = None
) -> Tokenized:
    """Tokenise ``(record id, values)`` pairs. A record none of whose linkage fields
    has a value is an error (it could never match anything) — or, given a
    ``skipped`` list, left out and its id appended there."""
    ids: list[str] = []
    salts: list[str] = []
    vocab: dict[str, int] = {}
    offsets = [0]
    token: list[int] = []
    ks: list[int] = []
    salt_source = schema.hardening.salt
    # Values repeat (places, nationalities, common names): each distinct value of a
    # field is normalised once.
    seen: dict[tuple[int, tuple[str, ...]], tuple[list[int], int]] = {}
    for rid, values in records:
        before = len(token)
        for n, spec in enumerate(schema.fields):
            vals = tuple(values_of(values, spec.source))
            if not vals:
                continue
            cached = seen.get((n, vals))
            if cached is None:
                found = field_tokens(spec, vals, rid)
                k = min(MAX_K, max(1, round(spec.bits / len(found)))) if found else 0
                tids = [vocab.setdefault(spec.name + SEP + t, len(vocab)) for t in found]
                cached = seen[(n, vals)] = (tids, k)
            tids, k = cached
            token.extend(tids)
            ks.extend([k] * len(tids))
        if len(token) == before:
            if skipped is not None:
                skipped.append(rid)
                continue
            names = ", ".join(sorted({f.source for f in schema.fields}))
            raise LinkageInputError(rid, "", f"has none of the linkage fields ({names})")
        ids.append(rid)
        offsets.append(len(token))
        salt = values_of(values, salt_source) if salt_source else []
        salts.append(nz.fold(salt[0], where=(rid, salt_source)) if salt else "")
    return Tokenized(
        ids=ids,
        vocab=list(vocab),
        offsets=np.asarray(offsets, dtype=np.int64),
        token=np.asarray(token, dtype=np.int32),
        k=np.asarray(ks, dtype=np.int16),
        salts=salts,
    )
