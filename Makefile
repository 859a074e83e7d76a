# `make run` starts everything; `make test` installs what is missing and runs every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test lint bench clean translations

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) translations

# Message catalogs are compiled from the .po files in the repository, never committed.
translations: $(STAMP)
	$(VENV)/bin/pybabel compile -d web/translations --statistics

messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --project Tasklane -o web/translations/messages.pot web forms
	$(VENV)/bin/pybabel update -i web/translations/messages.pot -d web/translations --no-wrap

run: install
	$(VENV)/bin/tasklane run

lint: install
	$(VENV)/bin/lint-imports --config setup.cfg
	$(VENV)/bin/ruff check .

test: lint
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/engine.py
	$(PY) bench/timers.py

clean:
	rm -rf $(VENV) instance .pytest_cache
