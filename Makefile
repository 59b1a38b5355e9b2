# openbid: two commands on a fresh Debian/Ubuntu machine with Python >= 3.11.
#   make run   set up, migrate, load the demo agency, serve on http://127.0.0.1:$(PORT)
#   make test  set up and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app wsgi

.PHONY: run test setup setup-dev check-system translations extract-messages lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "openbid needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.installed check-system translations
setup-dev: $(VENV)/.installed-dev check-system translations

# WeasyPrint needs Pango; without HarfBuzz's subsetter PDFs render slower and not byte-identical.
check-system: | $(BIN)/python
	@$(BIN)/python scripts/check_system.py

translations: | $(VENV)/.installed
	@$(BIN)/pybabel compile --statistics -d openbid/translations

extract-messages: $(VENV)/.installed
	PYTHONPATH=. $(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext --no-location --sort-output -o openbid/translations/messages.pot .
	$(BIN)/pybabel update -i openbid/translations/messages.pot -d openbid/translations --ignore-obsolete

run: setup
	$(FLASK) db upgrade
	$(FLASK) openbid demo
	@echo "openbid is starting on http://127.0.0.1:$(PORT) (Ctrl+C stops it)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: setup-dev
	$(BIN)/pytest

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup-dev
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
