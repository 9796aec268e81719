"""Run the OASIS reference TAXII server, medallion, from its own virtual
environment (created once under a cache folder) as a subprocess on loopback."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson

from liaison.exchange import free_port

USER, PASSWORD = "liaison", "interop-Password0"
COLLECTION = "8a0ed5c5-8d4a-4d6b-9a7f-2b0f4bb1c0de"


class MedallionUnavailable(RuntimeError):
    """medallion could not be installed or started."""


def cache_dir() -> Path:
    base = os.environ.get("LIAISON_TEST_CACHE") or os.path.expanduser("~/.cache/liaison-tests")
    return Path(base)


#: The pinned, hashed resolution medallion is installed from (``make lock`` writes it).
MEDALLION_LOCK = Path(__file__).resolve().parents[2] / "requirements" / "medallion.txt"
#: The installer, the same pip as every other environment (installed first).
PIP_LOCK = Path(__file__).resolve().parents[2] / "requirements" / "pip.txt"


def medallion_bin() -> Path:
    """The medallion script, installed from its lock file (exact versions, checked
    hashes, wheels only: nothing is built, so no unpinned build tool is fetched) into its
    own venv, one per lock content, if needed."""
    digest = hashlib.sha256(PIP_LOCK.read_bytes() + MEDALLION_LOCK.read_bytes()).hexdigest()[:12]
    tag = f"py{sys.version_info[0]}.{sys.version_info[1]}"
    venv = cache_dir() / f"medallion-venv-{tag}-{digest}"
    script = venv / "bin" / "medallion"
    if script.exists():
        return script
    venv.parent.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        for lock in (PIP_LOCK, MEDALLION_LOCK):
            subprocess.run(
                [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                 "--require-hashes", "--only-binary", ":all:", "-r", str(lock)],
                check=True,
                capture_output=True,
                timeout=600,
            )  # fmt: skip
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        raise MedallionUnavailable(f"cannot install medallion: {exc} {detail[-500:]!r}") from exc
    return script


def data_file(objects: list[dict[str, Any]], port: int, date_added: str) -> dict[str, Any]:
    """A medallion memory-backend data file holding ``objects`` in one collection."""
    api = f"http://127.0.0.1:{port}/api1/"
    manifest = [
        {"id": o["id"], "date_added": date_added, "version": o["modified"],
         "media_type": "application/stix+json;version=2.1"}
        for o in objects
    ]  # fmt: skip
    return {
        "/discovery": {"title": "medallion", "default": api, "api_roots": [api]},
        "api1": {
            "information": {
                "title": "interop",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 104857600,
            },
            "status": [],
            "collections": [
                {
                    "id": COLLECTION,
                    "title": "interop",
                    "can_read": True,
                    "can_write": False,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": objects,
                    "manifest": manifest,
                }
            ],
        },
    }


@contextmanager
def medallion(objects: list[dict[str, Any]], workdir: Path, page_size: int = 1000) -> Iterator[str]:
    """Serve ``objects`` with medallion; yields its collection URL."""
    script = medallion_bin()
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"data-{uuid.uuid4().hex[:8]}.json"
    data.write_bytes(orjson.dumps(data_file(objects, port, "2016-01-01T00:00:00.000000Z")))
    config = workdir / "config.json"
    config.write_bytes(
        orjson.dumps(
            {
                "backend": {
                    "module": "medallion.backends.memory_backend",
                    "module_class": "MemoryBackend",
                    "filename": str(data),
                },
                "users": {USER: PASSWORD},
                "taxii": {"max_page_size": page_size},
            }
        )
    )
    log = (workdir / "medallion.log").open("wb")
    proc = subprocess.Popen(
        [str(script), "--host", "127.0.0.1", "--port", str(port), str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/api1/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(url, auth=(USER, PASSWORD),
                              headers={"Accept": "application/taxii+json;version=2.1"})  # fmt: skip
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise MedallionUnavailable(f"medallion did not start; see {workdir}/medallion.log")
            time.sleep(0.2)
        yield f"{url}collections/{COLLECTION}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
