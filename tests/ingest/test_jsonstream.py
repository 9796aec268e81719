"""The strict, bounded STIX reader: same values as a JSON parser whatever the chunk
cuts, and every way JSON is lenient refused, with the object named."""

from __future__ import annotations

import io
import json
import resource
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.ingest._jsonstream import (
    MAX_DEPTH,
    JsonLimitError,
    depth_of,
    iter_json_objects,
)

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)
_objects = st.lists(st.dictionaries(st.text(max_size=6), _values, max_size=5), max_size=6)


def read(data: bytes, chunk_size: int = 1 << 20) -> list[Any]:
    return [r.value for r in iter_json_objects(io.BytesIO(data), "x.json", chunk_size=chunk_size)]


@settings(max_examples=150, deadline=None)
@given(objects=_objects, chunk=st.integers(1, 64), indent=st.sampled_from([None, 0, 2]),
       ascii_only=st.booleans(), as_bundle=st.booleans())  # fmt: skip
def test_same_values_as_json_whatever_the_chunking(
    objects: list[dict[str, Any]], chunk: int, indent: int | None, ascii_only: bool,
    as_bundle: bool,
) -> None:  # fmt: skip
    body: Any = {"type": "bundle", "objects": objects, "id": "b"} if as_bundle else objects
    data = json.dumps(body, indent=indent, ensure_ascii=ascii_only).encode()
    assert read(data, chunk) == objects


def errors(data: bytes) -> list[tuple[int, str | None]]:
    return [(r.number, r.error) for r in iter_json_objects(io.BytesIO(data), "x.json")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ('{"a": {"b": 1, "b": 1}}', "duplicate key 'b'"),
        ('{"name": "\\ud800"}', "field 'name': a lone surrogate"),
        ('{"x": ["ok", "\\udc00"]}', "field 'x[1]': a lone surrogate"),
        ('{"x": NaN}', "NaN is not a JSON number"),
        ('{"x": -Infinity}', "-Infinity is not a JSON number"),
        ('{"a": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}", "nested deeper than 64"),
    ],
)
def test_lenient_json_is_refused_per_object(text: str, expected: str) -> None:
    data = ('{"type": "bundle", "objects": [{"ok": 1}, ' + text + ', {"ok": 2}]}').encode()
    found = errors(data)
    assert found[0] == (1, None) and found[2] == (3, None)  # its neighbours are read
    assert found[1][0] == 2 and expected in (found[1][1] or "")


def test_a_surrogate_pair_is_a_character_not_an_error() -> None:
    assert read(b'[{"x": "\\ud83d\\ude00"}]') == [{"x": "\U0001f600"}]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"type": "bundle", "objects": [{"a": 1},', "x.json object #2: malformed JSON"),
        (b'{"type": "bundle", "objects": [{"a": 1}] ', "malformed JSON in the bundle"),
        (b'{"objects": [], "objects": []}', "duplicate key 'objects' in the bundle"),
        (b'{"type": "identity", "objects": []}', "its type is 'identity'"),
        (b'{"type": "bundle"}', "no 'objects' array"),
        (b'{"objects": [{"a": "\xe9"}]}', "not valid UTF-8 at byte 20"),
        (b"[] trailing", "text after the end"),
        (b"garbage", "not JSON"),
        (b'[{"a": "line\nbreak"}]', "Invalid control character"),
    ],
)
def test_broken_files_are_refused_whole(data: bytes, expected: str) -> None:
    with pytest.raises(JsonLimitError) as info:
        read(data)
    assert expected in str(info.value)
    assert str(info.value).startswith("x.json")


def test_too_large_object_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from liaison.ingest import _jsonstream

    monkeypatch.setattr(_jsonstream, "MAX_OBJECT_BYTES", 1000)
    data = b'[{"a": 1}, {"big": "' + b"x" * 5000 + b'"}]'
    with pytest.raises(JsonLimitError, match=r"object #2: larger than"):
        read(data, chunk_size=256)


def test_a_100000_level_field_is_refused_fast_with_flat_memory() -> None:
    levels = 100_000
    data = (
        b'{"type": "bundle", "objects": [{"ok": 1}, {"x": ' + b"[" * levels + b"]" * levels + b"}]}"
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(JsonLimitError, match=r"x.json object #2: nested deeper than 64"):
        read(data)
    assert time.perf_counter() - start < 5
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 64  # was 22.7 GiB (memory grew with depth squared)


def test_the_deepest_object_allowed_is_read() -> None:
    text = '[{"a": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}]"
    assert errors(text.encode()) == [(1, None)]


def test_depth_of() -> None:
    assert depth_of(1) == 0
    assert depth_of({}) == 1
    assert depth_of({"a": [1, {"b": []}]}) == 4
