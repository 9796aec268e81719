"""Both SQL backends implement the store protocols, with the protocols' signatures,
and code outside ``liaison.store`` reaches stores through the protocols only."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from pathlib import Path

import pytest

import liaison
import liaison.store
from liaison.store import ExchangeTables, Store, Writer, open_store

from .helpers import protocol_members, through_protocol

SRC = Path(liaison.__file__).parent


def _same_signature(proto: type, impl: type, name: str) -> None:
    want = inspect.signature(getattr(proto, name))
    got = inspect.signature(getattr(impl, name))
    shape = [(p.name, p.kind, p.default) for p in want.parameters.values()]
    assert [(p.name, p.kind, p.default) for p in got.parameters.values()] == shape, (
        f"{impl.__name__}.{name}{got} differs from {proto.__name__}.{name}{want}"
    )


def test_each_backend_implements_the_protocols(store_url_factory: Callable[[], str]) -> None:
    raw = open_store(store_url_factory())
    try:
        assert isinstance(raw, Store)
        assert isinstance(raw.exchange, ExchangeTables)
        with raw.transaction() as tx:
            assert isinstance(tx, Writer)
            writer = type(tx)
        for proto, impl in ((Store, type(raw)), (ExchangeTables, type(raw.exchange)),
                            (Writer, writer)):  # fmt: skip
            for name in protocol_members(proto):
                member = inspect.getattr_static(proto, name, None)
                if inspect.isfunction(member):
                    _same_signature(proto, impl, name)
    finally:
        raw.close()


def test_the_protocol_view_hides_the_sql_behind_it(store: Store) -> None:
    # Every protocol name is reachable through the view. (Not isinstance(): from
    # Python 3.12 it looks names up statically and does not see a view's
    # __getattr__; the backends themselves pass isinstance in the test above.)
    assert all(hasattr(store, name) for name in protocol_members(Store))
    assert all(hasattr(store.exchange, name) for name in protocol_members(ExchangeTables))
    with pytest.raises(AttributeError, match="not part of the Store protocol"):
        store._execute("SELECT 1")  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="not part of the ExchangeTables protocol"):
        store.exchange._store  # type: ignore[attr-defined]  # noqa: B018
    with store.transaction() as tx, pytest.raises(AttributeError, match="Writer protocol"):
        tx._store  # type: ignore[attr-defined]  # noqa: B018


def test_a_view_is_as_good_as_the_store(store_url_factory: Callable[[], str]) -> None:
    raw = open_store(store_url_factory())
    try:
        view = through_protocol(raw)
        view.audit_anchor = Path("anchor")
        assert raw.audit_anchor == Path("anchor") and view.url == raw.url
    finally:
        raw.close()


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """``(module, names)`` of every import in a source file (names empty for ``import m``)."""
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, [a.name for a in node.names]))
    return out


def test_code_outside_the_store_package_uses_its_public_names_only() -> None:
    """No private module of the package (so no SQL class) outside it; the functions of
    the public ``liaison.store.exchange`` take the SQL class, so mypy keeps callers on
    ``store.exchange``."""
    public = set(liaison.store.__all__)
    offences = []
    for path in sorted(SRC.rglob("*.py")):
        if path.is_relative_to(SRC / "store"):
            continue
        for module, names in _imports(path):
            where = path.relative_to(SRC)
            if module.startswith("liaison.store._"):
                offences.append(f"{where}: imports {module}")
            elif module == "liaison.store":
                offences += [f"{where}: imports {n}" for n in names if n not in public]
    assert offences == []
    assert "SqlStore" not in public and len(public) > 20
