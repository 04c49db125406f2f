# The two commands of the README, and a few helpers.
# Everything runs from a virtual environment in .venv, made from requirements.txt.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements
HOST ?= 127.0.0.1
PORT ?= 8000
# Test runner options, e.g. make test PYTEST_ARGS="-k deadline -x"
PYTEST_ARGS ?=
# Parallel test processes (pytest-xdist); each gets its own test database.
TEST_WORKERS ?= 2

CHROMIUM := /usr/bin/chromium
# The accessibility checks (tests/browser/test_accessibility.py) run axe-core, from the npm
# registry, pinned in tests/browser/package-lock.json and installed by npm ci.
NPM := /usr/bin/npm
AXE := tests/browser/node_modules/axe-core/axe.min.js
# The Redis backend's test starts Debian's redis-server itself (tests/notifications/test_rq_backend.py).
REDIS_SERVER := /usr/bin/redis-server
# Translations: locale/<language>/LC_MESSAGES/*.po, compiled on install into .mo files
# (not committed) by compilemessages, which needs Debian's gettext (msgfmt).
MSGFMT := /usr/bin/msgfmt
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

# The task worker that make run starts beside the server, for the TASKS_BACKEND in use.
ifeq ($(TASKS_BACKEND),rq)
WORKER ?= rqworker --with-scheduler --job-class django_tasks_rq.Job default
else ifeq ($(TASKS_BACKEND),immediate)
WORKER ?=
else
WORKER ?= db_worker
endif

.PHONY: install gettext messages browser axe redis postgresql-server run test lint format migrate demo bench loadtest cluster-test clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

install: $(STAMP) $(MO_FILES)

# A language's catalogues, compiled again when its .po file changed.
locale/%.mo: locale/%.po $(STAMP) | $(MSGFMT)
	$(BIN)/python manage.py compilemessages --ignore=.venv --locale=$(word 2,$(subst /, ,$@))

$(MSGFMT):
	@if [ "$$(id -u)" != 0 ]; then echo "Translations need Debian's gettext: run 'sudo apt-get install gettext' once." >&2; exit 1; fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null

gettext: $(MSGFMT)

## make messages: refresh the French and Arabic catalogues from the strings marked in the code
messages: $(STAMP) | $(MSGFMT)
	$(BIN)/python manage.py makemessages -l fr -l ar --ignore=.venv --ignore=benchmarks --ignore=tests --ignore=staticfiles --ignore=test-artifacts

# Browser tests drive Debian's Chromium through Playwright (never
# `playwright install`). Installed here when missing: this machine runs as root.
$(CHROMIUM):
	@if [ "$$(id -u)" != 0 ]; then echo "Browser tests need Debian's chromium: run 'sudo apt-get install chromium' once." >&2; exit 1; fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

browser: $(CHROMIUM)

$(NPM):
	@if [ "$$(id -u)" != 0 ]; then echo "The accessibility tests need Debian's npm: run 'sudo apt-get install nodejs npm' once." >&2; exit 1; fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null

# Installed again when the lock file changes (touch: npm ci keeps the package's own date).
$(AXE): tests/browser/package.json tests/browser/package-lock.json | $(NPM)
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $(AXE)

axe: $(AXE)

$(REDIS_SERVER):
	@if [ "$$(id -u)" != 0 ]; then echo "The Redis backend's test needs Debian's redis-server: run 'sudo apt-get install redis-server' once." >&2; exit 1; fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null

redis: $(REDIS_SERVER)

# make cluster-test: Debian's nginx and PostgreSQL server too, installed when missing.
NGINX := /usr/sbin/nginx

$(NGINX):
	@if [ "$$(id -u)" != 0 ]; then echo "make cluster-test needs Debian's nginx: run 'sudo apt-get install nginx' once." >&2; exit 1; fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null

postgresql-server:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	    if [ "$$(id -u)" != 0 ]; then echo "make cluster-test needs Debian's postgresql: run 'sudo apt-get install postgresql' once." >&2; exit 1; fi; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

## make run: install, migrate SQLite, load the demo, serve on 127.0.0.1:8000 with the task worker
# The worker runs in the background and is stopped when the server stops (Ctrl-C).
run: demo
	@if [ -n "$(WORKER)" ]; then echo "Task worker: manage.py $(WORKER) (stops with the server)"; fi
	@worker=; \
	if [ -n "$(WORKER)" ]; then $(BIN)/python manage.py $(WORKER) & worker=$$!; fi; \
	trap 'if [ -n "$$worker" ]; then kill $$worker 2>/dev/null; wait $$worker 2>/dev/null; fi' EXIT; \
	trap 'exit 130' INT TERM HUP; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: install, then run the whole test suite (DATABASE_URL picks the database)
test: install browser axe redis
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## make lint: ruff check, ruff format --check, the import layers, no missing migration, no known vulnerability
# pip-audit resolves requirements.txt in a scratch environment and looks each release up
# in PyPI's advisories: a known vulnerability fails the lint (its report is printed).
# A release the index cannot tell about (a mirror without per-release pages answers
# "not found" for all) is counted and named in the report, not fatal; where PyPI itself
# is reached, PIP_AUDIT_ARGS=--strict makes those fail too.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	@report=$(VENV)/pip-audit.txt; rm -f $$report; \
	echo "$(BIN)/pip-audit --requirement requirements.txt $(PIP_AUDIT_ARGS)"; \
	$(BIN)/pip-audit --progress-spinner off --requirement requirements.txt --output $$report $(PIP_AUDIT_ARGS); \
	status=$$?; \
	if [ $$status -ne 0 ]; then if [ -f $$report ]; then cat $$report; fi; exit $$status; fi; \
	skipped=$$(grep -c "could not be audited" $$report); \
	if [ $$skipped -gt 0 ]; then echo "pip-audit: $$skipped releases NOT audited: the package index had no advisories for them ($$report)." >&2; fi

## make bench: time pages and endpoints at 1,000 and 100,000 action points (DATABASE_URL)
bench: install
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

## make loadtest: gunicorn + 50 locust clients for 60 s on loopback (DATABASE_URL: a scratch database)
## make loadtest COMPARE=bba6963: the same against that commit's code and this tree, alternating runs
## (DATABASE_URL: PostgreSQL; it makes <name>_old and <name>_new), e.g. LOADTEST_ARGS="--rounds 3"
COMPARE ?=
LOADTEST_ARGS ?=
loadtest: install
	$(BIN)/pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
ifeq ($(COMPARE),)
	$(BIN)/python benchmarks/loadtest.py
else
	$(BIN)/python benchmarks/loadtest_compare.py --compare $(COMPARE) $(LOADTEST_ARGS)
endif

## make cluster-test: PostgreSQL primary and replica, Redis, two gunicorn servers behind nginx and a
## task worker on loopback, 100 locust clients for 120 s through nginx, then the checks (benchmarks/cluster.py)
cluster-test: install $(REDIS_SERVER) $(NGINX) postgresql-server
	$(BIN)/pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
	benchmarks/cluster.sh

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles test-artifacts $(MO_FILES) tests/browser/node_modules
