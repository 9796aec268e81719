"""liaison data fetch: verified downloads from a local copy, clear offline failures."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from liaison.cli import cli
from liaison.data import DATASETS, DataFetchError, fetch_dataset
from liaison.data._fetch import CONNECT_TIMEOUT, READ_TIMEOUT


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server serving ``tmp_path/served`` (loopback only)."""
    root = tmp_path / "served"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_catalogue_names_sources_checksums_and_licences() -> None:
    for d in DATASETS.values():
        assert d.producer and d.licence and d.files
        for f in d.files:
            assert f.url.startswith("https://") and len(f.sha256) == 64 and f.size > 0


def test_every_shared_file_matches_its_checksum(shared: Path) -> None:
    import hashlib

    for d in DATASETS.values():
        for f in d.files:
            data = (shared / d.name / f.name).read_bytes()
            assert (hashlib.sha256(data).hexdigest(), len(data)) == (f.sha256, f.size), f.name


def test_download_from_a_copy_is_verified(
    mirror: tuple[str, Path], shared: Path, tmp_path: Path
) -> None:
    url, root = mirror
    shutil.copytree(shared / "nl-mod-oir-strikes", root / "nl-mod-oir-strikes")
    report = fetch_dataset("nl-mod-oir-strikes", tmp_path / "dl", mirror=url)
    (got,) = report.files
    assert got.path.read_bytes() == (shared / "nl-mod-oir-strikes" / got.path.name).read_bytes()
    assert not got.already_there and got.url == f"{url}/nl-mod-oir-strikes/{got.path.name}"
    again = fetch_dataset("nl-mod-oir-strikes", tmp_path / "dl", mirror=url)
    assert again.files[0].already_there  # verified, not downloaded twice


def test_a_tampered_copy_is_not_kept(mirror: tuple[str, Path], tmp_path: Path) -> None:
    url, root = mirror
    (root / "guardian-syria").mkdir()
    (root / "guardian-syria" / "syria-locations.tsv").write_text("name\tlat\tlng\nX\t1\t2\n")
    with pytest.raises(DataFetchError, match=r"syria-locations\.tsv: checksum mismatch"):
        fetch_dataset("guardian-syria", tmp_path / "dl", mirror=url)
    assert list((tmp_path / "dl" / "guardian-syria").iterdir()) == []  # nothing half-written


def test_missing_file_and_unknown_dataset(mirror: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = mirror
    with pytest.raises(DataFetchError, match="answered HTTP 404"):
        fetch_dataset("guardian-syria", tmp_path / "dl", mirror=url)
    with pytest.raises(DataFetchError, match="unknown dataset 'nope' \\(known: centcom"):
        fetch_dataset("nope", tmp_path)


def test_offline_fails_with_a_clear_message(tmp_path: Path) -> None:
    assert 0 < CONNECT_TIMEOUT <= READ_TIMEOUT  # every connection has timeouts
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(DataFetchError, match=r"cannot reach 127\.0\.0\.1:.*looks offline"):
        fetch_dataset("syrian-archive", tmp_path, mirror=url)
    result = CliRunner().invoke(
        cli, ["data", "fetch", "syrian-archive", "--dest", str(tmp_path), "--mirror", url]
    )
    assert result.exit_code == 1
    assert "licence:  CC BY-SA 4.0" in result.output  # sources and licence are printed first
    assert "looks offline" in result.output


def test_cli_list() -> None:
    result = CliRunner().invoke(cli, ["data", "list"])
    assert result.exit_code == 0
    assert "ucdp-ged-syria" in result.output and "sha256 8958fc49" in result.output
