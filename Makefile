# Prêt à dépenser credit scoring: every set-up step lives here, so that `make run` and `make test`
# work on a fresh machine. Stamps under .make-stamps/ make each step run once, and again only when
# what it installs from changes.

PYTHON ?= python3
VENV := .venv
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
STAMPS := .make-stamps
BUNDLE := model_artifacts/default
PORT ?= 8000
PYTEST_ARGS ?=

# sam never needs credentials here, but it needs a region; telemetry would try the network.
export AWS_DEFAULT_REGION ?= eu-west-3
export SAM_CLI_TELEMETRY := 0

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup run test lint format bundle bench clean

help:
	@echo "make run     serve the API and the dashboard on http://127.0.0.1:$(PORT) from $(BUNDLE)"
	@echo "make test    lint and run every test (sets up everything it needs first)"
	@echo "make bundle  regenerate the default bundle from synthetic clients (reproducible)"
	@echo "make bench   run every benchmark script (figures for docs/benchmarks.md)"
	@echo "make fuzz    schemathesis on every operation with random cases (FUZZ_EXAMPLES per operation)"
	@echo "make sam-validate | sam-build | sizes | invoke EVENT=events/<file>.json"

$(STAMPS):
	mkdir -p $@

# The project and all its extras, at the versions recorded in constraints.txt.
$(STAMPS)/venv: pyproject.toml constraints.txt | $(STAMPS)
	[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# aws-sam-cli pins its own versions of boto3, pydantic and Flask: it gets a virtualenv of its own.
$(STAMPS)/sam: | $(STAMPS)
	[ -x $(SAM) ] || { $(PYTHON) -m venv $(SAM_VENV) && $(SAM_VENV)/bin/pip install --quiet 'aws-sam-cli==1.170.0'; }
	touch $@

# Debian's Chromium for the dashboard's browser tests (playwright drives it; no browser download).
$(STAMPS)/chromium: | $(STAMPS)
	[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }
	touch $@

# axe-core from npm at the version package-lock.json pins (and its integrity hash), for the dashboard's
# accessibility test; npm comes from Debian when the machine has none.
$(STAMPS)/npm: package.json package-lock.json | $(STAMPS)
	command -v npm >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

setup: $(STAMPS)/venv $(STAMPS)/sam $(STAMPS)/chromium $(STAMPS)/npm

# GET /model-health reads MONITORING_SUMMARY_DIR: `credit-scoring monitor --summary-dir build/monitoring`
# fills it (docs/operations.md); without summaries it answers that there is no monitoring data yet.
MONITORING_SUMMARY_DIR ?= build/monitoring

run: $(STAMPS)/venv
	MONITORING_SUMMARY_DIR=$(MONITORING_SUMMARY_DIR) \
		$(VENV)/bin/credit-scoring serve --bundle $(BUNDLE) --host 127.0.0.1 --port $(PORT)

lint: $(STAMPS)/venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMPS)/venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: setup lint
	$(VENV)/bin/pytest -n 2 --durations=15 $(PYTEST_ARGS)

# The default bundle: 20,000 synthetic clients, quick search, fixed seed. Trained beside the target
# and swapped in only when complete, so a failed run leaves the committed bundle as it was.
bundle: $(STAMPS)/venv
	rm -rf build/synthetic-default
	$(VENV)/bin/credit-scoring synth --clients 20000 --seed 42 --out build/synthetic-default
	$(VENV)/bin/credit-scoring train --data build/synthetic-default --out $(BUNDLE) --overwrite \
		--search quick --seed 42 --store-clients 2000

bench: $(STAMPS)/venv
	for script in bench/bench_*.py; do $(VENV)/bin/python $$script || exit 1; done

clean:
	rm -rf build .aws-sam test-artifacts .pytest_cache .ruff_cache

-include mk/*.mk
