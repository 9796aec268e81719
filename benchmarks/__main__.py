"""Run the benchmarks and print their figures.

``python -m benchmarks`` runs them all; ``python -m benchmarks ingest query``
runs some; ``--quick`` shrinks the sizes for a smoke run.
"""

from __future__ import annotations

import importlib
import sys
import time

ALL = ("crypto", "ingest", "query", "assess", "exchange", "cli", "linkage")


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    names = [a for a in argv if not a.startswith("-")] or list(ALL)
    for name in names:
        if name not in ALL:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(ALL)}")
    for name in names:
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
        except ModuleNotFoundError as exc:
            print(f"== {name}: not available ({exc})")
            continue
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        module.main(["--quick"] if quick else [])
        print(f"   ({name} took {time.perf_counter() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
