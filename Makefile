# storeops — the README's commands. Each target bootstraps .venv on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench install clean-venv

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# xstatic-bootstrap ships only an sdist whose setup.py needs pkg_resources (setuptools < 81)
	$(BIN)/pip install -q "setuptools>=69,<81" wheel
	$(BIN)/pip install -q --no-build-isolation "xstatic-bootstrap>=5.3"
	$(BIN)/pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/storeops i18n-compile

run: install
	STOREOPS_HTTPS=0 $(BIN)/storeops migrate --noinput -v0
	STOREOPS_HTTPS=0 $(BIN)/storeops collectstatic --noinput -v0
	STOREOPS_HTTPS=0 $(BIN)/storeops seed-demo --only-if-empty
	STOREOPS_HTTPS=0 exec $(BIN)/storeops serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -n 2 --dist loadfile
	@if [ -n "$$STOREOPS_TEST_DATABASE_URL" ]; then \
	  echo "== PostgreSQL run: $$STOREOPS_TEST_DATABASE_URL"; \
	  STOREOPS_TEST_ON_POSTGRES=1 $(BIN)/pytest -n 2 --dist loadfile -m "not browser"; \
	fi

bench: install
	mkdir -p var/bench
	set -eo pipefail; for f in bench/bench_*.py; do $(BIN)/python $$f | tee var/bench/$$(basename $$f .py).json; done

clean-venv:
	rm -rf $(VENV)
