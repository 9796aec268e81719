"""Shared fixtures: real temporary stores on every backend.

PostgreSQL tests use ``LIAISON_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``); each test gets its own schema.
Under ``CI=true`` an unreachable server fails the run instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from liaison.store import Store, open_store
from tests.nodes import NodeFactory

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def postgres_url() -> str:
    return os.environ.get("LIAISON_TEST_POSTGRES_URL", DEFAULT_PG_URL)


def _postgres_reachable() -> str | None:
    try:
        with psycopg.connect(postgres_url(), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def require_postgres() -> None:
    """Skip (or, under CI, fail) when no PostgreSQL server is reachable."""
    reason = _postgres_reachable()
    if reason is None:
        return
    message = f"PostgreSQL not reachable at {postgres_url()} ({reason})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI requires the PostgreSQL tests to run", pytrace=False)
    pytest.skip(f"{message}; set LIAISON_TEST_POSTGRES_URL to run the PostgreSQL tests")


def drop_schema(schema: str) -> None:
    with psycopg.connect(postgres_url(), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def pg_schema_url() -> Iterator[Callable[[], str]]:
    """Factory of fresh PostgreSQL store URLs (one schema each, dropped afterwards)."""
    require_postgres()
    made: list[str] = []

    def make() -> str:
        schema = f"liaison_t_{uuid.uuid4().hex[:16]}"
        made.append(schema)
        sep = "&" if "?" in postgres_url() else "?"
        return f"{postgres_url()}{sep}schema={schema}"

    yield make
    for schema in made:
        drop_schema(schema)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url_factory(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], str]]:
    """Factory of fresh store URLs, once per backend."""
    if request.param == "sqlite":
        counter = iter(range(1_000_000))
        yield lambda: f"sqlite:///{tmp_path / f'store-{next(counter)}.db'}"
    else:
        yield request.getfixturevalue("pg_schema_url")


@pytest.fixture
def sqlite_url_factory(tmp_path: Path) -> Callable[[], str]:
    """Factory of fresh SQLite store URLs (for suites whose subject is not the store)."""
    counter = iter(range(1_000_000))
    return lambda: f"sqlite:///{tmp_path / f'sqlite-{next(counter)}.db'}"


@pytest.fixture
def make_node(tmp_path: Path, store_url_factory: Callable[[], str]) -> Iterator[NodeFactory]:
    """Factory of fresh nodes on each backend (see tests/nodes.py)."""
    factory = NodeFactory(tmp_path / "nodes", store_url_factory)
    yield factory
    factory.close()


@pytest.fixture
def make_sqlite_node(
    tmp_path: Path, sqlite_url_factory: Callable[[], str]
) -> Iterator[NodeFactory]:
    """Factory of fresh nodes on SQLite only: for suites about HTTP, TLS or the CLI,
    where the backend is not under test (tests/store and the exchange cores run both)."""
    factory = NodeFactory(tmp_path / "sqlite-nodes", sqlite_url_factory)
    yield factory
    factory.close()


@pytest.fixture
def store(store_url_factory: Callable[[], str]) -> Iterator[Store]:
    """A fresh, migrated store on each backend."""
    s = open_store(store_url_factory())
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def shared_data() -> Path:
    """The shared real-data folder, or a clear skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is absent; these tests read real data")
    return SHARED_DATA
