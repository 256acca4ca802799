# Two commands: `make run` (set up, build the database if missing or changed, start fmtr) and
# `make test` (set up, then ruff, mypy, every test and the wheel check). Everything installs
# from here, in the versions of requirements.lock (the tested set; `make lock` renews it).

# `make test PYTHON=python3.13` runs everything on another interpreter, in a venv of its own
# (.venv-3.13), so that the default .venv stays as it is.
PYTHON ?= python3
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
ifeq ($(origin PYTHON),file)
VENV := .venv
else
VENV := .venv-$(PYVER)
endif
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

.PHONY: run test build lint typecheck pytest wheel-check test-lowest lock bench system-deps clean

# Exactly the locked versions (hash-checked), then fmtr itself on top without resolving again;
# `pip check` fails when pyproject.toml asks for what the lock lacks (run `make lock`, which
# needs only the first step, so that it works then too).
# (A venv made before the distribution was renamed fmtr-db still has the old `fmtr`: it goes.)
$(BIN)/.locked: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(BIN)/.installed: $(BIN)/.locked pyproject.toml src/fmtr/__init__.py
	$(BIN)/python -m pip uninstall --quiet --yes fmtr 2>/dev/null || true
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $@

# The lock: every dependency of fmtr and its dev extras, for Python 3.11+ on every platform,
# with the hashes of every file. After a change of dependencies in pyproject.toml. Not pip
# itself (datasette asks for it): a pip that replaces itself in the middle of an install fails.
lock: $(BIN)/.locked
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --no-emit-package pip --custom-compile-command 'make lock' --quiet \
	  -o requirements.lock

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

# Also as on Windows: the package must import there (no fcntl, no SO_REUSEPORT).
typecheck: $(BIN)/.installed
	$(BIN)/mypy
	$(BIN)/mypy --platform win32 --cache-dir .mypy_cache/win32

# PYTEST_ARGS: e.g. the files to leave out (.ci/run, on its second Python).
pytest: $(BIN)/.installed system-deps
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest wheel-check

# The wheel check: an sdist built from the tree, a wheel built from that sdist, installed in a
# fresh venv with the lock's versions of fmtr's own dependencies (no dev tools), then run by
# tests/wheel_check.py. WHEEL_PYTHON chooses the venv's interpreter (.ci/run: also 3.13); uv
# and its cache keep it to seconds.
WHEEL_PYTHON ?= $(PYTHON)
WHEEL_DIR := build/wheel-check
wheel-check: $(BIN)/.installed
	@rm -rf $(WHEEL_DIR) && mkdir -p $(WHEEL_DIR)
	@$(BIN)/python -m build --installer uv --outdir $(WHEEL_DIR)/dist . \
	  >$(WHEEL_DIR)/build.log 2>&1 || { cat $(WHEEL_DIR)/build.log; exit 1; }
	@$(BIN)/uv venv --quiet --python $(WHEEL_PYTHON) $(WHEEL_DIR)/venv
	@$(BIN)/uv pip install --quiet --python $(WHEEL_DIR)/venv -c requirements.lock \
	  $(WHEEL_DIR)/dist/*.whl
	$(WHEEL_DIR)/venv/bin/python tests/wheel_check.py $(WHEEL_DIR)/dist $(WHEEL_DIR)

# The lower bounds of pyproject.toml, tested: every dependency of fmtr at the lowest version
# its range allows (the test tools at the lock's), in .venv-lowest, then the whole suite.
# Warnings are shown, not errors, there: old releases beside new ones deprecate each other.
space := $(subst ,, )
# fmtr's own dependencies (the versions shown) and the test tools (taken from the lock).
DEPENDENCIES := pypdfium2 selectolax sqlalchemy alembic typer rich httpx pycountry rapidfuzz \
  python-calamine fastapi uvicorn jinja2 platformdirs pyarrow xlsxwriter swagger-ui-bundle-v2 \
  numpy
TEST_TOOLS := pytest hypothesis playwright schemathesis frictionless datasette pyyaml openpyxl \
  axe-playwright-python
test-lowest: $(BIN)/.installed system-deps
	rm -rf .venv-lowest
	$(BIN)/uv venv --quiet --python $(PYTHON) .venv-lowest
	grep -E '^($(subst $(space),|,$(TEST_TOOLS)))==' requirements.lock | cut -d' ' -f1 \
	  >.venv-lowest/tools.txt
	$(BIN)/uv pip compile --quiet pyproject.toml .venv-lowest/tools.txt --extra parquet \
	  --extra xlsx --resolution lowest-direct --python .venv-lowest/bin/python \
	  -o .venv-lowest/lowest.txt
	$(BIN)/uv pip install --quiet --python .venv-lowest -r .venv-lowest/lowest.txt
	$(BIN)/uv pip install --quiet --python .venv-lowest --no-deps -e .
	grep -E '^($(subst $(space),|,$(DEPENDENCIES)))==' .venv-lowest/lowest.txt
	.venv-lowest/bin/python -m pytest -W default

bench: $(BIN)/.installed system-deps
	$(BIN)/python bench/build.py --corpus "$(FMTR_CORPUS)"
	$(BIN)/python bench/query.py --db "$(FMTR_DB)"
	$(BIN)/python bench/serve.py --db "$(FMTR_DB)"
	$(if $(FMTR_FUNDING),$(BIN)/python bench/greenbook_reader.py --funding "$(FMTR_FUNDING)")

clean:
	rm -rf $(VENV) .venv-* build data .pytest_cache .mypy_cache .ruff_cache
