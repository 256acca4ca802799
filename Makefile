# Two commands: `make run` (set up, build the database if missing or changed, start fmtr) and
# `make test` (set up, then ruff, mypy and every test). Everything installs from here.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The corpus: $FMTR_CORPUS, else ../shared/fmtr-corpus when it exists.
FMTR_CORPUS ?= $(wildcard $(abspath ../shared/fmtr-corpus))
export FMTR_CORPUS
# The funding data (the Greenbook workbook): $FMTR_FUNDING, else ../shared/fmtr-funding when it
# exists. Passed to `fmtr build` as --funding, not exported: the tests' builds of small made-up
# corpora must not load the real workbook behind their back.
FMTR_FUNDING ?= $(wildcard $(abspath ../shared/fmtr-funding))
FMTR_DB ?= data/fmtr.sqlite
export FMTR_DB

.PHONY: run test build lint typecheck pytest bench system-deps clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Debian packages the tests and benchmarks use: poppler-utils (pdftohtml, the build benchmark's
# anchor), chromium (the browser tests, driven by Playwright through its executable path), wrk
# (the load generator of bench/serve.py) and postgresql (the server tests/postgres starts in a
# temporary folder of its own; Debian keeps initdb out of the PATH, in
# /usr/lib/postgresql/VERSION/bin, where tests/postgres_kit.py looks for it).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
DEBIAN_PACKAGES := poppler-utils:pdftohtml chromium:chromium wrk:wrk
system-deps:
	@missing=""; for pair in $(DEBIAN_PACKAGES); do \
	  command -v "$${pair#*:}" >/dev/null 2>&1 || missing="$$missing $${pair%%:*}"; done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
	  || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

build: $(BIN)/.installed
	@test -n "$(FMTR_CORPUS)" || { echo "no corpus: set FMTR_CORPUS or run '$(BIN)/fmtr fetch --dest corpus' and FMTR_CORPUS=corpus"; exit 2; }
	$(BIN)/fmtr build --corpus "$(FMTR_CORPUS)" $(if $(FMTR_FUNDING),--funding "$(FMTR_FUNDING)") --db "$(FMTR_DB)"

# `make run`: build (first time, or when the corpus changed), then serve the explorer.
run: build
	$(BIN)/fmtr serve --db "$(FMTR_DB)" --corpus "$(FMTR_CORPUS)"

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(BIN)/.installed
	$(BIN)/mypy

pytest: $(BIN)/.installed system-deps
	$(BIN)/pytest

test: lint typecheck pytest

bench: $(BIN)/.installed system-deps
	$(BIN)/python bench/build.py --corpus "$(FMTR_CORPUS)"
	$(BIN)/python bench/query.py --db "$(FMTR_DB)"
	$(BIN)/python bench/serve.py --db "$(FMTR_DB)"
	$(if $(FMTR_FUNDING),$(BIN)/python bench/greenbook_reader.py --funding "$(FMTR_FUNDING)")

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
