# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint format bench validate clean lock real-case soak

LOCK   := requirements.txt
BUILD  := requirements/build.txt
PIP    := requirements/pip.txt

# The environment is installed from the lock file only: exact versions, checked hashes.
# The installer itself comes first from its own hashed lock (requirements/pip.txt), so
# every machine and Python installs with the same pip, not whichever one venv bundles.
# The few packages published only as source (cpe, weakrefmethod) are built with the
# locked setuptools (requirements/build.txt, installed first, --no-build-isolation):
# with build isolation pip would fetch the newest setuptools to build them.
$(STAMP): pyproject.toml $(LOCK) $(BUILD) $(PIP)
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v < (3, 14) else "liaison supports Python 3.11 to 3.13 (what its lock file covers and CI tests), not %d.%d" % v)'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(PIP)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(BUILD)
	$(BIN)/python -m pip install --quiet --require-hashes --no-build-isolation -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Refresh the lock file (after changing dependencies in pyproject.toml), for every
# supported Python at once, in both formats: requirements.txt (what make installs) and
# its twins pylock.toml (PEP 751) and uv.lock (for tools that read those formats);
# and the locks of the two side environments, requirements/medallion.txt (interop
# tests) and requirements/clkhash.txt (linkage benchmark baseline).
# Needs the package index, nothing installed by hand; uv itself comes from its own
# hashed lock (requirements/uv.txt; change its version in requirements/uv.in).
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(PIP)
	.venv-lock/bin/python -m pip install --quiet --require-hashes -r requirements/uv.txt
	.venv-lock/bin/uv pip compile pyproject.toml requirements/build.in --extra dev \
		--universal --python-version 3.11 --generate-hashes --quiet -o $(LOCK)
	.venv-lock/bin/uv pip compile pyproject.toml requirements/build.in --extra dev \
		--universal --python-version 3.11 --generate-hashes --quiet --format pylock.toml -o pylock.toml
	.venv-lock/bin/uv lock --python 3.11 --quiet
	.venv-lock/bin/uv pip compile requirements/build.in -c $(LOCK) --universal --python-version 3.11 \
		--generate-hashes --quiet -o $(BUILD)
	for side in medallion clkhash uv pip; do \
		.venv-lock/bin/uv pip compile requirements/$$side.in --universal --python-version 3.11 \
			--generate-hashes --quiet -o requirements/$$side.txt || exit 1; \
	done
	rm -rf .venv-lock

demo: $(STAMP)
	$(BIN)/python -m liaison.demo ./demo-node

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

# The long fault-and-load run: tests/faults at full size (SIGKILLs at random moments,
# more rounds, a writer holding the store 10 s, eight partners paging). Bounded
# parts of the same suite run in `make test`.
soak: $(STAMP)
	LIAISON_SOAK=1 $(BIN)/python -m pytest tests/faults -n 2 -p no:randomly -q --durations=0

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The targeting share on the Islamic State, 2015–2016, from the shared open data
# (docs/real-case.md); offline, a few minutes. DATA: the shared data folder.
DATA ?= ../shared/data
real-case: $(STAMP)
	$(BIN)/python -m liaison.data.realcase --data $(DATA) --out real-case

validate: $(STAMP)
	$(BIN)/python -m liaison.assess.validate --scenarios 20 --jobs 2

clean:
	rm -rf $(VENV) demo-node real-case .pytest_cache .mypy_cache .ruff_cache
