# dxmatch: `make run` starts the service with demo data, `make test` runs every test,
# `make bench` measures matching quality, speed and the served site under load.
SHELL := /bin/bash

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.dxmatch-installed
PORT ?= 5000
HOST ?= 127.0.0.1
TEST_PG_URL ?= postgresql+psycopg://root@127.0.0.1:5432/test
PYTEST_ARGS ?=
CATALOG := web/translations
MO := $(CATALOG)/ko/LC_MESSAGES/messages.mo
# Besides Babel's defaults (_, gettext, ngettext, pgettext, N_ ...); tests/unit/test_translation_catalog.py uses the same.
BABEL_KEYWORDS := -k _l -k lazy_gettext

.PHONY: install run test test-sqlite test-postgres services browser bench clean translations

install: $(STAMP) $(MO)

# torch goes in first and exactly pinned: the CPU wheel 2.13.0 satisfies every later
# requirement, so nothing resolves to a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[test]'
	touch $@

# The .po is the source of every Korean text; the .mo is built from it, never committed.
$(MO): $(CATALOG)/ko/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel compile -d $(CATALOG) -l ko

# After changing user-facing text: collect every msgid (web and services), merge it into the .po,
# compile. Then translate the new empty or fuzzy entries in the .po and run it again.
translations: install
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --project dxmatch --no-location --sort-output \
		-o $(CATALOG)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOG)/messages.pot -d $(CATALOG) -l ko --ignore-obsolete -w 120
	$(BIN)/pybabel compile -d $(CATALOG) -l ko

run: install
	$(BIN)/dxmatch secret-key
	$(BIN)/dxmatch db upgrade
	$(BIN)/dxmatch seed-demo --if-empty
	$(BIN)/dxmatch serve --host $(HOST) --port $(PORT)

browser:
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium fonts-noto-cjk)

services:
	pg_isready -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
	redis-cli ping || redis-server --daemonize yes --port 6379 --save ""
	for i in $$(seq 1 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 1; done

# The whole suite twice: on a temporary SQLite file, then on PostgreSQL.
# Both passes always run; the target fails if either failed.
test: install browser services
	status=0; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-postgres || status=1; \
	exit $$status

test-sqlite:
	env -u DXMATCH_DATABASE_URL DXMATCH_NO_SKIPS=1 $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	DXMATCH_DATABASE_URL=$(TEST_PG_URL) DXMATCH_NO_SKIPS=1 $(BIN)/pytest $(PYTEST_ARGS)

bench: install services
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks load

clean:
	rm -rf build *.egg-info .pytest_cache test-artifacts
