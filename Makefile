# Giliran: `make run` starts everything on embedded defaults; `make test` checks everything.
# Only Python 3.11+ is needed; the virtual environment is created on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint types deadcode messages makemessages nginx-conf lock bench bench-quick clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Giliran needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

# Compiled translations come from the .po files with Babel, so no system gettext is needed.
messages: $(STAMP)
	@$(BIN)/pybabel compile -d locale -D django

run: $(STAMP) messages
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py assistant_train
	@echo "Giliran: http://127.0.0.1:8000  (admin: http://127.0.0.1:8000/admin/) — Ctrl-C stops all"
	DEBUG=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --no-prefix -f Procfile.dev start

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy .

# Unused code, as vulture sees it ([tool.vulture] in pyproject.toml); names a framework
# uses by name are listed, each group with its reason, in vulture_whitelist.py.
deadcode: $(STAMP)
	$(BIN)/vulture

test: $(STAMP) messages lint types deadcode
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# Developer tools (need GNU gettext): refresh the .po files from the source. It reads the
# same files as the catalogue check in tests/core/test_translations.py (which needs no gettext).
makemessages: $(STAMP)
	$(BIN)/python manage.py makemessages -l id -l en --no-location --ignore=.venv --ignore=var --ignore=bench --ignore=tests

# The front proxy's routes to the two server pools, from config/server_pools.py.
nginx-conf: $(STAMP)
	$(BIN)/python -c 'from config.server_pools import nginx_config; print(nginx_config(), end="")' > docker/nginx.conf

# Re-pin the whole dependency tree after changing pyproject.toml.
lock:
	rm -rf /tmp/giliran-lock && $(PYTHON) -m venv /tmp/giliran-lock
	/tmp/giliran-lock/bin/pip install --quiet -e ".[dev]"
	/tmp/giliran-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

bench: $(STAMP)
	$(BIN)/python bench/offices_api.py

# Every benchmark's smoke run (docs/benchmarks.md is left alone): proves each runs end to end.
bench-quick: $(STAMP) messages
	for b in offices_api availability_scale call_next wait_estimates flash_crowd solve_office_day reminders national_night assistant_intents assistant_entities assistant_replies ballot_draw release_moment insights_scale; do \
		$(BIN)/python bench/$$b.py --quick || exit 1; done

clean:
	rm -rf $(VENV) var *.egg-info
