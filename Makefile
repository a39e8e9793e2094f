# scc: `make run` starts the app on SQLite with demo data; `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCC_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export SCC_TEST_POSTGRES_URL

GOVUK_FRONTEND := 6.3.0
ASSETS := web/static/govuk/.govuk-frontend-$(GOVUK_FRONTEND)
CHROMIUM := /usr/bin/chromium
LETTER_LIBS := /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf
OIDC_PROVIDER := tests/oidc/node_modules/.installed
AXE := tests/browser/node_modules/.installed

.PHONY: run test test-dates test-moved-day test-sqlite faults faults-full lint bench bench-smoke \
	load clean

$(STAMP): setup.cfg
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[postgres,test,load]'
	touch $(STAMP)

# GOV.UK Frontend's compiled CSS, JavaScript, fonts and images, from its npm package.
$(ASSETS):
	rm -rf build/npm web/static/govuk
	npm install --silent --no-audit --no-fund --prefix build/npm govuk-frontend@$(GOVUK_FRONTEND)
	mkdir -p web/static/govuk
	cp build/npm/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css \
	   build/npm/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js web/static/govuk/
	cp -r build/npm/node_modules/govuk-frontend/dist/govuk/assets web/static/govuk/
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser).
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

# What WeasyPrint needs to render letters as PDF (Pango, HarfBuzz) and the letters' font,
# Liberation Sans (Arial's metrics).
$(LETTER_LIBS):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 \
	   libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation >/dev/null

# The real OpenID Connect provider the sign-in tests start (oidc-provider under Node, pinned by
# tests/oidc/package-lock.json).
$(OIDC_PROVIDER): tests/oidc/package.json tests/oidc/package-lock.json
	npm ci --silent --no-audit --no-fund --prefix tests/oidc
	touch $@

# axe-core, which the browser tests inject into every page they visit to check WCAG 2.2 A and
# AA (pinned by tests/browser/package-lock.json).
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --silent --no-audit --no-fund --prefix tests/browser
	touch $@

# The demo LA on SQLite, served with its worker on http://127.0.0.1:5000 (plain HTTP on the
# loopback address, so the session cookie may go without TLS here).
run: $(STAMP) $(ASSETS) $(LETTER_LIBS)
	$(BIN)/scc migrate
	$(BIN)/scc demo --if-empty
	SCC_INSECURE_COOKIES=1 $(BIN)/scc serve --host 127.0.0.1 --port 5000

# The whole suite as two pytest processes at once (tests/in_parallel.py: half the time on two
# cores); `$(BIN)/pytest` alone runs the same tests in one.
test: $(STAMP) $(ASSETS) $(LETTER_LIBS) $(CHROMIUM) $(OIDC_PROVIDER) $(AXE) lint
	SCC_REQUIRE_POSTGRES=1 SCC_REQUIRE_FAULTS=1 $(BIN)/python -m tests.in_parallel

# The whole suite again with the clock moved (libfaketime, for every process the tests start)
# to eighteen months on, 29 February 2028 and the next Christmas Eve; test-moved-day runs one
# of them, a different one each day (CI).
test-dates: $(STAMP) $(ASSETS) $(LETTER_LIBS) $(CHROMIUM) $(OIDC_PROVIDER) $(AXE)
	SCC_REQUIRE_POSTGRES=1 SCC_REQUIRE_FAULTS=1 $(BIN)/python -m tests.moved_days

test-moved-day: $(STAMP) $(ASSETS) $(LETTER_LIBS) $(CHROMIUM) $(OIDC_PROVIDER) $(AXE)
	SCC_REQUIRE_POSTGRES=1 SCC_REQUIRE_FAULTS=1 $(BIN)/python -m tests.moved_days --rotate

test-sqlite: $(STAMP) $(ASSETS) $(LETTER_LIBS) $(CHROMIUM) $(OIDC_PROVIDER) $(AXE)
	$(BIN)/pytest -m "not postgres"

# The fault tests alone (make test runs them too): kills, restarts, full and read-only disks.
faults: $(STAMP)
	SCC_REQUIRE_POSTGRES=1 $(BIN)/pytest -m faults

# The same at length: more commands and schools, three PostgreSQL outages longer than the
# event store's own retries, England at the quick benchmark size for the rebuild.
faults-full: $(STAMP)
	SCC_FAULTS_FULL=1 SCC_REQUIRE_POSTGRES=1 $(BIN)/pytest -m faults

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP) $(LETTER_LIBS)
	$(BIN)/python -m benchmarks

# Every benchmark once, small and quick: fails on an error, never on a missed target.
bench-smoke: $(STAMP) $(LETTER_LIBS)
	$(BIN)/python -m benchmarks --quick

# Locust against gunicorn and scc worker on PostgreSQL with the England-scale log: 50 users for
# 5 minutes; prints throughput, p95 (each route's too), errors and CPU a request
# (python -m benchmarks.load --help for options: steps of users, a profile).
load: $(STAMP)
	$(BIN)/python -m benchmarks.load

clean:
	rm -rf $(VENV) data build *.egg-info .pytest_cache .ruff_cache .hypothesis \
	   tests/oidc/node_modules tests/browser/node_modules
