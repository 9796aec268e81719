"""The lock files: requirements.txt (what ``make`` installs) and its twins pylock.toml
(PEP 751) and uv.lock pin the same resolution, with hashes, covering every declared
dependency."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _requirements_txt() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if m := _PIN.match(line):
            pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def _pylock() -> list[dict[str, object]]:
    with (ROOT / "pylock.toml").open("rb") as f:
        lock = tomllib.load(f)
    assert lock["lock-version"] == "1.0"
    packages: list[dict[str, object]] = lock["packages"]
    return packages


def test_both_lock_files_pin_the_same_versions() -> None:
    pylock = {canonicalize_name(str(p["name"])): str(p["version"]) for p in _pylock()}
    txt = _requirements_txt()
    assert txt, "requirements.txt pins nothing"
    differ = {n: (txt.get(n), pylock.get(n)) for n in txt.keys() | pylock.keys()}
    assert {n: v for n, v in differ.items() if v[0] != v[1]} == {}


def test_every_locked_package_has_hashes() -> None:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    unhashed = [b.split("==")[0] for b in blocks if _PIN.match(b) and "--hash=sha256:" not in b]
    assert unhashed == []
    for package in _pylock():
        wheels: list[dict[str, dict[str, str]]] = package.get("wheels") or []  # type: ignore[assignment]
        files = wheels + ([package["sdist"]] if "sdist" in package else [])  # type: ignore[list-item]
        assert files, f"{package['name']} has no artifact in pylock.toml"
        assert all(f["hashes"]["sha256"] for f in files), package["name"]


def test_every_declared_dependency_is_locked() -> None:
    with (ROOT / "pyproject.toml").open("rb") as f:
        project = tomllib.load(f)["project"]
    declared = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])
    pins = _requirements_txt_by_python("3.11")
    missing = []
    for spec in declared:
        req = Requirement(spec)
        env = {"python_version": "3.11", "python_full_version": "3.11.0"}
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        version = pins.get(canonicalize_name(req.name))
        if version is None or not req.specifier.contains(version, prereleases=True):
            missing.append(f"{spec} (locked: {version})")
    assert missing == [], "pyproject.toml asks for what the lock does not hold; run make lock"


def test_uv_lock_pins_the_same_versions() -> None:
    with (ROOT / "uv.lock").open("rb") as f:
        lock = tomllib.load(f)
    pins: dict[str, set[str]] = {}
    for p in lock["package"]:
        if p["name"] != "liaison":
            pins.setdefault(canonicalize_name(p["name"]), set()).add(p["version"])
            assert p.get("wheels") or p.get("sdist"), f"{p['name']} has no artifact in uv.lock"
    txt: dict[str, set[str]] = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if m := _PIN.match(line):  # a package may have one pin per Python range
            txt.setdefault(canonicalize_name(m.group(1)), set()).add(m.group(2))
    assert {n for n in txt.keys() | pins.keys() if txt.get(n) != pins.get(n)} == set()


def test_side_environments_install_from_their_own_hashed_locks() -> None:
    """medallion (interop tests) and clkhash (linkage benchmark) live in their own
    virtual environments; each is installed from a lock that pins every package of it
    with hashes and covers what its ``.in`` file asks for."""
    for side in ("medallion", "clkhash"):
        text = (ROOT / "requirements" / f"{side}.txt").read_text(encoding="utf-8")
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
        pins = {canonicalize_name(m.group(1)) for b in blocks if (m := _PIN.match(b))}
        unhashed = [b.split("==")[0] for b in blocks if _PIN.match(b) and "--hash=sha256:" not in b]
        assert pins and unhashed == [], side
        wanted = [
            canonicalize_name(Requirement(line).name)
            for line in (ROOT / "requirements" / f"{side}.in").read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]
        assert set(wanted) <= pins, side
    installers = {
        "tests/exchange/medallion.py": 'requirements" / "medallion.txt',
        "benchmarks/bench_linkage.py": 'requirements" / "clkhash.txt',
    }
    for path, lock in installers.items():
        source = (ROOT / path).read_text(encoding="utf-8")
        assert lock in source and '"--require-hashes"' in source, path
    # nothing is built with a build tool fetched at install time: medallion takes wheels
    # only; the clkhash baseline builds its sdists with the locked setuptools
    medallion = (ROOT / "tests/exchange/medallion.py").read_text(encoding="utf-8")
    assert '"--only-binary", ":all:"' in medallion
    bench = (ROOT / "benchmarks/bench_linkage.py").read_text(encoding="utf-8")
    assert 'requirements" / "build.txt' in bench and '"--no-build-isolation"' in bench


def _hashed_pins(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    unhashed = [b.split("==")[0] for b in blocks if _PIN.match(b) and "--hash=sha256:" not in b]
    assert unhashed == [], path
    return {canonicalize_name(m.group(1)): m.group(2) for b in blocks if (m := _PIN.match(b))}


def test_build_backend_and_lock_tool_are_locked_with_hashes() -> None:
    """Source-only packages are built with the locked setuptools (installed first, then
    the lock with --no-build-isolation), not with the newest one build isolation would
    fetch; ``make lock``'s uv comes from its own hashed lock."""
    build = _hashed_pins(ROOT / "requirements" / "build.txt")
    assert build == {"setuptools": _requirements_txt()["setuptools"]}
    uv = _hashed_pins(ROOT / "requirements" / "uv.txt")
    wanted = (ROOT / "requirements" / "uv.in").read_text(encoding="utf-8")
    assert set(uv) == {"uv"} and f"uv=={uv['uv']}" in wanted
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("$(STAMP):", 1)[1].split("\n\n", 1)[0]
    build_at = recipe.index("--require-hashes -r $(BUILD)")
    lock_at = recipe.index("--require-hashes --no-build-isolation -r $(LOCK)")
    assert build_at < lock_at
    for line in (ln for ln in recipe.splitlines() if "pip install" in ln):
        # hashed from a lock, or the project itself (no dependencies, no build isolation)
        assert "--require-hashes" in line or "--no-deps --no-build-isolation -e ." in line, line
    assert "--require-hashes -r requirements/uv.txt" in makefile


