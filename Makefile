# promcluster — the two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/promcluster/web/static/vendor

.PHONY: install assets db run test lint bench screenshots clean

install: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

assets: $(VENDOR)/.installed

$(VENDOR)/.installed: package.json package-lock.json $(VENV)/.installed
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m promcluster.web.assets > /dev/null
	touch $@

db: install
	$(BIN)/promcluster db upgrade
	$(BIN)/promcluster load reference
	$(BIN)/promcluster load demo

# A random key signing session cookies, made once and never overwritten (see docs/SECURITY.md).
var/secret_key: | $(VENV)/.installed
	mkdir -p var
	umask 077 && set -o noclobber && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))' > $@
	chmod 600 $@

run: db var/secret_key
	PROMCLUSTER_SECRET_KEY_FILE=var/secret_key $(BIN)/promcluster serve

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# bench_load.py runs short here (--quick); it needs wrk and nginx (apt-get install wrk nginx) and
# PostgreSQL (its --database-url); docs/BENCHMARKS.md, "Load (issue 18)", has the full command.
bench: install
	@for b in benchmarks/bench_*.py; do [ -e "$$b" ] || continue; echo "== $$b"; \
		case "$$b" in *bench_load.py) args=--quick;; *) args=;; esac; $(BIN)/python "$$b" $$args; done

# Refresh docs/screenshots/ (make test writes its screenshots to test-artifacts/ only).
screenshots: install
	PROMCLUSTER_DOCS_SCREENSHOTS=1 $(BIN)/pytest -q -m browser tests/browser

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .ruff_cache test-artifacts
