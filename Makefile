# city-outcomes: `make run` sets up and runs the demo city end to end; `make test` runs the tests.
# Only python3 (>= 3.11), make and the package registries are assumed.

PYTHON ?= python3
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.8
BIN := $(VENV)/bin
export DAGSTER_HOME := $(CURDIR)/.dagster_home
# Nothing reaches the network at run time: no telemetry from Dagster, no Python downloads by uv.
export DAGSTER_DISABLE_TELEMETRY := true
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint dev setup browser validate demo contracts clean FORCE

run: $(VENV)/.synced $(DAGSTER_HOME)/dagster.yaml ## Set up, run the whole pipeline on the demo city, publish the dashboard
	$(BIN)/city-outcomes run

test: browser $(VENV)/.synced $(DAGSTER_HOME)/dagster.yaml ## Lint, then run the test suite
	$(BIN)/ruff check .
	$(BIN)/pytest -n auto --dist loadgroup

lint: $(VENV)/.synced ## Check the code with ruff
	$(BIN)/ruff check .

contracts: $(VENV)/.synced ## Regenerate docs/contracts/ from the contracts
	$(BIN)/city-outcomes contract --all --out docs/contracts

dev: $(VENV)/.synced $(DAGSTER_HOME)/dagster.yaml ## Start the Dagster UI on http://127.0.0.1:3000
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

validate: $(VENV)/.synced $(DAGSTER_HOME)/dagster.yaml ## Check that the code location loads
	$(BIN)/dagster definitions validate -w workspace.yaml

demo: $(VENV)/.synced ## (Re)generate the demo city's feed files
	$(BIN)/city-outcomes demo

setup: $(VENV)/.synced

# uv itself comes from PyPI into a small tools venv; the project venv is synced from uv.lock
# with the system interpreter. The stamp makes a second `make run` skip this step. Bytecode is
# compiled once at install: where PYTHONDONTWRITEBYTECODE is set (as on CI machines), every process
# would otherwise recompile Dagster from source (about 5 s of CPU per `city-outcomes` command).
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

# Dagster's instance settings from pipelines/dagster.yaml (no telemetry, one run at a time per warehouse,
# run monitoring), the same the CLI writes; an existing file from an older checkout gains what it lacks.
# Checked on every target that needs it (FORCE): it takes a fraction of a second and changes nothing when current.
$(DAGSTER_HOME)/dagster.yaml: $(VENV)/.synced FORCE
	$(BIN)/python -m pipelines.instance_settings $(DAGSTER_HOME)

FORCE:

# Debian's Chromium for the browser test (CI installs it; never Playwright's own download).
# Debian's Chromium (never Playwright's own download) and axe-core from the npm registry, pinned by
# tests/browser/package-lock.json: the browser test injects it into each page; it is never part of the site.
browser:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	test -f tests/browser/node_modules/axe-core/axe.min.js || npm ci --prefix tests/browser --no-audit --no-fund

clean: ## Remove generated data, the warehouse, the site and the Dagster instance
	rm -rf data site .site-releases $(DAGSTER_HOME)
