# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB ?= data/xiuzhou.duckdb
PORT ?= 8501
export XZ_DB := $(DB)

.PHONY: run test check lint format bench demo system-deps clean

run: $(VENV)/.runtime system-deps | $(DB)
	$(PY) -m streamlit run dashboard.py --server.port $(PORT)

test: $(VENV)/.dev system-deps
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-logo  # the layers of pyproject.toml
	$(PY) -m pytest -n 2 --durations=15

check: test

format: $(VENV)/.dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

lint: $(VENV)/.dev
	$(PY) -m ruff check .

bench: $(VENV)/.dev
	$(PY) -m bench.run
	$(PY) -m bench.ingest
	$(PY) -m bench.browser
	$(PY) -m bench.report
	$(PY) -m bench.cycle
	$(PY) -m bench.nodes
	$(PY) -m bench.problems
	$(PY) -m bench.load $(BENCH_LOAD)
	$(PY) -m bench.store

demo: $(VENV)/.runtime
	$(PY) -m xzcore --db $(DB) demo

# The demo database is built only when missing: it may hold uploaded figures by now.
$(DB): | $(VENV)/.runtime
	$(PY) -m xzcore --db $(DB) demo

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Debian's Chromium (browser tests, chart images through kaleido; never a downloaded browser),
# CJK fonts, Pango for WeasyPrint's PDF and poppler-utils (pdftotext/pdftoppm) for the report tests.
# PostgreSQL: the tests start a throwaway server of their own (tests/pgserver.py), never the system one.
APT_DEPS := chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 poppler-utils postgresql
system-deps:
	@dpkg -s $(APT_DEPS) >/dev/null 2>&1 || { \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_DEPS) && \
		{ service postgresql stop >/dev/null 2>&1 || true; }; }  # the package's own cluster: not ours

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(DB)
