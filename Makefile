# openbid: two commands on a fresh Debian/Ubuntu machine with Python >= 3.11.
#   make run   set up, migrate, load the demo agency, serve on http://127.0.0.1:$(PORT)
#   make test  set up and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app wsgi
# pytest-xdist workers: one per core by default (PYTEST_WORKERS=0 runs in one process).
PYTEST_WORKERS ?= auto

.PHONY: run test test-fast setup setup-dev check-system check-system-dev translations extract-messages lint lock \
	bench clean

# System packages first (WeasyPrint's libraries, fonts, python3-venv): installed when root,
# otherwise make stops here, before anything else, naming the command to run.
check-system:
	@$(PYTHON) scripts/check_system.py --install

# The tests need Debian's Chromium too (tests/browser drives it with Playwright).
check-system-dev:
	@$(PYTHON) scripts/check_system.py --install --dev

$(BIN)/python: | check-system
	@echo "== creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --progress-bar on --upgrade pip

# requirements*.txt pin every package, transitive ones too, with hashes (see `make lock`).
$(VENV)/.installed: requirements.txt | $(BIN)/python
	@echo "== installing openbid's Python packages (about a minute the first time)"
	$(BIN)/pip install --progress-bar on -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	@echo "== installing the test and lint packages"
	$(BIN)/pip install --progress-bar on -r requirements-dev.txt
	@touch $@

setup: check-system $(VENV)/.installed translations
setup-dev: check-system-dev $(VENV)/.installed-dev translations

translations: | $(VENV)/.installed
	@$(BIN)/pybabel compile --statistics -d openbid/translations

extract-messages: $(VENV)/.installed
	PYTHONPATH=. $(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k N_plural:1,2 -k lazy_gettext --no-location --sort-output -o openbid/translations/messages.pot .
	$(BIN)/pybabel update -i openbid/translations/messages.pot -d openbid/translations --ignore-obsolete

run: setup
	$(FLASK) db upgrade
	$(FLASK) openbid demo
	@echo "openbid is starting on http://127.0.0.1:$(PORT) (Ctrl+C stops it)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Bytecode caches on for the suite even where the shell sets PYTHONDONTWRITEBYTECODE (as these
# machines do): otherwise every test process, and every CLI or worker process a test starts,
# compiles openbid and pytest re-writes every test module's assertions from source again.
test: setup-dev
	$(BIN)/lint-imports
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=15

# The edit-run loop: pure rules and the engine, in seconds.
test-fast: setup-dev
	$(BIN)/pytest -q tests/rules tests/workflow/test_definition.py tests/workflow/test_diagram.py

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Recompile the pinned, hashed requirements*.txt from requirements*.in (needs pip-tools).
lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

# Every figure of issue #12 against its floor, one `BENCH ...` line each (under 10 minutes).
# PostgreSQL: OPENBID_BENCH_DATABASE_URL=postgresql+psycopg://... (emptied by the run).
bench: setup-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