def test_every_environment_installs_with_the_locked_pip() -> None:
    """The installer is locked too: every environment (this one, the lock tool's,
    medallion's, the clkhash baseline's) installs requirements/pip.txt first, so each
    machine and Python resolves with the same pip, not whichever one venv bundled."""
    from importlib.metadata import version

    pins = _hashed_pins(ROOT / "requirements" / "pip.txt")
    wanted = (ROOT / "requirements" / "pip.in").read_text(encoding="utf-8")
    assert set(pins) == {"pip"} and f"pip=={pins['pip']}" in wanted
    assert version("pip") == pins["pip"]  # this environment was installed that way
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("$(STAMP):", "lock:"):
        recipe = makefile.split(target, 1)[1].split("\n\n", 1)[0]
        installs = [ln for ln in recipe.splitlines() if "pip install" in ln]
        assert installs and "-r $(PIP)" in installs[0], target
    for path in ("tests/exchange/medallion.py", "benchmarks/bench_linkage.py"):
        source = (ROOT / path).read_text(encoding="utf-8")
        assert 'requirements" / "pip.txt' in source, path
        assert source.index("PIP_LOCK") < source.rindex("_LOCK"), path


def test_build_system_pins_the_locked_setuptools() -> None:
    """A plain ``pip install .`` or ``python -m build`` builds with the locked backend,
    not the newest one a range would fetch."""
    from importlib.metadata import version

    with (ROOT / "pyproject.toml").open("rb") as f:
        requires = tomllib.load(f)["build-system"]["requires"]
    locked = _hashed_pins(ROOT / "requirements" / "build.txt")["setuptools"]
    assert requires == [f"setuptools=={locked}"]
    assert version("setuptools") == locked


