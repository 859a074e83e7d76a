# `make run` starts everything; `make test` installs what is missing and runs every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)
NPM ?= npm
NODE_STAMP := node_modules/.stamp
VENDOR := web/static/vendor
VENDOR_STAMP := $(VENDOR)/.stamp
export CHROMIUM ?= /usr/bin/chromium
# Noto Sans covers Vietnamese and Cyrillic, and base.html asks for it by name.
BROWSER_FONTS := fonts-noto-core
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# WeasyPrint (the broker's PDF documents, docs/broker.md "Documents") loads Pango, HarfBuzz's
# subsetter and fontconfig at run time; the documents ask for Noto Serif / Noto Sans (Cyrillic).
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1 fonts-noto-core

.PHONY: install run test lint bench clean translations assets browser pdf-libs screenshots

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) translations assets pdf-libs

# Message catalogs are compiled from the .po files in the repository, never committed.
translations: $(STAMP)
	$(VENV)/bin/pybabel compile -d web/translations --statistics

messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --no-location --project Tasklane -o web/translations/messages.pot .
	$(VENV)/bin/pybabel update -i web/translations/messages.pot -d web/translations --no-wrap

# Front-end packages: exactly the versions in package-lock.json, copied into the static
# folder at fixed paths; neither node_modules nor web/static/vendor is committed.
$(NODE_STAMP): package.json package-lock.json
	@command -v node >/dev/null 2>&1 && command -v $(NPM) >/dev/null 2>&1 || { \
	  echo "error: Node.js and npm are needed for the front-end assets (Node 20 or newer;" \
	       "on Debian: apt-get install nodejs npm). See docs/frontend.md." >&2; exit 1; }
	$(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR_STAMP): $(NODE_STAMP) Makefile
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/htmx $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons $(VENDOR)/bpmn-js $(VENDOR)/chartjs
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css \
	   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/bootstrap/
	cp -R node_modules/bootstrap-icons/font/bootstrap-icons.min.css \
	   node_modules/bootstrap-icons/font/fonts $(VENDOR)/bootstrap-icons/
	cp -R node_modules/bpmn-js/dist/bpmn-viewer.production.min.js \
	   node_modules/bpmn-js/dist/bpmn-modeler.production.min.js \
	   node_modules/bpmn-js/dist/assets $(VENDOR)/bpmn-js/
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chartjs/
	mkdir -p $(VENDOR)/bpmn-js-properties-panel
	cp node_modules/bpmn-js-properties-panel/dist/bpmn-js-properties-panel.umd.js \
	   node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css \
	   $(VENDOR)/bpmn-js-properties-panel/
	mkdir -p $(VENDOR)/dmn-js
	cp -R node_modules/dmn-js/dist/dmn-modeler.production.min.js node_modules/dmn-js/dist/assets $(VENDOR)/dmn-js/
	touch $@

assets: $(VENDOR_STAMP)

# The browser of the end-to-end tests: Debian's Chromium, driven by Playwright, with fonts
# that cover Vietnamese and Cyrillic. A prerequisite of `make test`, not of `make run`.
browser:
	@if [ -x $(CHROMIUM) ] && { ! command -v dpkg >/dev/null || dpkg -s $(BROWSER_FONTS) >/dev/null 2>&1; }; \
	then exit 0; fi; \
	command -v apt-get >/dev/null 2>&1 || { echo "error: $(CHROMIUM) is missing and there is no apt-get" \
	  "to install it; install Chromium and run make with CHROMIUM=/path/to/chromium" >&2; exit 1; }; \
	echo "Installing chromium $(BROWSER_FONTS) with apt-get"; \
	$(SUDO) apt-get update -qq && \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  chromium $(BROWSER_FONTS) && \
	$(CHROMIUM) --version

# The system libraries of WeasyPrint, installed with apt-get where they are missing (Debian);
# elsewhere, install Pango >= 1.44 and HarfBuzz (see WeasyPrint's "First steps") and fonts.
pdf-libs:
	@if ! command -v dpkg >/dev/null || dpkg -s $(PDF_LIBS) >/dev/null 2>&1; then exit 0; fi; \
	command -v apt-get >/dev/null 2>&1 || { echo "error: WeasyPrint needs $(PDF_LIBS)" >&2; exit 1; }; \
	echo "Installing $(PDF_LIBS) with apt-get"; \
	$(SUDO) apt-get update -qq && \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(PDF_LIBS)

run: install
	$(VENV)/bin/tasklane run

lint: install
	$(VENV)/bin/lint-imports --config setup.cfg
	$(VENV)/bin/ruff check .

# Two processes (pytest-xdist) on the two cores of the machines we run on; each has its own
# Redis database and PostgreSQL schema, its tables built once (tests/conftest.py; docs/performance.md,
# "Test suite"). TEST_WORKERS=0 runs in one process. worksteal: a worker that runs out of
# tests takes half of the other's queue, so the slow browser and worker-process tests do
# not end the run on one worker (ignored with -n 0).
TEST_WORKERS ?= 2
test: lint browser pdf-libs
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Regenerate the screenshots of docs/ from the end-to-end tests.
SCREENSHOTS ?= docs/screenshots
screenshots: install browser
	TASKLANE_SCREENSHOTS=$(SCREENSHOTS) $(PY) -m pytest tests/e2e -q $(PYTEST_ARGS)

bench: install
	$(PY) bench/engine.py
	$(PY) bench/timers.py
	$(PY) bench/referrals.py

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules $(VENDOR)
