# The README's two commands: `make run` and `make test`. Everything they need
# is installed here, so a fresh machine needs nothing by hand.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/askfirst
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest pytest-sqlite pytest-postgres messages compilemessages \
	bench-import system-packages clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

# Debian tools the tests use: gettext to compile catalogues, sqlite3 and
# postfix's smtp-sink for the benchmarks' reference figures.
system-packages:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v sqlite3 >/dev/null || missing="$$missing sqlite3"; \
	if [ -n "$$missing" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			-o DPkg::Lock::Timeout=120 --no-install-recommends $$missing; \
	fi

compilemessages: $(STAMP) system-packages
	mkdir -p askfirst/locale
	cd askfirst && DJANGO_SETTINGS_MODULE=askfirst.settings ../$(BIN)/django-admin compilemessages >/dev/null

messages: $(STAMP)
	cd askfirst && ../$(BIN)/django-admin makemessages -l de -l en --no-obsolete

run: $(STAMP) compilemessages
	mkdir -p var
	$(BIN)/askfirst migrate --noinput
	$(BIN)/askfirst collectstatic --noinput -v 0
	$(BIN)/askfirst demo
	$(BIN)/askfirst serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy askfirst

pytest-sqlite: $(STAMP) compilemessages
	env -u DATABASE_URL $(BIN)/pytest -q

pytest-postgres: $(STAMP) compilemessages
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q

test: lint typecheck pytest-sqlite pytest-postgres

bench-import: $(STAMP)
	$(BIN)/python bench/import.py

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