def test_supported_pythons_are_bounded_and_pinned() -> None:
    """The supported Pythons are a closed range, the lock covers exactly that range (no
    resolution for a Python nobody tested), ``make`` refuses any other Python and
    ``.ci/run`` tests the range's two ends, not the machine's newest."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        spec = tomllib.load(f)["project"]["requires-python"]
    from packaging.specifiers import SpecifierSet

    supported = SpecifierSet(spec)
    assert "3.11" in supported and "3.13" in supported
    assert "3.14" not in supported, f"requires-python {spec!r} admits untested Pythons"
    with (ROOT / "uv.lock").open("rb") as f:
        uv = tomllib.load(f)
    assert SpecifierSet(uv["requires-python"]) == supported
    markers = " ".join(uv.get("resolution-markers", []))
    assert not re.search(r"python_full_version >= '3\.1[4-9]", markers), markers
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "(3, 11) <= v < (3, 14)" in makefile
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "requires-python" in ci and 'find_python "$NEWEST_VERSION"' in ci
    assert "newest_python" not in ci
    # each end at one exact patch release (.python-version), found as such, never
    # "the newest patch the machine has"
    pinned = (ROOT / ".python-version").read_text(encoding="utf-8").split()
    assert len(pinned) == 2 and all(re.fullmatch(r"3\.\d+\.\d+", v) for v in pinned), pinned
    assert sorted(v.rsplit(".", 1)[0] for v in pinned) == ["3.11", "3.13"]
    assert '".python-version"' in ci and "platform.python_version()" in ci
    assert "sort -V" not in ci


def test_lock_inputs_are_exact_pins_of_their_locks() -> None:
    """What ``make lock`` compiles from (``requirements/*.in``) asks for exact versions,
    the ones its lock holds: re-locking on a fresh machine resolves the same, not the
    newest release of medallion, clkhash, anonlink, setuptools, pip or uv."""
    locks = {
        "medallion": "medallion.txt",
        "clkhash": "clkhash.txt",
        "build": "build.txt",
        "pip": "pip.txt",
        "uv": "uv.txt",
    }
    for side, lock in locks.items():
        pins = _hashed_pins(ROOT / "requirements" / lock)
        lines = (ROOT / "requirements" / f"{side}.in").read_text(encoding="utf-8").splitlines()
        wanted = [Requirement(ln) for ln in lines if ln.strip() and not ln.startswith("#")]
        assert wanted, side
        for req in wanted:
            spec = [(s.operator, s.version) for s in req.specifier]
            name = canonicalize_name(req.name)
            assert spec == [("==", pins.get(name))], f"{side}.in: {req} (locked {pins.get(name)})"


def _requirements_txt_by_python(python: str) -> dict[str, str]:
    """requirements.txt's pins as a given Python (``3.11``) would install them."""
    env = {"python_version": python, "python_full_version": f"{python}.0"}
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if not _PIN.match(line):
            continue
        req = Requirement(line.rstrip(" \\"))
        if req.marker is None or req.marker.evaluate(env):
            pins[canonicalize_name(req.name)] = str(req.specifier).removeprefix("==")
    return pins


def test_declared_dependencies_are_exact_pins_of_the_lock() -> None:
    """A plain ``pip install .`` (or ``.[dev]``) on a fresh machine gets the tested
    versions too, not the newest its ranges would admit: every dependency in
    pyproject.toml is one exact pin, the version requirements.txt locks for each
    supported Python, and pyproject.toml pins every package of that resolution (the
    dependencies' dependencies too)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [Requirement(r) for r in project["dependencies"]]
    declared += [
        Requirement(r) for extra in project["optional-dependencies"].values() for r in extra
    ]
    ranges = [
        str(r)
        for r in declared
        if len(r.specifier) != 1 or next(iter(r.specifier)).operator != "=="
    ]
    assert ranges == []
    for python in ("3.11", "3.13"):
        env = {"python_version": python, "python_full_version": f"{python}.0"}
        locked = _requirements_txt_by_python(python)
        wanted = {
            canonicalize_name(r.name): next(iter(r.specifier)).version
            for r in declared
            if r.marker is None or r.marker.evaluate(env)
        }
        differ = {n: (v, locked.get(n)) for n, v in wanted.items() if locked.get(n) != v}
        assert differ == {}, python
        # the whole resolution, not only the direct dependencies: a plain pip install
        # resolves no transitive dependency to a newer, untested version either
        assert sorted(set(locked) - set(wanted)) == [], python


def test_this_environment_is_exactly_the_lock() -> None:
    """What a fresh machine got is what was tested: the environment these tests run in
    (built by ``make`` from the lock on this machine) holds every package
    requirements.txt locks for this Python, at that version, and nothing else — pip
    from requirements/pip.txt and the project itself aside. Run by ``make test`` on
    both supported Pythons, so a lock that let anything resolve to a newer release
    (or a package installed by hand) fails CI."""
    import platform
    import sys
    from importlib.metadata import distributions

    from packaging.markers import default_environment

    env = default_environment()
    assert env["python_full_version"] == platform.python_version()
    locked: dict[str, str] = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if _PIN.match(line):
            req = Requirement(line.rstrip(" \\"))
            if req.marker is None or req.marker.evaluate():
                locked[canonicalize_name(req.name)] = str(req.specifier).removeprefix("==")
    locked["pip"] = _hashed_pins(ROOT / "requirements" / "pip.txt")["pip"]
    installed = {
        canonicalize_name(d.metadata["Name"]): d.version
        for d in distributions(path=[p for p in sys.path if p.endswith("site-packages")])
    }
    installed.pop("liaison", None)
    assert {n: v for n, v in installed.items() if locked.get(n) != v} == {}, "not the lock"
    assert sorted(set(locked) - set(installed)) == [], "locked but not installed"
