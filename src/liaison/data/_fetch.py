"""Downloading a dataset of the catalogue: every file streamed to a temporary
file, its SHA-256 and size checked, then moved in place; nothing half-written."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from liaison.data._catalogue import DATASETS, Dataset, DatasetFile

if TYPE_CHECKING:
    import httpx

__all__ = ["DataFetchError", "FetchReport", "FetchedFile", "fetch_dataset", "find_dataset"]

#: Connect and read timeouts (seconds) of every download.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0


class DataFetchError(Exception):
    """A dataset could not be fetched; the message says which file and why."""


@dataclass(frozen=True, slots=True)
class FetchedFile:
    """A file in place: where, from where, its checksum, whether it was already there."""

    path: Path
    url: str
    sha256: str
    size: int
    already_there: bool


@dataclass
class FetchReport:
    """What ``fetch_dataset`` did."""

    dataset: Dataset
    directory: Path
    files: list[FetchedFile] = field(default_factory=list)


def find_dataset(name: str) -> Dataset:
    """The catalogue entry ``name``, or a clear error listing the known names."""
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(sorted(DATASETS))
        raise DataFetchError(f"unknown dataset {name!r} (known: {known})") from None


def fetch_dataset(
    name: str,
    dest: Path,
    *,
    mirror: str | None = None,
    client: httpx.Client | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> FetchReport:
    """Download dataset ``name`` into ``dest/name`` and verify every file.

    ``mirror`` replaces the publishers' addresses by ``MIRROR/NAME/FILE`` (a copy
    served elsewhere, e.g. inside a network without internet). Files already
    present with the right checksum are kept. Raises ``DataFetchError``.
    """
    import httpx

    dataset = find_dataset(name)
    directory = dest / dataset.name
    directory.mkdir(parents=True, exist_ok=True)
    report = FetchReport(dataset, directory)
    timeout = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
    own = client is None
    http = client or httpx.Client(timeout=timeout, follow_redirects=True)
    try:
        for f in dataset.files:
            target = directory / f.name
            url = f"{mirror.rstrip('/')}/{dataset.name}/{f.name}" if mirror else f.url
            if target.is_file() and _sha256(target) == f.sha256:
                report.files.append(FetchedFile(target, url, f.sha256, f.size, True))
                continue
            _download(http, url, f, target, progress)
            report.files.append(FetchedFile(target, url, f.sha256, f.size, False))
    finally:
        if own:
            http.close()
    return report


def _download(
    http: httpx.Client,
    url: str,
    f: DatasetFile,
    target: Path,
    progress: Callable[[str, int], None] | None,
) -> None:
    import httpx

    host = urlsplit(url).netloc or url
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{f.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, http.stream("GET", url) as response:
            if response.status_code != 200:
                raise DataFetchError(f"{f.name}: {url} answered HTTP {response.status_code}")
            for chunk in response.iter_bytes(1 << 16):
                size += len(chunk)
                if size > f.size * 2 + (1 << 20):
                    raise DataFetchError(f"{f.name}: {url} sends more than expected ({f.size:,} B)")
                digest.update(chunk)
                out.write(chunk)
                if progress is not None:
                    progress(f.name, len(chunk))
        if digest.hexdigest() != f.sha256:
            raise DataFetchError(
                f"{f.name}: checksum mismatch: got sha256 {digest.hexdigest()}, "
                f"expected {f.sha256} ({size:,} bytes from {url}); the file was not kept"
            )
        os.replace(tmp, target)
    except httpx.TimeoutException as exc:
        raise DataFetchError(
            f"{f.name}: {host} did not answer in time ({exc.__class__.__name__}); "
            "check the connection, or copy the files by hand (see `liaison data list`)"
        ) from exc
    except httpx.TransportError as exc:
        raise DataFetchError(
            f"{f.name}: cannot reach {host} ({exc}): this machine looks offline; fetch the "
            "files where there is internet, or serve a copy and use --mirror"
        ) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
