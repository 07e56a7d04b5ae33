# The commands a newcomer types. `make run` then `make test` on a machine with only python3.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export GX_ANALYTICS_ENABLED := false

.PHONY: install run test faults distributed lint ui bench browser services docs clean

# uv resolves the pinned set in seconds; plain pip is the fallback if uv cannot be installed.
# --compile-bytecode (pip's default, not uv's): the .pyc files are written once here, because
# with PYTHONDONTWRITEBYTECODE set (as on CI machines) every process would otherwise compile
# Dagster, GX and their dependencies from source at each start (measured: `import
# great_expectations` 7.8 s -> 4.3 s, the definitions 4.1 s -> 2.8 s).
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "uv==0.13.8" \
	  && $(BIN)/uv pip install -q --compile-bytecode -p $(BIN)/python -c constraints.txt -e '.[dev]' \
	  || $(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(BIN)/python scripts/venv_dagster_home.py
	touch $@

# geopolrisk-py 2.0.1, the GeoPolRisk reference the tests compare the mart with, in a venv of its
# own: it requires pandas <= 2.3.3 and Python 3.10-3.11 (the warehouse runs pandas 3); uv finds
# (or fetches) a Python 3.11 for it. See tests/support/geopolrisk-requirements.txt.
GPR_VENV := $(VENV)/geopolrisk
GPR_REQUIREMENTS := tests/support/geopolrisk-requirements.txt
$(GPR_VENV)/.installed: $(GPR_REQUIREMENTS) $(VENV)/.installed
	test -x $(GPR_VENV)/bin/python || $(BIN)/uv venv -q -p 3.11 $(GPR_VENV) \
	  || $(PYTHON) -m venv $(GPR_VENV)
	$(BIN)/uv pip install -q --compile-bytecode -p $(GPR_VENV)/bin/python -r $(GPR_REQUIREMENTS) \
	  || $(GPR_VENV)/bin/python -m pip install -q --disable-pip-version-check -r $(GPR_REQUIREMENTS)
	touch $@

install: $(VENV)/.installed $(GPR_VENV)/.installed

run: install
	$(BIN)/minerals refresh

# On every core (pytest-xdist), tests grouped by module so that a module's fixtures are built
# once, the slow modules handed out first (tests/conftest.py::SLOW_FIRST); the workers share one
# session build of the snapshot (tests/conftest.py::published_snapshot)
test: install
	$(BIN)/python -m pytest -q -n auto --dist loadscope --no-loadscope-reorder

# Every fault (docs/faults.md): bad inputs, live-server faults, kill -9, concurrent refreshes, a
# full disk, the distributed path, the 20-refresh soak; part of make test too
faults: install
	$(BIN)/python -m pytest -q -n auto --dist loadscope --no-loadscope-reorder -m faults

# Two Celery workers, Redis and Postgres run a three-year backfill (1.5-2 minutes; part of make
# test, skipped when the servers are missing: make services)
distributed: install
	$(BIN)/python -m pytest -q -m distributed

lint: install
	$(BIN)/ruff check pipelines tests benchmarks
	$(BIN)/ruff format --check pipelines tests benchmarks

# Ctrl-C / SIGTERM stop dagster dev, which stops its webserver and daemon with SIGINT. Started
# as a background job (`make ui &` from a script) every process inherits SIGINT *ignored* and
# that shutdown hangs, so SIGINT is reset to its default before exec. Schedules and the sensor:
# see "Schedules" in docs/operations.md.
UI_PORT ?= 3000
ui: install
	exec $(BIN)/python -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); \
	  os.execv(sys.argv[1], sys.argv[1:])' \
	  $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $(UI_PORT)

bench: install
	$(BIN)/python benchmarks/refresh_speed.py

# Debian's Chromium for the dashboard test (needs root; a test tool's own browser download
# cannot work here, so Playwright drives /usr/bin/chromium).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# Debian's Redis and Postgres servers for the Celery/Postgres test (tests/distributed/; needs
# root). The test starts its own servers on loopback and stops them; none runs as a service.
services:
	@{ command -v redis-server && ls /usr/lib/postgresql/*/bin/pg_ctl; } >/dev/null 2>&1 \
	  || { apt-get update -qq && apt-get install -y -qq redis-server postgresql >/dev/null; }

# Regenerate the data dictionary from the published warehouse (after make run).
docs: install
	$(BIN)/python scripts/gen_data_dictionary.py docs/data-dictionary.md
	$(BIN)/python scripts/gen_expectations.py

clean:
	rm -rf warehouse .dagster/storage .dagster/logs .dagster/history .pytest_cache
